"""Tesseract through tesserocr: engines kept for the life of the process, words with boxes and
confidences.

tesserocr calls the Tesseract library in-process, so a cell costs a recognition and not a
process start plus a model load as with the command-line tool; it releases the GIL while it
works, so pages run in parallel threads. An engine loads its language data once and is lent
to one page at a time (`borrowed`): a batch worker loads them once for all its documents, not
once per document and thread. Images go to Tesseract as raw bytes (no PNG round trip). The
language data are Debian's (tesseract-ocr-rus, tesseract-ocr-eng, tesseract-ocr-osd), found
through TESSDATA_PREFIX or the Debian paths.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from parsers.errors import ExtractionError
from parsers.ocr_settings import OcrSettings
from parsers.text_model import Box, Word
from parsers.text_model import Line as Line  # re-exported: OCR lines are the shared model's

TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
PSM_BLOCK = 6  # a uniform block of text: a table cell
PSM_LINE = 7  # one line: short cells read again
PSM_WORD = 8
PSM_AUTO = 3  # free page layout: the text around the tables
PSM_SPARSE = 11  # scattered text: unruled tables


def ocr_word(text: str, conf: float, box: Box) -> Word:
    """A word as Tesseract gives it: text, confidence, box in pixels of the image read."""
    return Word.boxed(text, conf, box)


def tessdata_dir(languages: str) -> Path:
    """The folder holding every needed .traineddata, or ExtractionError("ocr_unavailable")."""
    needed = [lang for lang in languages.split("+") if lang]
    env = os.environ.get("TESSDATA_PREFIX")
    candidates = [env] if env is not None else list(TESSDATA_CANDIDATES)
    for folder in candidates:
        path = Path(folder)
        if all((path / f"{lang}.traineddata").is_file() for lang in needed):
            return path
    raise ExtractionError("ocr_unavailable",
                          f"нет языковых данных Tesseract ({', '.join(needed)}): установите пакеты "
                          "tesseract-ocr и tesseract-ocr-rus")


@cache
def _tesserocr() -> Any:
    # one thread per engine: OpenMP threads of a Tesseract built with it would only fight the
    # page threads and the batch's other workers; read when the library loads, so set before
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        import tesserocr  # type: ignore[import-untyped]
    except ImportError as exc:  # the wheel bundles the library; without it there is no OCR
        raise ExtractionError("ocr_unavailable", f"не установлен модуль распознавания tesserocr: {exc}") from exc
    return tesserocr


def check_available(settings: OcrSettings) -> None:
    """Raise ExtractionError("ocr_unavailable") unless OCR can run."""
    _tesserocr()
    tessdata_dir(settings.languages)


class Engine:
    """The Tesseract engines (text and orientation) of one page at a time, loaded on first use.
    `dpi` is the resolution of the images read (the page's working resolution)."""

    def __init__(self, settings: OcrSettings) -> None:
        self.settings = settings
        self.dpi = settings.dpi
        self.confidences: list[float] = []  # of every word read while borrowed, to judge a pass by
        self._text: Any = None
        self._osd: Any = None

    def _api(self, lang: str) -> Any:
        tesserocr = _tesserocr()
        path = str(tessdata_dir(lang))
        try:
            return tesserocr.PyTessBaseAPI(path=path + os.sep, lang=lang, oem=tesserocr.OEM.LSTM_ONLY)
        except RuntimeError as exc:
            raise ExtractionError("ocr_unavailable", f"Tesseract не загрузил язык {lang}: {exc}") from exc

    def read(self, image: np.ndarray, psm: int, whitelist: str | None = None) -> list[Line]:
        """Lines of words in a grey image (white background)."""
        tesserocr = _tesserocr()
        if self._text is None:
            self._text = self._api(self.settings.languages)
        api = self._text
        api.SetPageSegMode(psm)
        api.SetVariable("tessedit_char_whitelist", whitelist or "")
        _set_image(api, image)
        api.SetSourceResolution(self.dpi)
        api.Recognize()
        lines: list[Line] = []
        iterator = api.GetIterator()
        level = tesserocr.RIL.WORD
        block = 0
        for word in tesserocr.iterate_level(iterator, level):
            try:
                text = word.GetUTF8Text(level)
            except RuntimeError:  # an empty word
                continue
            box = word.BoundingBox(level)
            if not text or box is None:
                continue
            if word.IsAtBeginningOf(tesserocr.RIL.BLOCK):
                block += 1
            entry = ocr_word(text.strip(), float(word.Confidence(level)), tuple(box))
            if not entry.text:
                continue
            self.confidences.append(entry.conf)
            if not lines or word.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
                lines.append(Line(words=[entry], block=block))
            else:
                lines[-1].words.append(entry)
        api.Clear()
        return lines

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """(degrees the page is turned clockwise, confidence) from Tesseract's OSD."""
        tesserocr = _tesserocr()
        if self._osd is None:
            self._osd = self._api("osd")
            self._osd.SetPageSegMode(tesserocr.PSM.OSD_ONLY)
        _set_image(self._osd, image)
        self._osd.SetSourceResolution(self.dpi)
        try:
            found = self._osd.DetectOrientationScript()
        except RuntimeError:
            return 0, 0.0
        finally:
            self._osd.Clear()
        if not found:
            return 0, 0.0
        return int(found.get("orient_deg", 0)), float(found.get("orient_conf", 0.0))

    def close(self) -> None:
        for api in (self._text, self._osd):
            if api is not None:
                api.End()
        self._text = self._osd = None


def _set_image(api: Any, image: np.ndarray) -> None:
    """A grey image handed over as its bytes (tesserocr's SetImage would encode a PNG)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape
    api.SetImageBytes(image.tobytes(), width, height, 1, width)


_free: dict[str, list[Engine]] = {}  # idle engines by languages
_lock = threading.Lock()


@contextmanager
def borrowed(settings: OcrSettings) -> Iterator[Engine]:
    """An engine for `settings.languages`, this caller's alone until the block ends; kept for
    the next caller (its language data stay loaded)."""
    with _lock:
        idle = _free.setdefault(settings.languages, [])
        ocr = idle.pop() if idle else Engine(settings)
    ocr.dpi = settings.dpi
    ocr.confidences = []  # a kept engine must not carry a past page's words (nor grow with them)
    try:
        yield ocr
    finally:
        with _lock:
            idle.append(ocr)
