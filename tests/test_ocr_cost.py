"""What keeps the OCR path's cost down (issue 16): engines kept and lent, OSD only where a page
needs it, pages in parallel only on idle cores, the working resolution and its scaled settings."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading

import cv2
import numpy as np
import pytest

from parsers import ocr_engine, scan
from parsers.ocr_engine import borrowed
from parsers.ocr_image import image_frames, lines_across, resample, working_dpi
from parsers.ocr_settings import AREAS, LENGTHS, SETTINGS, at_dpi
from tests.test_scan import PHOTO


def _text_page(height_px: int, turned: bool = False) -> np.ndarray:
    """A white A4 page at 300 dpi with lines of letter-like blobs `height_px` high."""
    page = np.full((3508, 2480), 255, np.uint8)
    for y in range(300, 3200, height_px * 3):
        for x in range(200, 2200, int(height_px * 0.9)):
            cv2.rectangle(page, (x, y), (x + int(height_px * 0.55), y + height_px), 0, 3)
    return np.ascontiguousarray(np.rot90(page)) if turned else page


def test_settings_at_a_lower_resolution_scale_every_pixel_size() -> None:
    half = at_dpi(SETTINGS, 150)
    assert half.dpi == 150
    assert half.min_rule_px == round(SETTINGS.min_rule_px / 2)
    assert half.speck_max_area == round(SETTINGS.speck_max_area / 4)
    assert half.ink_window % 2 == 1
    assert all(getattr(half, name) >= 1 for name in (*LENGTHS, *AREAS))
    assert at_dpi(SETTINGS, SETTINGS.dpi) is SETTINGS


def test_working_resolution_from_the_letter_height() -> None:
    assert working_dpi(_text_page(24), SETTINGS) == SETTINGS.dpi  # ordinary print stays at 300 dpi
    large = working_dpi(_text_page(60), SETTINGS)
    assert SETTINGS.min_dpi <= large < SETTINGS.dpi  # large print is read at less
    assert working_dpi(np.full((3508, 2480), 255, np.uint8), SETTINGS) == SETTINGS.dpi  # nothing to measure


def test_text_running_up_the_page_is_told_from_text_across_it() -> None:
    assert lines_across(255 - _text_page(24), SETTINGS)
    assert not lines_across(255 - _text_page(24, turned=True), SETTINGS)


def test_engines_are_lent_and_kept() -> None:
    with borrowed(SETTINGS) as first:
        pass
    with borrowed(SETTINGS) as again:
        assert again is first  # language data loaded once per process
        with borrowed(SETTINGS) as other:
            assert other is not again  # never two pages on one engine


def test_pages_one_at_a_time_in_a_pool_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = dataclasses.replace(SETTINGS, workers=4)
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert scan.page_threads(settings) == 1
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: None)
    monkeypatch.setattr(os, "getloadavg", lambda: (64.0, 64.0, 64.0))
    assert scan.page_threads(settings) == 1  # every core busy
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert 1 <= scan.page_threads(settings) <= min(4, len(os.sched_getaffinity(0)))
    assert scan.page_threads(dataclasses.replace(SETTINGS, workers=1)) == 1


def test_no_orientation_detection_for_a_page_read_upright(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    lock = threading.Lock()
    real = ocr_engine.Engine.orientation

    def counted(self: ocr_engine.Engine, image: np.ndarray) -> tuple[int, float]:
        with lock:
            calls.append(1)
        return real(self, image)

    monkeypatch.setattr(ocr_engine.Engine, "orientation", counted)
    gray, dpi = next(image_frames(PHOTO, SETTINGS))
    page = resample(gray, dpi, SETTINGS)
    assert scan.read_page(page, 1).turned == 0
    assert calls == []
    assert scan.read_page(np.ascontiguousarray(np.rot90(page, 2)), 1).turned == 180  # read with doubt: OSD
    assert calls == [1]
