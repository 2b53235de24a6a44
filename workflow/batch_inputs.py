"""The inputs of a batch: files, folders, globs and .zip archives, expanded to plan files.

Folders are walked recursively and archives opened (nested ones too), taking the file kinds
extractor/data/batch_export.yaml lists. Names inside archives are decoded as their archiver
wrote them, cp866 of old Windows archivers included. Each plan file is hashed here, so that
the run can tell which inputs already have an output.
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import click

from lang.vocab import load
from models.roadmap import ErrorCode
from parsers import MAX_BYTES
from parsers.errors import ExtractionError

_UTF8_FLAG = 0x800  # zip general purpose bit 11: the name is UTF-8
_ENCRYPTED_FLAG = 0x1
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP extra field holding the UTF-8 name
_LEGACY_NAME_ENCODINGS = ("cp866", "cp1251")  # DOS (old Windows archivers) and ANSI Russian code pages
_CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")


@dataclass(frozen=True)
class InputVocabulary:
    extensions: tuple[str, ...]
    archives: tuple[str, ...]
    ignored_prefixes: tuple[str, ...]
    ignored_folders: frozenset[str]


@cache
def vocabulary() -> InputVocabulary:
    data = load("batch_export")["batch"]
    return InputVocabulary(
        extensions=tuple(e.lower() for e in data["extensions"]),
        archives=tuple(e.lower() for e in data["archives"]),
        ignored_prefixes=tuple(data["ignored_prefixes"]),
        ignored_folders=frozenset(data["ignored_folders"]),
    )


def is_wanted(name: str) -> bool:
    """A file name a folder walk or an archive listing takes."""
    vocab = vocabulary()
    return not name.startswith(vocab.ignored_prefixes) and name.lower().endswith(vocab.extensions)


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(vocabulary().archives)


# ---- inputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One plan file to convert: a file on disk or a member of an archive."""

    display: str  # how the report and the table name it
    path: Path  # the file on disk; for archive members the outermost archive
    filename: str  # the base name the plan is extracted under
    members: tuple[int, ...] = ()  # indexes into the archive listings, outermost first
    member: str | None = None  # the member's path inside the archives, decoded
    sha256: str | None = None
    size: int = 0
    refusal: tuple[ErrorCode, str] | None = None  # refused before extraction: code and message


class InputError(click.UsageError):
    """An argument that names nothing."""


def collect_inputs(arguments: Sequence[str], max_depth: int) -> list[Input]:
    """Every plan file the arguments name, in argument order, folders and archives expanded."""
    found: list[Input] = []
    seen: set[Path] = set()
    for argument in arguments:
        for path in _paths_of(argument):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found += _inputs_of_file(path, max_depth)
    return found


def _paths_of(argument: str) -> list[Path]:
    path = Path(argument)
    if path.is_dir():
        return list(_walk(path))
    if path.is_file():
        return [path]
    if glob.has_magic(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        if not matches:
            raise InputError(f"под шаблон {argument!r} не подходит ни один файл")
        vocab = vocabulary()
        files = [Path(m) for m in matches if not Path(m).name.startswith(vocab.ignored_prefixes)]
        return [p for m in files for p in (_walk(m) if m.is_dir() else [m])]
    raise InputError(f"нет такого файла или папки: {argument}")


def _walk(folder: Path) -> Iterator[Path]:
    vocab = vocabulary()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in vocab.ignored_folders and not d.startswith("."))
        for name in sorted(files):
            if is_wanted(name):
                yield Path(root) / name


def _inputs_of_file(path: Path, max_depth: int) -> list[Input]:
    display = str(path)
    try:
        if is_archive_name(path.name):
            with zipfile.ZipFile(path) as archive:
                members = list(_members_of(archive, Input(display, path, path.name), max_depth))
            if not members:
                kinds = ", ".join(vocabulary().extensions)
                return [_refused(Input(display, path, path.name), "empty_document", f"нет файлов планов ({kinds})")]
            return members
        digest, size = _file_digest(path)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        return [_refused(Input(display, path, path.name), "corrupt_file", f"архив повреждён: {exc}")]
    except OSError as exc:
        return [_refused(Input(display, path, path.name), "corrupt_file", f"файл не читается: {exc.strerror}")]
    return [Input(display, path, path.name, sha256=digest, size=size)]


