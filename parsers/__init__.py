"""Parsers: one module per input kind, each returning the layout model (parsers.layout)."""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from models.roadmap import ErrorCode
from parsers.errors import ExtractionError
from parsers.layout import Document

if TYPE_CHECKING:
    from parsers.options import ParseOptions

MAX_BYTES = 100 * 1024 * 1024  # larger submissions are refused, not read
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # a Word/ODF package's parts, uncompressed, all together
MAX_RATIO = 200  # a part this much larger than its compressed bytes (and over 16 MB) is a bomb
_RATIO_FROM = 16 * 1024 * 1024


def sniff(path: Path) -> str:
    """The input kind from the file's bytes (the extension only breaks ties)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower().lstrip(".")
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "content.xml" in names:
                    return "odt"
        except (zipfile.BadZipFile, NotImplementedError):  # a damaged directory, or one naming an unknown zip version
            return "corrupt"
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc" if suffix != "docx" else "encrypted_docx"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    return suffix or "unknown"


class Parser(Protocol):
    """What a parser module offers (parsers.docx, libreoffice, pdf, scan): the detected formats
    it reads (`sniff`'s names) and how it reads one of them."""

    FORMATS: frozenset[str]

    def read(self, path: Path, kind: str, options: ParseOptions) -> Document: ...


# The parser module of each format it declares in FORMATS, imported only when a file of that
# format comes (OCR and PDF libraries are heavy); tests/test_layers.py checks both agree.
PARSERS: dict[str, str] = {
    "docx": "parsers.docx",
    "doc": "parsers.libreoffice",
    "odt": "parsers.libreoffice",
    "rtf": "parsers.libreoffice",
    "image": "parsers.scan",
    "pdf": "parsers.pdf",
}

# Detected formats refused with a reason of their own (any other is "not a plan document").
REFUSED: dict[str, tuple[ErrorCode, str]] = {
    "empty": ("empty_document", "файл пустой"),
    "corrupt": ("corrupt_file", "файл Word повреждён или защищён паролем"),
    "encrypted_docx": ("corrupt_file", "файл Word повреждён или защищён паролем"),
}


def parser(kind: str) -> Parser | None:
    """The parser module that reads `kind`, or None."""
    name = PARSERS.get(kind)
    if name is None:
        return None
    module: Parser = importlib.import_module(name)
    return module


def check_package(path: Path) -> None:
    """Refuse (too_large) a zip package whose parts would inflate past the bounds, from the
    sizes its directory declares, before any part is read."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, NotImplementedError) as exc:
        raise ExtractionError("corrupt_file", f"архив документа повреждён: {exc}") from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ExtractionError("too_large", f"части файла после распаковки занимают {total // 2**20} МБ; "
                              f"предел {MAX_UNPACKED_BYTES // 2**20} МБ")
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            raise ExtractionError("too_large", f"часть {info.filename} сжата в {ratio} раз: так сжимается "
                                  "только бомба, не документ")


def parse(path: str | Path, options: ParseOptions | None = None) -> Document:
    """Read any supported file into the layout model (raises ExtractionError)."""
    from parsers.options import DEFAULT

    path = Path(path)
    if not path.is_file():
        raise ExtractionError("corrupt_file", f"нет такого файла: {path.name}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ExtractionError("too_large", f"файл занимает {size // 2**20} МБ; предел {MAX_BYTES // 2**20} МБ")
    kind = sniff(path)
    if kind in REFUSED:
        raise ExtractionError(*REFUSED[kind])
    if kind in ("docx", "odt"):
        check_package(path)
    reader = parser(kind)
    if reader is None:
        raise ExtractionError("unsupported_format", f"это не документ плана ({kind})")
    return reader.read(path, kind, options or DEFAULT)


__all__ = ["PARSERS", "Document", "ExtractionError", "Parser", "parse", "parser", "sniff"]
