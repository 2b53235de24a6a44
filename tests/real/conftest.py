"""Skip the whole real-document tier where the corpus folder is absent (a user's clone has none)."""

from __future__ import annotations

import pytest

from tests.real.corpus import skip_reason


@pytest.fixture(autouse=True)
def _real_corpus_present() -> None:
    reason = skip_reason()
    if reason is not None:
        pytest.skip(reason)
