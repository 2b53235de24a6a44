"""Old word-processor formats (.doc, .rtf, .odt) through headless LibreOffice to .docx.

LibreOffice writes the .docx and the Word parser reads it, so every format shares one parser.
Each conversion runs with its own throw-away profile directory (a shared profile is locked by
a running instance and makes a second conversion hang or fail) and in its own process group,
so a hung converter is killed whole, helpers included, when the time limit runs out.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from parsers.errors import ExtractionError
from parsers.layout import Document

if TYPE_CHECKING:
    from parsers.options import ParseOptions

SOFFICE_NAMES = ("soffice", "libreoffice")
LEGACY_KINDS = ("doc", "rtf", "odt")


@dataclass(frozen=True)
class ConverterSettings:
    timeout_s: float = 120.0  # a plan of a few dozen pages converts in a few seconds
    kill_grace_s: float = 5.0  # after SIGTERM, how long before SIGKILL


SETTINGS = ConverterSettings()


def find_soffice() -> str | None:
    """Path of the LibreOffice executable on PATH, or None."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _kill_group(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """End the converter and every process it started (oosplash starts soffice.bin)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue


def convert_to_docx(path: Path, outdir: Path, settings: ConverterSettings = SETTINGS) -> Path:
    """Convert one document to .docx in `outdir` and return the new file's path.

    Raises ExtractionError: converter_unavailable without LibreOffice, timeout when the
    conversion does not finish in time, corrupt_file when LibreOffice cannot read the input.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ExtractionError("converter_unavailable",
                              "для файлов .doc, .rtf и .odt нужен LibreOffice (soffice), а он не установлен")
    profile = outdir / "profile"
    # A neutral name: LibreOffice names the output after the input's stem.
    source = outdir / f"input{path.suffix.lower() or '.bin'}"
    shutil.copyfile(path, source)
    command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
               f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir / "out"), str(source)]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "HOME": str(outdir)})
    try:
        _, stderr = proc.communicate(timeout=settings.timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc, settings.kill_grace_s)
        proc.communicate()
        raise ExtractionError("timeout",
                              f"LibreOffice не преобразовал файл за {settings.timeout_s:g} с") from exc
    finally:
        if proc.poll() is None:
            _kill_group(proc, settings.kill_grace_s)
    result = outdir / "out" / "input.docx"
    if proc.returncode != 0 or not result.is_file():
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError("corrupt_file", "LibreOffice не прочитал файл"
                              + (f": {detail[-1]}" if detail else ""))
    return result


def parse_legacy(path: str | Path, kind: str, settings: ConverterSettings = SETTINGS,
                 options: ParseOptions | None = None) -> Document:
    """Read a .doc, .rtf or .odt file into the layout model; `kind` becomes Document.format."""
    from parsers import docx
    from parsers.options import DEFAULT

    if kind not in LEGACY_KINDS:
        raise ValueError(f"not a LibreOffice-converted kind: {kind}")
    with tempfile.TemporaryDirectory(prefix="roadmap-lo-") as tmp:
        converted = convert_to_docx(Path(path), Path(tmp), settings)
        document = docx.read(converted, "docx", options or DEFAULT)
    document.format = kind
    return document


# The parser interface (parsers.Parser): the detected formats this module reads, and the reader.
FORMATS = frozenset(LEGACY_KINDS)


def read(path: Path, kind: str, options: ParseOptions) -> Document:
    return parse_legacy(path, kind, options.converter, options)
