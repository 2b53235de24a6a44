"""Parsers: one module per input kind, each returning the layout model (parsers.layout)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from parsers.errors import ExtractionError
from parsers.layout import Document

MAX_BYTES = 100 * 1024 * 1024  # larger submissions are refused, not read


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
        except zipfile.BadZipFile:
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


def parse(path: str | Path) -> Document:
    """Read any supported file into the layout model (raises ExtractionError)."""
    path = Path(path)
    if not path.is_file():
        raise ExtractionError("corrupt_file", f"no such file: {path.name}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ExtractionError("too_large", f"{size} bytes; the limit is {MAX_BYTES}")
    kind = sniff(path)
    if kind == "empty":
        raise ExtractionError("empty_document", "the file is empty")
    if kind == "docx":
        from parsers.docx import parse_docx

        return parse_docx(path)
    if kind in ("corrupt", "encrypted_docx"):
        raise ExtractionError("corrupt_file", "the Word package is damaged or password-protected")
    if kind in ("doc", "odt", "rtf"):
        from parsers.libreoffice import parse_legacy

        return parse_legacy(path, kind)
    if kind == "image":
        from parsers.scan import parse_image

        return parse_image(path)
    if kind == "pdf":
        from parsers.pdf import parse_pdf

        return parse_pdf(path)
    if kind in ("doc", "odt", "rtf", "pdf", "image"):
        raise ExtractionError("unsupported_format", f"{kind} input is not supported yet; save the plan as .docx")
    raise ExtractionError("unsupported_format", f"not a plan document ({kind})")


__all__ = ["Document", "ExtractionError", "parse", "sniff"]
