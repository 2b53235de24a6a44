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

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise

import cv2
import numpy as np

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


_BLOCK = 256  # edges compared with all others at once


@dataclass(frozen=True)
class _Edge:
    """One side of a cell on one axis: where its rule runs (the middle of the rule), as the
    cell's box says and at both ends, for a page bent under the scanner lets a rule drift."""

    pos: float  # from the cell's box
    start: float  # along the rule: where the cell begins and ends
    end: float
    at_start: float  # the rule's place at each end
    at_end: float
    high: bool  # the right (bottom) side of its cell
    solid: bool = True  # its cell fills its box: a region of odd shape (cells run together
    # through a gap in a rule) says nothing of where its rules go


def _grid_lines(edges: list[_Edge], cell: list[int], tolerance: float, gap: float,
                drift: float) -> tuple[list[float], list[int]]:
    """The grid lines the edges lie on (places, in order) and each edge's line. Edges are on
    one line when their places are close (single linkage, as for a flat page), when one goes on
    where the other ends across a rule (a rule drifting down a bent page, the cell above's end
    next to the cell below's start) or when they face each other across one rule."""
    n = len(edges)
    parent = list(range(n))
    # each line knows the cells it bounds on either side: no link puts both sides of one cell
    # on one line (a table skewed more than its rows are high would run them together)
    sides = [({cell[i]}, set()) if not edges[i].high else (set(), {cell[i]}) for i in range(n)]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a == b:
            return
        (low_a, high_a), (low_b, high_b) = sides[a], sides[b]
        if (low_a | low_b) & (high_a | high_b):
            return
        parent[a] = b
        sides[b] = (low_a | low_b, high_a | high_b)

    order = sorted(range(n), key=lambda i: edges[i].pos)
    for a, b in pairwise(order):
        if edges[b].pos - edges[a].pos <= tolerance:
            join(a, b)
    start = np.array([e.start for e in edges])
    end = np.array([e.end for e in edges])
    at_start = np.array([e.at_start for e in edges])
    at_end = np.array([e.at_end for e in edges])
    high = np.array([e.high for e in edges])
    # only a solid cell's side that runs nearly straight is followed
    solid = np.array([e.solid for e in edges])
    straight = solid & (np.abs(at_end - at_start) <= np.maximum(tolerance, drift * (end - start)))
    span = np.maximum(end - start, 1.0)

    def place(k: np.ndarray, at: np.ndarray) -> np.ndarray:  # edges k's places at `at` along them
        return np.asarray(at_start[k] + (at_end[k] - at_start[k]) * (at - start[k]) / span[k])

    # edges of one line lie no further apart than two cells' drift: each block of edges (in the
    # order of their places) is compared with those near it only, so dense grids stay cheap
    ranked = np.array(order)
    at = np.array([edges[k].pos for k in order])
    reach = 2 * tolerance + 2 * drift * float(span.max(initial=0.0))
    for first in range(0, n, _BLOCK):
        block = ranked[first:first + _BLOCK, None]
        lo = int(np.searchsorted(at, at[first] - reach, side="left"))
        hi = int(np.searchsorted(at, at[min(first + _BLOCK, n) - 1] + reach, side="right"))
        near = ranked[lo:hi]
        other = near[None, :]
        step = start[other] - end[block]  # from the end of an edge of the block to the start of another
        goes_on = ((high[block] == high[other]) & straight[block] & straight[other] & (step >= 0)
                   & (step <= gap) & (np.abs(at_start[other] - at_end[block]) <= tolerance))
        low, top = np.maximum(start[block], start[other]), np.minimum(end[block], end[other])
        middle = (low + top) / 2  # of the stretch where the two run side by side
        facing = ((high & straight)[block] & (straight & ~high)[other] & (top > low)
                  & (np.abs(place(block, middle) - place(other, middle)) <= tolerance))
        for a, b in zip(*np.nonzero(goes_on | facing), strict=True):
            join(int(block[a, 0]), int(near[b]))
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    lines = sorted((sum(edges[i].pos for i in members) / len(members), root) for root, members in groups.items())
    rank = {root: k for k, (_, root) in enumerate(lines)}
    return [line for line, _ in lines], [rank[find(i)] for i in range(n)]


