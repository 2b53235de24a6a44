"""The blob folder: uploads and results as files under one root, each written whole or not at
all (a temporary file beside the target, then a rename), named by paths relative to the root
that the database stores."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from extractor.output import write_atomic

CHUNK = 1024 * 1024


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        """The file of a stored name; a name that leads out of the root is refused."""
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"blob name outside the store: {name}")
        return path

    def name(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def write_text(self, name: str, text: str) -> str:
        write_atomic(self.path(name), text)
        return name

    def write_stream(self, name: str, source: BinaryIO) -> tuple[int, str]:
        """Copy a stream into the store; (size, sha256 hex)."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return size, digest.hexdigest()

    def read_text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def exists(self, name: str | None) -> bool:
        return name is not None and self.path(name).is_file()

    def remove(self, name: str | None) -> None:
        """Remove a file and the folders it leaves empty."""
        if name is None:
            return
        path = self.path(name)
        path.unlink(missing_ok=True)
        self._prune(path.parent)

    def remove_tree(self, name: str) -> None:
        path = self.path(name)
        shutil.rmtree(path, ignore_errors=True)
        self._prune(path.parent)

    def _prune(self, folder: Path) -> None:
        root = self.root.resolve()
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:  # not empty, or gone
                return
            folder = folder.parent

    def stale_temporaries(self, older_than: float) -> Iterator[Path]:
        """Temporary files a killed process left behind (never renamed into place)."""
        limit = time.time() - older_than
        for path in self.root.rglob(".*.tmp"):
            try:
                if path.stat().st_mtime < limit:
                    yield path
            except FileNotFoundError:
                continue


def upload_name(batch_id: str, index: int, filename: str, member: int | None = None) -> str:
    """uploads/<batch>/<file index>[/<member index>]/<name>: a folder per file keeps equal names apart."""
    parts = ["uploads", batch_id, str(index)]
    if member is not None:
        parts.append(str(member))
    return "/".join([*parts, safe_filename(filename)])


def result_name(job_id: str, attempt: int) -> str:
    """results/<job>/<attempt>.json: an attempt that lost its claim never overwrites the winner's."""
    return f"results/{job_id}/{attempt}.json"


def safe_filename(name: str) -> str:
    """The base name as one path component: folders and control characters dropped, at most
    200 bytes. Kept otherwise, since the plan's source.filename is the name of the file read."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(c for c in base if ord(c) >= 32 and c != "\x7f")
    if base in ("", ".", ".."):
        return "file"
    encoded = base.encode("utf-8")
    if len(encoded) > 200:
        stem, dot, suffix = base.rpartition(".")
        if not dot or len(suffix) > 10:
            return encoded[:200].decode("utf-8", "ignore")
        keep = 200 - len(suffix.encode("utf-8")) - 1
        base = stem.encode("utf-8")[:keep].decode("utf-8", "ignore") + "." + suffix
    return base


__all__ = ["BlobStore", "result_name", "safe_filename", "upload_name"]
