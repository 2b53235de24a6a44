"""Every tolerance of the OCR path, named once. Pixel sizes are at `dpi` (300); a page read at
a lower working resolution gets them scaled (`at_dpi`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from parsers.unruled import UnruledSettings


@dataclass(frozen=True)
class OcrSettings:
    dpi: int = 300  # pages are rasterized / resampled to this before anything else
    # then a page whose letters (the median height of letter-sized ink blobs) are higher than
    # this is read at the resolution that makes them this high: pixels above it are work for
    # the clean-up, the grid and Tesseract's layout analysis. Measured on the sample scans
    # (letters 24-26 px at 300 dpi): at 17-22 px Tesseract misreads more («ЦНППМ» as «ЦНИИМ»,
    # parties on Тула 95 % -> 86-90 %), so only larger print is reduced
    glyph_px: float = 30.0
    min_dpi: int = 150
    languages: str = "rus+eng"  # Russian text, Latin letters of the odd abbreviation
    workers: int = max(1, min(os.cpu_count() or 1, 4))  # pages OCR'd in parallel

    # bounds: memory per page does not depend on what a file declares
    max_image_pixels: int = 120_000_000  # an image file larger than this is refused (A3 at 600 dpi is 70 M)
    max_page_pixels: int = 36_000_000  # a page at `dpi`: twice A3 at 300 dpi; a larger one is refused
    min_stated_dpi: float = 50.0  # a stated resolution below this is not a scan's (taken as an A4 sheet)

    # light: the page divided by its own background (a closing wider than any glyph)
    background_scale: float = 0.25
    background_kernel: int = 15  # at background_scale: 60 px, 5 mm at 300 dpi
    ink_window: int = 31  # adaptive threshold window, px
    ink_offset: int = 20  # grey levels below the local mean that count as ink
    speck_max_area: int = 20  # px; a full stop of 10 pt text has about 40

    # orientation and skew
    osd_min_confidence: float = 2.0  # Tesseract OSD confidence needed to turn a page
    upright_confidence: float = 70.0  # a page read upright with this mean word confidence is upright
    osd_tile: float = 0.18  # side of the inkiest tile OSD looks at, as a share of the page's
    max_skew_deg: float = 5.0
    skew_coarse_step_deg: float = 0.5
    skew_fine_step_deg: float = 0.05
    skew_scale: float = 0.15  # the skew search works on a reduced page
    max_perspective_fix: float = 0.08  # a frame corner moved by more than this share is not trusted

    # ruled tables
    min_rule_px: int = 80  # shortest horizontal rule: 6.8 mm, longer than any dash of 14 pt text
    min_vertical_rule_px: int = 45  # a one-line row of 10 pt text is about 55 px high
    rule_bridge_px: int = 15  # gaps in a rule (noise, blur) bridged
    rule_thicken_px: int = 3  # rules grown by this so that cells never leak into each other
    min_table_width: float = 0.2  # share of the page width
    min_cell_px: int = 15  # a free region smaller than this either way is a gap in a rule
    edge_merge_px: int = 14  # cell edges this close lie on one grid line
    solid_cell_fill: float = 0.9  # a cell filling this share of its corners' outline
    solid_box_fill: float = 0.75  # and of its box shows where its rules run (a bent cell fills less of its box)
    max_rule_drift: float = 0.05  # a rule on a bent page moves sideways by at most this share of a cell
    min_cell_fill: float = 0.6  # a narrow region at a table's side filling less of its box
    max_wedge_share: float = 0.1  # (this share of the table's width) is no cell but a bent rule's wedge
    cell_inset_px: int = 2  # kept away from the rules when cropping a cell

    # text
    min_ink_pixels: int = 25  # a cell or region with less ink holds no text
    noise_word_confidence: float = 70.0  # a word without letters or digits read below this is noise
    junk_confidence: float = 5.0  # a word read this unsure, standing apart at a line's end, is a mark
    junk_gap_px: int = 90  # 7.5 mm: ... apart by this much (a stamp or a signature beside a heading)
    crop_pad_px: int = 12  # white margin around a crop (Tesseract wants one)
    short_cell_max_width: float = 4.0  # ink width / line height of a cell read again alone
    low_confidence: float = 55.0  # mean word confidence below this gives a warning
    reread_confidence: float = 80.0  # a short cell read below this is read again
    number_column_share: float = 0.4  # body cells that look like item numbers, of a number column
    line_overlap: float = 0.5  # words sharing this share of height are on one line
    paragraph_pitch: float = 2.2  # lines further apart than this many line heights are two paragraphs
    align_tolerance_px: int = 40  # 3.4 mm: flush or centred within this
    bold_stroke_ratio: float = 1.3  # stroke width against the page's body text that makes bold
    repair_min_length: int = 4  # shorter words are never repaired
    max_word_pieces: int = 4  # a word Tesseract cut into more pieces than this stays cut
    hyphen_max_ratio: float = 0.45  # dash length / line height: hyphen below, en dash above
    en_dash_max_ratio: float = 0.8  # and em dash above this
    repair_score: float = 80.0  # rapidfuzz ratio needed for a vocabulary repair

    blank_max_height_px: int = 12  # a line of underscores ("от _____ № _____") is thinner
    blank_max_width_px: int = 900  # and shorter than a table rule (7.6 cm)
    underscore_px: int = 25  # width of one "_" of 12 pt text

    # unruled tables (parsers/unruled.py, the PDF reader's algorithm; its sizes here in pixels)
    column_gap_px: int = 30  # 2.5 mm of white between two columns of text (twice a word space)
    column_edge_px: int = 12  # 1 mm: pieces starting this close start the same column (a PDF's 2.5 pt
    # and the few pixels a deskewed scan's word boxes wander)
    column_padding_px: int = 22  # Word's 0.19 cm between a column's text and its invisible border
    min_table_lines: int = 3  # lines with several columns that make an unruled table
    min_columns: int = 3
    wrap_space: float = 1.5  # a line wrapped when its first word and this many spaces did not fit above
    table_gap_lines: float = 2.0  # a blank this many lines high ends an unruled table (OCR boxes are
    # glyph-tight, lower than a text layer's lines: a header row over a one-column row is 1.7 apart)
    missed_join_px: int = 25  # ink this close together is one piece of missed text


# lengths in pixels (and areas in square pixels) at `dpi`, scaled by at_dpi
LENGTHS = ("background_kernel", "ink_window", "min_rule_px", "min_vertical_rule_px", "rule_bridge_px",
           "rule_thicken_px", "min_cell_px", "edge_merge_px", "cell_inset_px", "crop_pad_px", "align_tolerance_px",
           "blank_max_height_px", "blank_max_width_px", "underscore_px", "column_gap_px", "column_edge_px",
           "junk_gap_px", "column_padding_px", "missed_join_px")
AREAS = ("speck_max_area", "min_ink_pixels")


def at_dpi(settings: OcrSettings, dpi: int) -> OcrSettings:
    """The settings for a page image at `dpi` instead of settings.dpi: every pixel size scaled."""
    if dpi == settings.dpi:
        return settings
    factor = dpi / settings.dpi
    changes: dict[str, float] = {name: max(1, round(getattr(settings, name) * factor)) for name in LENGTHS}
    changes |= {name: max(1, round(getattr(settings, name) * factor * factor)) for name in AREAS}
    changes["ink_window"] = max(3, int(changes["ink_window"]) | 1)  # an odd window
    changes["skew_scale"] = min(1.0, settings.skew_scale / factor)  # the same reduced page for the skew search
    return replace(settings, dpi=dpi, **changes)  # type: ignore[arg-type]


def unruled_settings(settings: OcrSettings) -> UnruledSettings:
    """The unruled-table finder's sizes for a scan: pixels at the page's resolution, no font size."""
    return UnruledSettings(gap_em=0.0, gap=settings.column_gap_px, edge_tolerance=settings.column_edge_px,
                           padding=settings.column_padding_px, min_columns=settings.min_columns,
                           min_table_lines=settings.min_table_lines, max_gap_lines=settings.table_gap_lines)


SETTINGS = OcrSettings()
