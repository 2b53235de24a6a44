"""Page images for OCR: loading, resampling, even light, orientation, skew and perspective.

Every function takes and returns 8-bit grey images (numpy, white paper = 255) at the working
resolution of OcrSettings.dpi.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from parsers.errors import ExtractionError
from parsers.ocr_settings import OcrSettings

A4_LONG_SIDE_IN = 11.69  # an image without a resolution is taken for an A4 sheet
MAX_PAGE_IN = 16.6  # the long side of A3: no plan page is larger
Quad = np.ndarray  # 4 x 2 float32 corners: top-left, top-right, bottom-right, bottom-left


# --- loading ------------------------------------------------------------------------------

def image_frames(path: Path, settings: OcrSettings) -> Iterator[tuple[np.ndarray, float]]:
    """(grey image, dots per inch) for every frame of an image file (multi-page TIFF too), one
    at a time; a frame declaring more pixels than settings.max_image_pixels is refused before
    it is decoded (too_large)."""
    try:
        with Image.open(path) as img:
            for frame in ImageSequence.Iterator(img):
                check_pixels(frame.size, settings)
                upright = ImageOps.exif_transpose(frame)
                yield np.asarray(upright.convert("L")), dpi_of(upright, settings)
    except Image.DecompressionBombError as exc:
        raise ExtractionError("too_large", f"изображение слишком большое: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ExtractionError("corrupt_file", f"изображение не читается: {exc}") from exc


def check_pixels(size: tuple[int, int], settings: OcrSettings) -> None:
    if size[0] * size[1] > settings.max_image_pixels:
        raise ExtractionError("too_large", f"изображение {size[0]}×{size[1]} точек: больше предела "
                              f"{settings.max_image_pixels:,} точек".replace(",", " "))


def dpi_of(img: Image.Image, settings: OcrSettings) -> float:
    dpi = img.info.get("dpi")
    # a stated resolution that makes the image larger than A3 is a default (96 or 72 dpi
    # written by the scanning software), not the scan's: 2528x3507 px "at 96 dpi" is 37 in long;
    # one below min_stated_dpi would blow a small picture up to a poster
    if dpi and float(dpi[0]) >= settings.min_stated_dpi and max(img.size) / float(dpi[0]) <= MAX_PAGE_IN:
        return float(dpi[0])
    return max(img.size) / A4_LONG_SIDE_IN


def pdf_page_images(path: Path, pages: list[int], settings: OcrSettings) -> Iterator[np.ndarray]:
    """The given 1-based pages of a PDF rasterized at settings.dpi, in grey."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ExtractionError("corrupt_file", f"PDF не читается: {exc}") from exc
    try:
        for number in pages:
            if not 1 <= number <= len(document):  # the text reader saw more pages than the renderer
                raise ExtractionError("corrupt_file", f"PDF повреждён: страницы {number} нет среди "
                                      f"{len(document)} страниц, которые удаётся отрисовать")
            try:
                page = document[number - 1]
            except pdfium.PdfiumError as exc:  # the page's object is damaged
                raise ExtractionError("corrupt_file", f"PDF повреждён: страница {number} не читается") from exc
            width, height = page.get_size()  # points
            pixels = (width * settings.dpi / 72) * (height * settings.dpi / 72)
            if pixels > settings.max_page_pixels:
                raise ExtractionError("too_large", f"страница {number}: {width / 72:.0f}×{height / 72:.0f} дюймов, "
                                      f"при {settings.dpi} точках на дюйм больше предела")
            bitmap = page.render(scale=settings.dpi / 72, grayscale=True)
            yield np.asarray(bitmap.to_pil().convert("L"))
    finally:
        document.close()


