"""The real-document corpus: where it lives, which files it holds, and their extraction cached per session.

The corpus is never copied into the repository; ROADMAP_REAL_CORPUS names its folder (default
`<repo>/../shared/real-corpus`), and every test of this tier skips when the folder is absent.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "ROADMAP_REAL_CORPUS"
EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
PLAN_SUFFIXES = frozenset({".docx", ".doc", ".rtf", ".odt", ".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"})
WORD_FAMILY = frozenset({".docx", ".doc", ".rtf", ".odt"})
CONVERT_TIMEOUT = 300  # seconds; a 78-page .doc takes well under a minute


def corpus_dir() -> Path:
    """The corpus folder: the one setting of this tier."""
    value = os.environ.get(ENV_VAR)
    return Path(value).expanduser() if value else ROOT.parent / "shared" / "real-corpus"


def skip_reason() -> str | None:
    """Why this tier cannot run here, or None."""
    folder = corpus_dir()
    if not folder.is_dir():
        return f"real corpus not found at {folder} (set {ENV_VAR} to its folder)"
    return None


def corpus_files() -> list[str]:
    """Every document of the corpus, as a path relative to its folder (near-miss/... included)."""
    folder = corpus_dir()
    if not folder.is_dir():
        return []
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES
    )


def expectation_paths() -> list[Path]:
    return sorted(EXPECTED_DIR.glob("*.yaml"))


@cache
def load_expectation(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.setdefault("xfail", {})
    data["xfail"] = data["xfail"] or {}
    return data


def expectations() -> list[dict[str, Any]]:
    return [load_expectation(p) for p in expectation_paths()]


# --- folding -------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Compare texts as a reader does: white space collapsed, lower case, «ё» read as «е»."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip().lower().replace("ё", "е")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


# --- extraction, once per file per session -------------------------------------------------------


@cache
def extract_json(name: str) -> dict[str, Any]:
    """The canonical JSON of a corpus file as parsed JSON, or the contract's error object."""
    from extractor import extract
    from extractor.output import error_document, to_json
    from parsers.errors import ExtractionError

    path = corpus_dir() / name
    try:
        text = to_json(extract(path))
    except ExtractionError as exc:  # the CLI's way: the error object instead of a plan
        text = to_json(error_document(exc, path.name))
    result: dict[str, Any] = json.loads(text)
    return result


def is_error(result: Mapping[str, Any]) -> bool:
    return "error" in result


# --- LibreOffice conversion for the independent word check ----------------------------------------

_WORKDIR: Path | None = None


def _workdir() -> Path:
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="roadmap-real-"))
        atexit.register(shutil.rmtree, _WORKDIR, True)
    return _WORKDIR


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def converted_docx(name: str) -> Path:
    """A .doc/.rtf/.odt corpus file converted to .docx by LibreOffice itself (not through our parsers)."""
    binary = soffice()
    if binary is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    source = corpus_dir() / name
    out = _workdir() / "docx" / re.sub(r"\W", "_", name)
    out.mkdir(parents=True, exist_ok=True)
    profile = (_workdir() / "lo-profile").as_uri()  # private profile: no clash with a running office
    subprocess.run(
        [binary, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
         "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=CONVERT_TIMEOUT,
    )
    target = out / f"{source.stem}.docx"
    if not target.is_file():
        raise FileNotFoundError(f"LibreOffice gave no .docx for {name}")
    return target