def _file_digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
    return digest.hexdigest(), path.stat().st_size


def _refused(item: Input, code: ErrorCode, message: str) -> Input:
    return replace(item, refusal=(code, message))


def _members_of(archive: zipfile.ZipFile, parent: Input, max_depth: int) -> Iterator[Input]:
    vocab = vocabulary()
    depth = len(parent.members) + 1
    for index, info in enumerate(archive.infolist()):
        if info.is_dir():
            continue
        parts = [p for p in member_name(info).replace("\\", "/").split("/") if p]
        if not parts or vocab.ignored_folders & set(parts[:-1]) or not is_wanted(parts[-1]):
            continue
        inner = "/".join(parts)
        item = Input(
            display=f"{parent.display}/{inner}",
            path=parent.path,
            filename=parts[-1],
            members=(*parent.members, index),
            member=f"{parent.member}/{inner}" if parent.member else inner,
            size=info.file_size,
        )
        yield from _member_inputs(archive, info, item, depth, max_depth)


def _member_inputs(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, item: Input, depth: int, max_depth: int
) -> Iterator[Input]:
    if info.flag_bits & _ENCRYPTED_FLAG:
        yield _refused(item, "corrupt_file", "файл в архиве защищён паролем")
        return
    if info.file_size > MAX_BYTES:
        yield _refused(item, "too_large", f"{info.file_size} байт; предел — {MAX_BYTES}")
        return
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        yield _refused(item, "corrupt_file", f"файл из архива не распаковывается: {exc}")
        return
    if not is_archive_name(item.filename):
        yield replace(item, sha256=hashlib.sha256(data).hexdigest())
        return
    if depth >= max_depth:
        yield _refused(item, "unsupported_format", f"архивы вложены глубже {max_depth} уровней")
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            yield from _members_of(inner, item, max_depth)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        yield _refused(item, "corrupt_file", f"архив повреждён: {exc}")


# ---- archive member names ----------------------------------------------------------------


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it.

    Bit 11 set: UTF-8 (zipfile already decoded it). Otherwise zipfile decoded the bytes as
    cp437; take the bytes back and read them as the Info-ZIP Unicode path field says, or as
    UTF-8 (archivers that forget the flag), cp866 (old Windows archivers on Russian systems)
    or cp1251, whichever gives the most Russian letters.
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")
    from_extra = _unicode_path(info.extra, raw)
    if from_extra is not None:
        return from_extra
    if raw.isascii():
        return info.filename
    return _best_decoding(raw)


def _unicode_path(extra: bytes, raw: bytes) -> str | None:
    """The UTF-8 name of an Info-ZIP Unicode Path extra field that matches the header name."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if tag != _UNICODE_PATH_EXTRA or len(body) < 5 or body[0] != 1:
            continue
        (crc,) = struct.unpack_from("<I", body, 1)
        if crc == zlib.crc32(raw):
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def _best_decoding(raw: bytes) -> str:
    candidates: list[str] = []
    with suppress(UnicodeDecodeError):
        candidates.append(raw.decode("utf-8"))
    candidates += [raw.decode(enc, errors="replace") for enc in _LEGACY_NAME_ENCODINGS]
    # max() keeps the first of equals: UTF-8, then cp866 (the Windows archivers' default)
    return max(candidates, key=_russian_share)


def _russian_share(text: str) -> float:
    letters = [c for c in text if not c.isascii()]
    if not letters:
        return 0.0
    return sum(c in _CYRILLIC for c in letters) / len(letters)


# ---- archive members back on disk -----------------------------------------------------


def materialize(item: Input, folder: Path) -> Path:
    """The input as a file on disk: the file itself, or the archive member unpacked into folder."""
    if not item.members:
        return item.path
    try:
        data = _member_bytes(item.path, item.members)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, IndexError) as exc:
        raise ExtractionError("corrupt_file", f"файл из архива не распаковывается: {exc}") from exc
    target = folder / item.filename
    target.write_bytes(data)
    return target


def _member_bytes(path: Path, members: tuple[int, ...]) -> bytes:
    data = b""
    with zipfile.ZipFile(path) as archive:
        data = archive.read(archive.infolist()[members[0]])
    for index in members[1:]:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            data = inner.read(inner.infolist()[index])
    return data