def glyph_height(gray: np.ndarray, settings: OcrSettings) -> float | None:
    """The median height of the letter-sized blobs of ink on the page (pixels), measured on
    the page at half size; None on a page with too few of them to tell."""
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ink = ink_mask(small, replace(settings, ink_window=max(3, (settings.ink_window // 2) | 1)))
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    # a letter: not a speck, not a rule, not a picture, not a hollow frame
    letters = (h >= 3) & (h <= 60) & (w >= 2) & (w <= 2 * h) & (area >= 0.15 * w * h)
    if np.count_nonzero(letters) < 50:
        return None
    return 2.0 * float(np.median(h[letters]))


def working_dpi(gray: np.ndarray, settings: OcrSettings) -> int:
    """The resolution to read a page at (settings.dpi at most): its letters settings.glyph_px
    high, in steps of 5 dpi."""
    height = glyph_height(gray, settings)
    if height is None:
        return settings.dpi
    dpi = 5 * round(settings.dpi * settings.glyph_px / height / 5)
    return int(min(settings.dpi, max(settings.min_dpi, dpi)))


def resample(gray: np.ndarray, dpi: float, settings: OcrSettings) -> np.ndarray:
    """The image at the working resolution; refused (too_large) when that is more pixels than
    settings.max_page_pixels, before any resize."""
    factor = settings.dpi / dpi
    if gray.shape[0] * gray.shape[1] * factor * factor > settings.max_page_pixels:
        raise ExtractionError("too_large", f"изображение {gray.shape[1]}×{gray.shape[0]} точек при {dpi:.0f} "
                              f"точках на дюйм: страница больше допустимой")
    if abs(factor - 1) < 0.02:
        return gray
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)


# --- light and ink ------------------------------------------------------------------------

def flatten_light(gray: np.ndarray, settings: OcrSettings) -> np.ndarray:
    """The page divided by its background, so that shadows and falling light turn white."""
    small = cv2.resize(gray, None, fx=settings.background_scale, fy=settings.background_scale,
                       interpolation=cv2.INTER_AREA)
    kernel = np.ones((settings.background_kernel, settings.background_kernel), np.uint8)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    # OpenCV's divide instead of numpy's chain of float pages: the same values (truncated), a
    # seventh of the time
    flat = cv2.divide(gray, np.maximum(background, 1), scale=255.0, dtype=cv2.CV_32F)
    return np.minimum(flat, 255.0, out=flat).astype(np.uint8)


def ink_mask(gray: np.ndarray, settings: OcrSettings) -> np.ndarray:
    """255 where there is ink."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 settings.ink_window, settings.ink_offset)


def remove_specks(gray: np.ndarray, ink: np.ndarray, settings: OcrSettings) -> tuple[np.ndarray, np.ndarray]:
    """Dust and noise (ink blobs smaller than any full stop) turned white in both images."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.zeros(n, bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= settings.speck_max_area
    mask = small[labels]
    gray = gray.copy()
    gray[mask] = 255
    ink = ink.copy()
    ink[mask] = 0
    return gray, ink


def clean_page(gray: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The page with everything but the ink (and its antialiased rim) made white: Tesseract's
    own thresholding is misled by paper texture and JPEG noise in large empty areas."""
    rim = cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
    return np.where(rim, gray, 255).astype(np.uint8)


# --- orientation and skew -----------------------------------------------------------------

def turn(gray: np.ndarray, degrees: int) -> np.ndarray:
    """The image turned counter-clockwise by a multiple of 90 degrees."""
    return np.ascontiguousarray(np.rot90(gray, k=(degrees // 90) % 4))


def densest_tile(gray: np.ndarray, settings: OcrSettings) -> np.ndarray:
    """The part of the page with the most ink, for orientation detection: Tesseract's OSD
    takes about a second on a whole page and a third of that on a tile, as sure of itself."""
    h, w = gray.shape
    th, tw = int(h * settings.osd_tile), int(w * settings.osd_tile)
    small = cv2.resize(gray, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    darkness = (255 - small.astype(np.float32))
    sums = cv2.boxFilter(darkness, -1, (max(tw // 8, 1), max(th // 8, 1)), normalize=False,
                         borderType=cv2.BORDER_CONSTANT)
    y, x = np.unravel_index(int(np.argmax(sums)), sums.shape)
    cy, cx = min(max(y * 8, th // 2), h - th // 2), min(max(x * 8, tw // 2), w - tw // 2)
    return np.ascontiguousarray(gray[cy - th // 2:cy + th // 2, cx - tw // 2:cx + tw // 2])


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """The image rotated counter-clockwise about its centre, corners filled white."""
    if abs(degrees) < 1e-3:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=255)


def lines_across(ink: np.ndarray, settings: OcrSettings) -> bool:
    """Whether the lines of text run across the page (upright or upside down) rather than up
    or down it: the row profile of the reduced ink is sharper than its column profile."""
    small = cv2.resize(ink, None, fx=settings.skew_scale, fy=settings.skew_scale, interpolation=cv2.INTER_AREA)
    small = (small > 64).astype(np.float32)
    rows = float(np.square(np.diff(small.sum(axis=1, dtype=np.float64))).sum()) / max(small.shape[1], 1)
    columns = float(np.square(np.diff(small.sum(axis=0, dtype=np.float64))).sum()) / max(small.shape[0], 1)
    return bool(rows >= columns)


def _profile_score(ink: np.ndarray, degrees: float) -> float:
    h, w = ink.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    turned = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = turned.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def skew_angle(ink: np.ndarray, settings: OcrSettings) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines and rules horizontal:
    the angle whose row profile is sharpest, searched coarse then fine."""
    small = cv2.resize(ink, None, fx=settings.skew_scale, fy=settings.skew_scale, interpolation=cv2.INTER_AREA)
    small = (small > 64).astype(np.float32)
    if small.sum() < 100:
        return 0.0
    limit, coarse, fine = settings.max_skew_deg, settings.skew_coarse_step_deg, settings.skew_fine_step_deg
    angles = np.arange(-limit, limit + coarse / 2, coarse)
    best = max(angles, key=lambda a: _profile_score(small, float(a)))
    angles = np.arange(best - coarse, best + coarse + fine / 2, fine)
    return float(max(angles, key=lambda a: _profile_score(small, float(a))))


# --- perspective --------------------------------------------------------------------------

def order_corners(points: np.ndarray) -> Quad:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    pts = points.reshape(4, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


@dataclass(frozen=True)
class Frame:
    """The outline of a table's rules: its corners (top-left, top-right, bottom-right,
    bottom-left) and, for each side from the top one clockwise, whether it runs along a rule."""

    quad: Quad
    ruled: tuple[bool, bool, bool, bool]


def frame_quad(mask: np.ndarray) -> Frame | None:
    """The outline of a table's rules, when it is a quadrilateral."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(outline)
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(approx) != 4:
        return None
    quad = order_corners(approx)
    return Frame(quad, _on_rules(mask, quad))


def _on_rules(mask: np.ndarray, quad: Quad, reach: int = 8,
              share: float = 0.8) -> tuple[bool, bool, bool, bool]:
    """For each side of the outline, whether it runs along rules (within `reach` pixels for
    `share` of its length): where a table's last rule is missing on the scan, or its last
    column is ruled by faint dashes, the hull's side cuts across the cells."""
    h, w = mask.shape
    near = cv2.dilate(mask, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    t = np.linspace(0.0, 1.0, 64)[:, None]
    out: list[bool] = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        points = np.rint(a + (b - a) * t).astype(int)
        xs, ys = np.clip(points[:, 0], 0, w - 1), np.clip(points[:, 1], 0, h - 1)
        out.append(bool(np.count_nonzero(near[ys, xs]) >= share * len(points)))
    return out[0], out[1], out[2], out[3]


def perspective_fix(frame: Frame, settings: OcrSettings) -> np.ndarray | None:
    """The homography that maps the table outline onto an upright rectangle (same top-left
    corner, mean side lengths), or None when the outline is already one. Where a side of the
    outline is no rule, only a turn that levels the top (or else the bottom) rule is trusted:
    a homography to that outline would shear the page."""
    quad = frame.quad
    tl, tr, br, bl = quad
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    if min(width, height) < settings.min_rule_px:  # an outline folded flat (rules along one line) frames nothing
        return None
    if all(frame.ruled):
        offsets = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        target = (offsets + tl).astype(np.float32)
        moved = np.abs(target - quad).max()
        if moved < 2.0 or moved > settings.max_perspective_fix * max(width, height):
            return None
        return cv2.getPerspectiveTransform(quad, target)
    level = (tl, tr) if frame.ruled[0] else (bl, br) if frame.ruled[2] else None
    if level is None:
        return None
    (x0, y0), (x1, y1) = level
    rise = float(y1 - y0)
    if abs(rise) <= 3.0 or abs(rise) > settings.max_perspective_fix * float(x1 - x0):  # a few pixels: level enough
        return None
    turn = cv2.getRotationMatrix2D((float(x0), float(y0)), float(np.degrees(np.arctan2(rise, float(x1 - x0)))), 1.0)
    return np.vstack([turn, [0.0, 0.0, 1.0]])


def warp(gray: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return cv2.warpPerspective(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=255)
