"""Serialization and atomic writes: every output is UTF-8 JSON, written whole or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel

from models import ErrorDocument, ErrorInfo
from parsers.errors import ExtractionError


def to_json(model: BaseModel) -> str:
    """Deterministic JSON text: model field order, UTF-8 letters as they are, final newline."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def error_document(error: ExtractionError, filename: str) -> ErrorDocument:
    return ErrorDocument(error=ErrorInfo(code=error.code, message=error.message, filename=filename))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename it over the target."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared files
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
