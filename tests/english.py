"""What the tests count as English in a text a Russian-speaking person reads: two Latin words
in a row (file names and codes are single words; `tests/test_cli_russian.py` has its own, looser
rule for help texts full of option names)."""

from __future__ import annotations

import re

ENGLISH = re.compile(r"\b[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}\b")
