"""Table grids on a page image: ruled tables from their rules.

Ruled: the rules are the long horizontal and vertical ink runs (a morphological opening with a
long thin kernel keeps nothing of the letters). Each table is one connected web of rules; its
cells are the white regions the web encloses, so a merged cell is simply a larger region, and
its span follows from which grid lines its edges fall on. OpenCV does this directly: measured
against img2table on the same scans (bench/bench_ocr.py) it keeps merged cells whole and every
empty cell, where img2table splits multi-line cells and drops cells without text.

Unruled tables are found from the words' positions by parsers/unruled.py, the PDF reader's own
algorithm (parsers/scan.py calls it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from parsers.geometry import cluster
from parsers.ocr_settings import OcrSettings

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end exclusive


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    box: Box  # the white region inside the rules
    label: int  # its label in GridTable.labels (0 for unruled cells)


@dataclass
class GridTable:
    box: Box
    xs: list[int]  # grid column lines, n_cols + 1
    ys: list[int]  # grid row lines, n_rows + 1
    cells: list[GridCell] = field(default_factory=list)
    labels: np.ndarray | None = None  # cell labels over `box` (ruled tables)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


# --- ruled --------------------------------------------------------------------------------

def rule_mask(ink: np.ndarray, settings: OcrSettings) -> np.ndarray:
    """255 on the rules of tables (long straight ink runs, small gaps bridged)."""
    out = np.zeros_like(ink)
    for size, bridge in (((settings.min_rule_px, 1), (settings.rule_bridge_px, 1)),
                         ((1, settings.min_vertical_rule_px), (1, settings.rule_bridge_px))):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
        lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
        out |= lines
    return out


def table_webs(rules: np.ndarray, settings: OcrSettings) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """One mask per table: connected webs of rules with both directions, wide enough; each
    cut to its bounding box, with the box's top-left corner on the page."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    min_width = settings.min_table_width * rules.shape[1]
    webs = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w < min_width or h < 2 * settings.min_cell_px:
            continue
        webs.append(((labels[y:y + h, x:x + w] == i).astype(np.uint8) * 255, (x, y)))
    return webs


def _cluster(values: Sequence[float], tolerance: float) -> list[float]:
    """Centres of groups of nearby values."""
    return [sum(g) / len(g) for g in cluster(values, tolerance)]


def _index(lines: list[float], value: float) -> int:
    return int(np.argmin([abs(line - value) for line in lines]))


def grid_of(web: np.ndarray, settings: OcrSettings, origin: tuple[int, int] = (0, 0)) -> GridTable | None:
    """The cells enclosed by one web of rules (a mask whose top-left corner is at `origin` on
    the page), placed on the grid their edges define."""
    bx, by, bw, bh = cv2.boundingRect(web)
    x0, y0, x1, y1 = bx + origin[0], by + origin[1], bx + bw + origin[0], by + bh + origin[1]
    walls = cv2.dilate(web[by:by + bh, bx:bx + bw], np.ones((2 * settings.rule_thicken_px + 1,) * 2, np.uint8))
    # an open edge (a table cut at the page bottom without its last rule) is closed here
    cv2.rectangle(walls, (0, 0), (x1 - x0 - 1, y1 - y0 - 1), 255, settings.rule_thicken_px)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(walls), connectivity=4)
    regions: list[tuple[int, Box]] = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w >= settings.min_cell_px and h >= settings.min_cell_px:
            regions.append((i, (int(x), int(y), int(x + w), int(y + h))))
    if len(regions) < 2:
        return None
    half = settings.rule_thicken_px + 1  # from a region's edge to the middle of its rule
    xs = _cluster([b[0] - half for _, b in regions] + [b[2] + half for _, b in regions], settings.edge_merge_px)
    ys = _cluster([b[1] - half for _, b in regions] + [b[3] + half for _, b in regions], settings.edge_merge_px)
    table = GridTable(box=(x0, y0, x1, y1), xs=[round(x) + x0 for x in xs], ys=[round(y) + y0 for y in ys],
                      labels=labels)
    for label, box in regions:
        col, col_end = _index(xs, box[0] - half), _index(xs, box[2] + half)
        row, row_end = _index(ys, box[1] - half), _index(ys, box[3] + half)
        if col_end <= col or row_end <= row:
            continue
        shifted = (box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0)
        table.cells.append(GridCell(row, col, row_end - row, col_end - col, shifted, label))
    table.cells.sort(key=lambda c: (c.row, c.col))
    return table


def ruled_tables(ink: np.ndarray, settings: OcrSettings) -> tuple[list[GridTable], np.ndarray]:
    """The ruled tables of a page, top to bottom, and the rule mask."""
    rules = rule_mask(ink, settings)
    tables = [t for t in (grid_of(web, settings, origin) for web, origin in table_webs(rules, settings))
              if t is not None]
    tables.sort(key=lambda t: t.box[1])
    return tables, rules


def cell_ink(ink: np.ndarray, table: GridTable, cell: GridCell, settings: OcrSettings) -> np.ndarray:
    """The ink of a cell's white region only (rules and neighbours left out), cell-sized."""
    x0, y0, x1, y1 = cell.box
    region = ink[y0:y1, x0:x1].copy()
    if table.labels is not None and cell.label:
        tx, ty = table.box[0], table.box[1]
        inside = table.labels[y0 - ty:y1 - ty, x0 - tx:x1 - tx] == cell.label
        inside = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8),
                           iterations=settings.cell_inset_px).astype(bool)
        region[~inside] = 0
    else:
        inset = settings.cell_inset_px
        region[:inset, :] = region[-inset:, :] = 0
        region[:, :inset] = region[:, -inset:] = 0
    return region


def crop_ink(clean: np.ndarray, ink: np.ndarray, origin: tuple[int, int],
             settings: OcrSettings) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The clean image around the given ink (a region's mask at `origin`), with a white margin;
    and the page position of the crop's top-left corner. None without ink."""
    ys, xs = np.nonzero(ink)
    if len(ys) < settings.min_ink_pixels:
        return None
    x0, y0 = origin
    top, bottom, left, right = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    crop = clean[y0 + top:y0 + bottom, x0 + left:x0 + right].copy()
    # only this region's ink and its antialiased rim: neighbours' ink inside the box stays out
    rim = cv2.dilate(ink[top:bottom, left:right], np.ones((3, 3), np.uint8)) > 0
    crop[~rim] = 255
    pad = settings.crop_pad_px
    framed = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    return framed, (x0 + left - pad, y0 + top - pad)