def _edges(labels: np.ndarray, label: int, box: Box, half: int, fill: tuple[float, float],
           rule: int) -> tuple[_Edge, _Edge, _Edge, _Edge]:
    """A cell's left, right, top and bottom edges, each with the rule's place at both ends:
    measured a quarter in from each end (a bent cell touches its box only at a corner) and
    carried on to the ends in a straight line. The cell is solid when it fills the
    quadrilateral those ends make and its box (the shares `fill` at least)."""
    x0, y0, x1, y1 = box
    region = labels[y0:y1, x0:x1] == label

    def first(line: np.ndarray) -> float:
        return float(np.argmax(line)) if line.any() else 0.0

    def last(line: np.ndarray) -> float:
        return float(len(line) - np.argmax(line[::-1])) if line.any() else float(len(line))

    def ends(length: int, near: np.ndarray, far: np.ndarray, place: Callable[[np.ndarray], float],
             base: int) -> tuple[float, float]:
        a, b = place(near), place(far)
        q0, q1 = length // 4, length - 1 - length // 4
        slope = (b - a) / max(q1 - q0, 1)
        return base + a - q0 * slope, base + b + (length - 1 - q1) * slope

    w, h = x1 - x0, y1 - y0
    rows = region[h // 4], region[h - 1 - h // 4]
    cols = region[:, w // 4], region[:, w - 1 - w // 4]
    left, right = ends(h, *rows, first, x0), ends(h, *rows, last, x0)
    top, bottom = ends(w, *cols, first, y0), ends(w, *cols, last, y0)
    across = (right[0] - left[0] + right[1] - left[1]) / 2
    down = (bottom[0] - top[0] + bottom[1] - top[1]) / 2
    area = float(region.sum())
    solid = area >= fill[0] * across * down and area >= fill[1] * w * h and not _divided(
        region, (max(left) - x0, max(top) - y0, min(right) - x0, min(bottom) - y0), 2 * half, rule)
    return (_Edge(x0 - half, y0, y1, left[0] - half, left[1] - half, False, solid),
            _Edge(x1 + half, y0, y1, right[0] + half, right[1] + half, True, solid),
            _Edge(y0 - half, x0, x1, top[0] - half, top[1] - half, False, solid),
            _Edge(y1 + half, x0, x1, bottom[0] + half, bottom[1] + half, True, solid))


def _divided(region: np.ndarray, inner: tuple[float, float, float, float], margin: int, rule: int) -> bool:
    """Whether a rule runs across most of the region's inside (cells joined where their rules
    stop short of a table's open bottom edge): a line of the inside, away from the edges by
    `margin`, that is more than half outside the region. A rule is at least `rule` long (a
    letter's stroke in a low row is none)."""
    x0, y0, x1, y1 = (int(v) for v in (inner[0] + margin, inner[1] + margin, inner[2] - margin, inner[3] - margin))
    outside = ~region[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]
    if outside.size == 0:
        return False
    across = y1 - y0 >= rule and bool(outside.mean(axis=0).max() > 0.5)
    return across or (x1 - x0 >= rule and bool(outside.mean(axis=1).max() > 0.5))


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
    half = settings.rule_thicken_px + 1  # from a region's edge to the middle of its rule
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if w < settings.min_cell_px or h < settings.min_cell_px:
            continue
        at_side = (x <= half or x + w >= bw - half) and w < settings.max_wedge_share * bw
        if at_side and area < settings.min_cell_fill * w * h:
            continue  # the wedge between a side rule bent on the scan and the closing frame
        regions.append((i, (x, y, x + w, y + h)))
    if len(regions) < 2:
        return None
    fill = settings.solid_cell_fill, settings.solid_box_fill
    sides = [_edges(labels, label, box, half, fill, settings.min_rule_px) for label, box in regions]
    leaked = [k for k, four in enumerate(sides) if not four[0].solid]

    def lines(axis: int) -> tuple[list[float], list[int]]:
        """The grid lines across `axis` (0: columns, 1: rows) and each cell side's line; the
        broken rules inside cells run together are lines too, each its own phantom cell."""
        own = [e for four in sides for e in four[2 * axis:2 * axis + 2]]
        inner = [e for k in leaked for e in _inner_rules(labels, *regions[k], axis, settings.min_rule_px)]
        owner = [k for k in range(len(sides)) for _ in range(2)] + list(range(len(sides), len(sides) + len(inner)))
        return _grid_lines(own + inner, owner, settings.edge_merge_px, settings.edge_merge_px + 2 * half,
                           settings.max_rule_drift)  # the gap: across a rule, thickened on both sides

    (xs, x_index), (ys, y_index) = lines(0), lines(1)
    table = GridTable(box=(x0, y0, x1, y1), xs=[round(x) + x0 for x in xs], ys=[round(y) + y0 for y in ys],
                      labels=labels)
    for k, (label, box) in enumerate(regions):
        if not sides[k][0].solid:
            table.cells += [replace(c, box=_moved(c.box, x0, y0))
                            for c in _leaked_cells(labels, label, box, xs, ys, half, settings)]
            continue
        col, col_end = x_index[2 * k], x_index[2 * k + 1]
        row, row_end = y_index[2 * k], y_index[2 * k + 1]
        if col_end <= col or row_end <= row:
            continue
        table.cells.append(GridCell(row, col, row_end - row, col_end - col, _moved(box, x0, y0), label))
    table.cells.sort(key=lambda c: (c.row, c.col))
    return table


def _moved(box: Box, dx: int, dy: int) -> Box:
    return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The stretches (start, end exclusive) where a row of flags is true."""
    padded = np.concatenate([[False], flags, [False]])
    starts, ends = np.nonzero(padded[1:] & ~padded[:-1])[0], np.nonzero(~padded[1:] & padded[:-1])[0]
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _inner_rules(labels: np.ndarray, label: int, box: Box, axis: int, rule: int, share: float = 0.5) -> list[_Edge]:
    """Rules across a region's inside (axis 0: up and down, 1: across), dashed or broken, as
    edges of their own: rows (columns) of the region's box that are rule over `share` of it,
    where that is at least `rule` long."""
    x, y, x_end, y_end = box
    if (y_end - y if axis == 0 else x_end - x) * share < rule:
        return []
    walls = labels[y:y_end, x:x_end] == 0
    inside = walls.mean(axis=axis) >= share
    inside[[0, -1]] = False  # the region's own edges
    base, start, end = (x, y, y_end) if axis == 0 else (y, x, x_end)
    places = [base + (a + b) / 2 for a, b in _runs(inside)]
    return [_Edge(place, start, end, place, place, False, solid=False) for place in places]


def _nearest(lines: list[float], value: float) -> int:
    return int(np.argmin([abs(line - value) for line in lines]))


def _leaked_cells(labels: np.ndarray, label: int, box: Box, xs: list[float], ys: list[float], half: int,
                  settings: OcrSettings) -> list[GridCell]:
    """The cells of a region that runs through gaps in faint rules (a month's section row, the
    row under it and a column beside them as one odd shape): the region cut along the grid's
    row lines, each row band's stretches between rules a cell, and a cell going on into the
    band below where the region crosses the line between them along most of its width (no
    rule there: a merged cell). Box in the web's own coordinates."""
    x, y, x_end, y_end = box
    out: list[GridCell] = []
    above: dict[tuple[int, int], GridCell] = {}
    for r in range(len(ys) - 1):
        top, bottom = max(round(ys[r]) + half, y), min(round(ys[r + 1]) - half, y_end)
        if bottom - top < settings.min_cell_px:
            continue
        band = labels[top:bottom, x:x_end] == label
        here: dict[tuple[int, int], GridCell] = {}
        for a, b in _runs(band.mean(axis=0) >= 0.5):
            if b - a < settings.min_cell_px:
                continue
            col, col_end = _nearest(xs, x + a - half), _nearest(xs, x + b + half)
            if col_end <= col:
                continue
            prev = above.get((col, col_end))
            line = labels[min(max(round(ys[r]), 0), labels.shape[0] - 1), x + a:x + b] == label  # on the rule
            if prev is not None and line.mean() >= 0.5:  # no rule between: one cell goes on
                grown = replace(prev, row_span=r + 1 - prev.row, box=(prev.box[0], prev.box[1], prev.box[2], bottom))
                out[out.index(prev)] = grown
                here[(col, col_end)] = grown
                continue
            cell = GridCell(r, col, 1, col_end - col, (x + a, top, x + b, bottom), label)
            out.append(cell)
            here[(col, col_end)] = cell
        above = here
    return out


def ruled_tables(ink: np.ndarray, settings: OcrSettings) -> tuple[list[GridTable], np.ndarray]:
    """The ruled tables of a page, top to bottom, and the rule mask."""
    rules = rule_mask(ink, settings)
    tables = [t for t in (grid_of(web, settings, origin) for web, origin in table_webs(rules, settings))
              if t is not None]
    tables.sort(key=lambda t: t.box[1])
    return _rejoin_stacked(tables, rules, settings), rules


def _rejoin_stacked(tables: list[GridTable], rules: np.ndarray, settings: OcrSettings) -> list[GridTable]:
    """Two tables one right under the other, less than a row apart, on the same left rule and
    with most column rules in common, are one table whose row between them lost its side rules
    (the Уссурийск СОШ №30 scan's «Январь» row): the sides are drawn in and the grid read again."""
    out: list[GridTable] = []
    for table in tables:
        above = out[-1] if out else None
        if above is not None and _stacked(above, table, settings):
            x0, y0 = min(above.box[0], table.box[0]), above.box[1]
            x1, y1 = max(above.box[2], table.box[2]), table.box[3]
            web = np.zeros_like(rules)
            web[y0:y1, x0:x1] = rules[y0:y1, x0:x1]
            gap = (above.box[3] - 1, table.box[1] + 1)
            for x in (above.xs[0], min(above.xs[-1], table.xs[-1])):
                cv2.line(web, (int(x), gap[0]), (int(x), gap[1]), 255, 3)
            joined = grid_of(web[y0:y1, x0:x1], settings, (x0, y0))
            if joined is not None and joined.n_rows > above.n_rows + table.n_rows - 1:
                out[-1] = joined
                continue
        out.append(table)
    return out


def _stacked(above: GridTable, below: GridTable, settings: OcrSettings) -> bool:
    gap = below.box[1] - above.box[3]
    if not 0 <= gap <= 2 * settings.min_cell_px or abs(above.xs[0] - below.xs[0]) > settings.edge_merge_px:
        return False
    shared = sum(any(abs(a - b) <= settings.edge_merge_px for b in below.xs[1:-1]) for a in above.xs[1:-1])
    return shared >= max(2, (len(above.xs) - 2) // 2)


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
