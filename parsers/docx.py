"""Word (.docx) to the layout model.

python-docx opens the package and resolves styles and numbering; the body itself is walked
as XML because python-docx hides what plans rely on: it repeats a merged cell's text in
every column it spans, skips content controls (w:sdt), and mixes deleted with inserted text
under tracked changes.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
import numpy as np
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from parsers.errors import ExtractionError
from parsers.layout import Align, Block, Cell, Document, ListInfo, Paragraph, Row, Table, TextStyle
from parsers.ocr_settings import SETTINGS as OCR
from parsers.ocr_settings import OcrSettings

if TYPE_CHECKING:
    from parsers.options import ParseOptions

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# Containers whose children are read as if they stood in the parent.
TRANSPARENT = {w("ins"), w("moveTo"), w("hyperlink"), w("smartTag"), w("customXml"), w("fldSimple"), w("dir"), w("bdo")}
# Elements whose content is not part of the visible text.
SKIPPED = {w("del"), w("moveFrom"), w("bookmarkStart"), w("bookmarkEnd"), w("proofErr"), w("commentRangeStart"),
           w("commentRangeEnd"), w("permStart"), w("permEnd")}
ALIGNMENTS: dict[str, Align] = {"left": "left", "start": "left", "center": "center", "right": "right",
                                "end": "right", "both": "both", "distribute": "both"}
HEADING_STYLE_PREFIXES = ("heading", "title", "заголовок", "название")


def _on(el: Any | None) -> bool | None:
    """Value of a toggle property such as w:b: None when absent."""
    if el is None:
        return None
    val = el.get(w("val"))
    return val not in ("0", "false", "off")


@dataclass
class StyleInfo:
    bold: bool | None = None
    italic: bool | None = None
    heading: bool = False
    num_id: str | None = None
    ilvl: str | None = None  # the list level a style's numbering puts its paragraphs at


@dataclass
class _Context:
    """What the walk needs from the package: styles and list definitions (with the list
    counters, which advance as the walk meets numbered paragraphs in document order)."""

    styles: dict[str, StyleInfo] = field(default_factory=dict)
    default_para_style: str | None = None
    numbering: _Numbering = field(default_factory=lambda: _Numbering())


def _load_styles(document: Any) -> tuple[dict[str, StyleInfo], str | None]:
    raw: dict[str, Any] = {}
    default: str | None = None
    for st in document.styles.element.findall(w("style")):
        sid = st.get(w("styleId"))
        if sid is None:
            continue
        raw[sid] = st
        if st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true"):
            default = sid

    resolved: dict[str, StyleInfo] = {}

    def resolve(sid: str, depth: int = 0) -> StyleInfo:
        if sid in resolved:
            return resolved[sid]
        st = raw.get(sid)
        info = StyleInfo()
        if st is None or depth > 20:
            return info
        based = st.find(w("basedOn"))
        if based is not None and based.get(w("val")) in raw:
            parent = resolve(based.get(w("val")), depth + 1)
            info = StyleInfo(parent.bold, parent.italic, parent.heading, parent.num_id, parent.ilvl)
        rpr = st.find(w("rPr"))
        if rpr is not None:
            b, i = _on(rpr.find(w("b"))), _on(rpr.find(w("i")))
            info.bold = b if b is not None else info.bold
            info.italic = i if i is not None else info.italic
        name_el = st.find(w("name"))
        name = (name_el.get(w("val")) if name_el is not None else sid) or sid
        ppr = st.find(w("pPr"))
        outline = ppr is not None and ppr.find(w("outlineLvl")) is not None
        if name.lower().startswith(HEADING_STYLE_PREFIXES) or outline:
            info.heading = True
        if ppr is not None:
            numpr = ppr.find(w("numPr"))
            if numpr is not None and numpr.find(w("numId")) is not None:
                info.num_id = numpr.find(w("numId")).get(w("val"))
            if numpr is not None and numpr.find(w("ilvl")) is not None:
                info.ilvl = numpr.find(w("ilvl")).get(w("val"))
        resolved[sid] = info
        return info

    for sid in raw:
        resolve(sid)
    return resolved, default


# --- list numbering ---------------------------------------------------------------------

_MAX_LEVELS = 9
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_RUSSIAN = "абвгдежзиклмнопрстуфхцчшщэюя"  # Word's russianLower: no ё, й, ъ, ы, ь
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_PLACEHOLDER = re.compile(r"%([1-9])")
_UNNUMBERED = ("bullet", "none")
# Bullets drawn in symbol fonts are private-use code points; the character they show.
_SYMBOL_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓", "\uf02d": "–"}


_MAX_COLS = 63  # Word's own limit on a table's columns
_MAX_INT = 100_000  # no count, level start or width in a plan comes near; a file's larger one is noise


def _int(value: str | None, default: int, low: int = -_MAX_INT, high: int = _MAX_INT) -> int:
    """An integer attribute, `default` when it is not one, clamped to [low, high] (a hostile
    "2147483648" must not size anything)."""
    try:
        number = int(value) if value is not None else default
    except ValueError:
        number = default
    return min(max(number, low), high)


def _hex(value: str | None) -> int | None:
    try:
        number = int(value, 16) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 < number <= 0x10FFFF else None


def _val(el: Any, tag: str) -> str | None:
    child = el.find(w(tag))
    return child.get(w("val")) if child is not None else None


@dataclass(frozen=True)
class _Level:
    """One level of a list definition (w:lvl)."""

    start: int = 1
    fmt: str = "decimal"
    text: str = ""  # w:lvlText with %1…%9 placeholders; Word shows nothing when it is absent
    restart: int | None = None  # w:lvlRestart: restarts after a level up to this one (1-based); 0 never
    legal: bool = False  # w:isLgl: the levels it shows are all written as decimals

    @property
    def ordered(self) -> bool:
        return self.fmt not in _UNNUMBERED


def _num_fmt(lvl: Any) -> str:
    """The level's number format. Word 2010 writes formats Word 2007 lacks ("001, 002, ...",
    "а, б, в, ...") as w:numFmt="custom" w:format=…, often inside mc:AlternateContent with a
    plainer fallback beside it: the custom one is used when it is understood."""
    fallback: str | None = None
    for fmt_el in lvl.iter(w("numFmt")):
        value = fmt_el.get(w("val"))
        if value == "custom":
            sample = (fmt_el.get(w("format")) or "").split(",")[0].strip()
            if sample and sample[0].lower() in _RUSSIAN:
                return "russianLower" if sample[0] in _RUSSIAN else "russianUpper"
            if sample.isdigit():
                return f"decimalZero{len(sample)}" if sample.startswith("0") else "decimal"
        elif value is not None and fallback is None:
            fallback = value
    return fallback or "decimal"


def _level(lvl: Any, base: _Level | None = None) -> _Level:
    restart = _val(lvl, "lvlRestart")
    text_el = lvl.find(w("lvlText"))
    return _Level(
        start=_int(_val(lvl, "start"), base.start if base else 1),
        fmt=_num_fmt(lvl) if next(lvl.iter(w("numFmt")), None) is not None else (base.fmt if base else "decimal"),
        text=(text_el.get(w("val")) or "") if text_el is not None else (base.text if base else ""),
        restart=_int(restart, 0) if restart is not None else (base.restart if base else None),
        legal=bool(_on(lvl.find(w("isLgl")))) if lvl.find(w("isLgl")) is not None else bool(base and base.legal),
    )


def _format_number(n: int, fmt: str) -> str:
    if fmt in _UNNUMBERED:
        return ""
    if fmt in ("lowerLetter", "upperLetter", "russianLower", "russianUpper") and n > 0:
        # Word goes a … z, aa … zz, aaa …: the letter repeats rather than counting in base 26.
        letters = _LATIN if fmt.endswith("Letter") else _RUSSIAN
        out = letters[(n - 1) % len(letters)] * ((n - 1) // len(letters) + 1)
        return out.upper() if fmt.startswith("upper") or fmt == "russianUpper" else out
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        out, rest = "", n
        for value, digits in _ROMAN:
            while rest >= value:
                out, rest = out + digits, rest - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt.startswith("decimalZero"):  # decimalZero is two digits; custom "001" ones are wider
        return str(n).zfill(_int(fmt[len("decimalZero"):] or None, 2, 1, 10))
    return str(n)  # decimal, and the formats plans do not use


@dataclass(frozen=True)
class _Num:
    """A list instance (w:num): its definition's levels with overrides applied, the definition
    whose counters it advances, and the levels it restarts (w:startOverride)."""

    levels: dict[int, _Level]
    abstract_id: str
    restarts: frozenset[int] = frozenset()


@dataclass
class _Numbering:
    """List definitions and the running counters that give each numbered paragraph its label.

    Counters belong to the definition (w:abstractNum), not to the instance: instances of one
    definition continue one sequence, and an instance with a w:startOverride restarts it where
    that instance is first used (later paragraphs of the instance continue the shared sequence).
    This is how Word numbers, and LibreOffice renders it the same way."""

    nums: dict[str, _Num] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # instances met so far

    def list_info(self, num_id: str, ilvl: int) -> ListInfo:
        num = self.nums.get(num_id)
        level = num.levels.get(ilvl) if num is not None else None
        if num is None or level is None:
            return ListInfo(level=ilvl, ordered=False)  # a list Word has no definition for shows nothing
        counts = self.counters.setdefault(num.abstract_id, [None] * _MAX_LEVELS)
        if num_id not in self.used:
            self.used.add(num_id)
            for restarted in num.restarts:
                counts[restarted:] = [None] * (_MAX_LEVELS - restarted)

        def start(k: int) -> int:
            return num.levels[k].start if k in num.levels else 1

        for upper in range(ilvl):  # a level shown before any item of it counts as its start
            if counts[upper] is None:
                counts[upper] = start(upper)
        current = counts[ilvl]
        counts[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            restart = num.levels[deeper].restart if deeper in num.levels else None
            if restart is None or ilvl < restart:  # by default any higher level restarts it
                counts[deeper] = None

        def number(match: re.Match[str]) -> str:
            shown = int(match.group(1)) - 1
            shown_level = num.levels.get(shown, _Level())
            value = counts[shown]
            fmt = "decimal" if level.legal and shown_level.ordered else shown_level.fmt
            return _format_number(value if value is not None else start(shown), fmt)

        if level.fmt == "bullet":
            label = "".join(_SYMBOL_BULLETS.get(ch, "•" if "\ue000" <= ch <= "\uf8ff" else ch) for ch in level.text)
        else:
            label = _PLACEHOLDER.sub(number, level.text)
        return ListInfo(level=ilvl, ordered=level.ordered, label=label.strip() or None)


def _load_numbering(document: Any, styles: dict[str, StyleInfo]) -> _Numbering:
    """The list instances of numbering.xml with their definitions' levels."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return _Numbering()
    abstracts: dict[str, Any] = {a.get(w("abstractNumId")) or "": a for a in numbering.findall(w("abstractNum"))}
    num_els: dict[str, Any] = {n.get(w("numId")) or "": n for n in numbering.findall(w("num"))}

    def definition(abstract_id: str, depth: int = 0) -> tuple[str, Any] | None:
        """The abstractNum holding the levels: a definition that only links to a numbering
        style (w:numStyleLink) takes its levels from the list that style numbers with."""
        ab = abstracts.get(abstract_id)
        link = _val(ab, "numStyleLink") if ab is not None else None
        if ab is None or link is None or depth > 5:
            return (abstract_id, ab) if ab is not None else None
        style_num = num_els.get(styles[link].num_id or "") if link in styles else None
        target = _val(style_num, "abstractNumId") if style_num is not None else None
        return definition(target, depth + 1) if target is not None else (abstract_id, ab)

    out = _Numbering()
    for num_id, num in num_els.items():
        found = definition(_val(num, "abstractNumId") or "")
        if found is None:
            continue
        abstract_id, ab = found
        levels: dict[int, _Level] = {}
        for lvl in ab.findall(w("lvl")):
            ilvl = _int(lvl.get(w("ilvl")), 0)
            if 0 <= ilvl < _MAX_LEVELS:
                levels[ilvl] = _level(lvl)
        restarts: set[int] = set()
        for override in num.findall(w("lvlOverride")):
            ilvl = _int(override.get(w("ilvl")), 0)
            if not 0 <= ilvl < _MAX_LEVELS:
                continue
            lvl = override.find(w("lvl"))
            if lvl is not None:
                levels[ilvl] = _level(lvl, levels.get(ilvl))
            start = _val(override, "startOverride")
            if start is not None and ilvl in levels:
                levels[ilvl] = replace(levels[ilvl], start=_int(start, 1))
                restarts.add(ilvl)
        out.nums[num_id] = _Num(levels=levels, abstract_id=abstract_id, restarts=frozenset(restarts))
    return out

# --- paragraphs -------------------------------------------------------------------------

@dataclass
class _Runs:
    text: list[str] = field(default_factory=list)
    bold: list[bool] = field(default_factory=list)  # per non-blank run
    italic: list[bool] = field(default_factory=list)
    in_field_code: int = 0


def _collect(el: Any, para_style: StyleInfo, out: _Runs) -> None:
    for child in el:
        tag = child.tag
        if tag in SKIPPED:
            continue
        if tag == w("r"):
            _collect_run(child, para_style, out)
        elif tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                _collect(content, para_style, out)
        elif tag in TRANSPARENT:
            _collect(child, para_style, out)


def _collect_run(r: Any, para_style: StyleInfo, out: _Runs) -> None:
    rpr = r.find(w("rPr"))
    bold = _on(rpr.find(w("b"))) if rpr is not None else None
    italic = _on(rpr.find(w("i"))) if rpr is not None else None
    pieces: list[str] = []
    for child in r:
        tag = child.tag
        if tag == w("fldChar"):
            kind = child.get(w("fldCharType"))
            if kind == "begin":
                out.in_field_code += 1
            elif kind in ("separate", "end") and out.in_field_code:
                out.in_field_code -= 1
        elif out.in_field_code:
            continue  # field instructions, not shown text
        elif tag == w("t"):
            pieces.append("".join(child.itertext()))  # an entity reference inside keeps the text after it
        elif tag == w("tab"):
            pieces.append("\t")
        elif tag in (w("br"), w("cr")):
            if child.get(w("type")) in (None, "textWrapping"):
                pieces.append("\n")
        elif tag == w("noBreakHyphen"):
            pieces.append("-")
        elif tag == w("sym"):
            code = child.get(w("char"))
            number = _hex(code)
            if number is not None:
                pieces.append(chr(number & 0xFFFF if number < 0xF000 else number - 0xF000))
    text = "".join(pieces)
    out.text.append(text)
    if text.strip():
        out.bold.append(bool(bold if bold is not None else para_style.bold))
        out.italic.append(bool(italic if italic is not None else para_style.italic))


def _paragraph(p: Any, ctx: _Context) -> Paragraph:
    ppr = p.find(w("pPr"))
    style_id = ctx.default_para_style
    align: Align | None = None
    num_id: str | None = None
    ilvl: str | None = None
    if ppr is not None:
        ps = ppr.find(w("pStyle"))
        if ps is not None:
            style_id = ps.get(w("val"))
        jc = ppr.find(w("jc"))
        if jc is not None:
            align = ALIGNMENTS.get(jc.get(w("val")) or "")
        numpr = ppr.find(w("numPr"))
        if numpr is not None:
            nid = numpr.find(w("numId"))
            lvl = numpr.find(w("ilvl"))
            num_id = nid.get(w("val")) if nid is not None else None
            ilvl = lvl.get(w("val")) if lvl is not None else None
    style = ctx.styles.get(style_id or "", StyleInfo())
    num_id = num_id if num_id is not None else style.num_id
    ilvl = ilvl if ilvl is not None else style.ilvl
    runs = _Runs()
    _collect(p, style, runs)
    text = "".join(runs.text).replace("\xa0", " ").replace("\u00ad", "")
    list_info = None
    if num_id is not None and num_id != "0":  # numId 0 switches numbering off (e.g. a style's)
        # Every numbered paragraph advances its list, empty ones too: Word numbers them.
        list_info = ctx.numbering.list_info(num_id, min(max(_int(ilvl, 0), 0), _MAX_LEVELS - 1))
    text_style = TextStyle(bold=bool(runs.bold) and all(runs.bold), italic=bool(runs.italic) and all(runs.italic))
    outline = ppr is not None and ppr.find(w("outlineLvl")) is not None
    return Paragraph(text=text, style=text_style, align=align, heading=style.heading or outline, list=list_info)


# --- tables -----------------------------------------------------------------------------

def _children(el: Any, tag: str) -> Iterator[Any]:
    """Children with this tag, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            inner = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if inner is not None:
                yield from _children(inner, tag)


def _table(tbl: Any, ctx: _Context) -> Table:
    grid = tbl.find(w("tblGrid"))
    n_cols = len(grid.findall(w("gridCol"))) if grid is not None else 0
    table = Table(n_cols=n_cols)
    covering: dict[tuple[int, int], Cell] = {}  # grid position -> cell covering it
    for r_idx, tr in enumerate(_children(tbl, w("tr"))):
        trpr = tr.find(w("trPr"))
        header = trpr is not None and bool(_on(trpr.find(w("tblHeader"))))
        table.rows.append(Row(index=r_idx, header=header))
        col = 0
        if trpr is not None and trpr.find(w("gridBefore")) is not None:
            col = _int(trpr.find(w("gridBefore")).get(w("val")), 0, 0, _MAX_COLS)
        for tc in _children(tr, w("tc")):
            col = _place_cell(tc, r_idx, col, table, covering, ctx)
        table.n_cols = max(table.n_cols, col)
    return table


def _place_cell(tc: Any, r_idx: int, col: int, table: Table, covering: dict[tuple[int, int], Cell],
                ctx: _Context) -> int:
    tcpr = tc.find(w("tcPr"))
    span = 1
    vmerge: str | None = None
    hmerge_continue = False
    if tcpr is not None:
        gs = tcpr.find(w("gridSpan"))
        if gs is not None:
            # clamped to the grid (a cell never spans past the table's declared columns)
            span = _int(gs.get(w("val")), 1, 1, max(table.n_cols - col, 1) if table.n_cols else _MAX_COLS)
        vm = tcpr.find(w("vMerge"))
        if vm is not None:
            vmerge = vm.get(w("val")) or "continue"
        hm = tcpr.find(w("hMerge"))
        hmerge_continue = hm is not None and (hm.get(w("val")) or "continue") == "continue"
    paragraphs, nested = _cell_content(tc, ctx)
    if vmerge == "continue" and (r_idx - 1, col) in covering:
        anchor = covering[(r_idx - 1, col)]
        anchor.row_span = r_idx - anchor.row + 1
        _absorb(anchor, paragraphs, nested)
        target = anchor
    elif hmerge_continue and (r_idx, col - 1) in covering:
        target = covering[(r_idx, col - 1)]
        target.col_span += span
        _absorb(target, paragraphs, nested)
    else:
        target = Cell(row=r_idx, col=col, paragraphs=paragraphs, col_span=span, tables=nested)
        table.cells.append(target)
    for c in range(col, col + span):
        covering[(r_idx, c)] = target
    return col + span


def _absorb(anchor: Cell, paragraphs: list[Paragraph], nested: list[Table]) -> None:
    """Content found in a covered cell (Word keeps an empty paragraph there) joins the anchor."""
    anchor.paragraphs.extend(p for p in paragraphs if not p.is_blank)
    anchor.tables.extend(nested)


def _cell_content(tc: Any, ctx: _Context) -> tuple[list[Paragraph], list[Table]]:
    paragraphs: list[Paragraph] = []
    nested: list[Table] = []
    for block in _blocks(tc, ctx):
        if isinstance(block, Table):
            nested.append(block)
        else:
            paragraphs.append(block)
    return paragraphs, nested


def _blocks(container: Any, ctx: _Context) -> Iterator[Block]:
    for child in container:
        if child.tag == w("p"):
            yield _paragraph(child, ctx)
        elif child.tag == w("tbl"):
            yield _table(child, ctx)
        elif child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _blocks(content, ctx)
        elif child.tag in (w("customXml"), w("ins"), w("moveTo")):
            yield from _blocks(child, ctx)


# --- entry point ------------------------------------------------------------------------

# A damaged package shows itself while parts are read, lazily too: each of these is corrupt_file
_DAMAGED = (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, NotImplementedError,
            etree.XMLSyntaxError)


def parse_docx(path: str | Path, ocr: OcrSettings | None = OCR) -> Document:
    """Read a .docx file into the layout model (raises ExtractionError); `ocr` None: a Word
    file of scanned pictures is refused instead of read. A Strict Open XML package is read
    through its transitional twin (the same XML under the other namespaces)."""
    with tempfile.TemporaryDirectory(prefix="roadmap-docx-") as tmp:
        try:
            source = transitional_copy(Path(path), Path(tmp)) or Path(path)
            document = docx.Document(str(source))
            body = document.element.body if document.element.tag == w("document") else None
            if body is None:
                raise ExtractionError("corrupt_file", "в word/document.xml нет w:document/w:body: это не документ Word "
                                      "или документ в неизвестном пространстве имён")
            styles, default = _load_styles(document)
            ctx = _Context(styles=styles, default_para_style=default, numbering=_load_numbering(document, styles))
            blocks = list(_blocks(body, ctx))
            if not any(_has_text(b) for b in blocks):
                scanned = _scanned_pages(document, ocr)
                if scanned is not None:
                    return scanned
        except _DAMAGED as exc:
            raise ExtractionError("corrupt_file",
                                  f"файл Word повреждён и не читается: {type(exc).__name__}: {exc}") from exc
    return Document(blocks=blocks, format="docx", pages=None)


# Strict Open XML (ISO/IEC 29500 Strict, Word's «Strict Open XML Document») names the same
# elements under purl.oclc.org URIs; the transitional URI of each, as ECMA-376 part 1 lists them
_STRICT = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main": W_NS,
    "http://purl.oclc.org/ooxml/officeDocument/relationships": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/drawingml/main": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing":
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://purl.oclc.org/ooxml/drawingml/picture": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://purl.oclc.org/ooxml/officeDocument/math": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://purl.oclc.org/ooxml/officeDocument/sharedTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/customProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}
_STRICT_MARK = b"http://purl.oclc.org/ooxml/"


def transitional_copy(path: Path, folder: Path) -> Path | None:
    """For a Strict Open XML package, a copy in `folder` with every Strict URI (namespaces and
    relationship types) replaced by its transitional one; None for any other package."""
    with zipfile.ZipFile(path) as zf:
        if "word/document.xml" not in zf.namelist() or _STRICT_MARK not in zf.read("word/document.xml")[:4096]:
            return None
        out = folder / "transitional.docx"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename.endswith((".xml", ".rels")):
                    for strict, transitional in _STRICT.items():
                        data = data.replace(strict.encode(), transitional.encode())
                    # relationship types: .../officeDocument/relationships/<type> → .../2006/relationships/<type>
                    data = data.replace(b"http://purl.oclc.org/ooxml/officeDocument/relationships/",
                                        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/")
                dst.writestr(info, data)
    return out


# --- Word files holding only scanned pages ---------------------------------------------------

_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_V_NS = "urn:schemas-microsoft-com:vml"
_EMU_PER_INCH = 914400
_MIN_IMAGE_INCHES = 3.0  # a smaller picture is a logo or a stamp, not a scanned page


def _has_text(block: Block) -> bool:
    if isinstance(block, Table):
        return any(not c.is_blank or any(_has_text(t) for t in c.tables) for c in block.cells)
    return not block.is_blank


def _images(document: Any) -> Iterator[tuple[bytes, float | None]]:
    """(bytes, dots per inch from the size it is shown at) of each picture, in document order:
    DrawingML pictures and old VML ones (what LibreOffice keeps of a .doc's)."""
    parts = document.part.related_parts
    for el in document.element.body.iter(f"{{{_A_NS}}}blip", f"{{{_V_NS}}}imagedata"):
        rid = el.get(f"{{{_R_NS}}}embed") or el.get(f"{{{_R_NS}}}id")
        if rid not in parts:
            continue
        inches = None
        for parent in el.iterancestors(f"{{{_WP_NS}}}inline", f"{{{_WP_NS}}}anchor"):
            extent = parent.find(f"{{{_WP_NS}}}extent")
            if extent is not None:
                inches = max(int(extent.get("cx", 0)), int(extent.get("cy", 0))) / _EMU_PER_INCH
            break
        yield parts[rid].blob, inches


def _scanned_pages(document: Any, settings: OcrSettings | None) -> Document | None:
    """A Word file with no text but pictures: the pictures are scanned pages, read by OCR in
    document order (None when it has no picture big enough to be a page). Pictures are sized
    from their headers first and decoded one at a time as OCR takes them."""
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    from parsers.ocr_engine import check_available
    from parsers.ocr_image import check_pixels, resample
    from parsers.scan import read_pages

    pages: list[tuple[bytes, float]] = []
    for blob, inches in _images(document):
        try:
            with Image.open(io.BytesIO(blob)) as img:  # the header only: nothing decoded yet
                size, dpi = img.size, img.info.get("dpi")
        except Image.DecompressionBombError as exc:
            raise ExtractionError("too_large", f"рисунок в файле Word слишком большой: {exc}") from exc
        except (UnidentifiedImageError, OSError, SyntaxError):
            continue  # a picture Pillow cannot read (WMF, EMF): not a scan
        if inches is None:
            inches = max(size) / float(dpi[0]) if dpi and float(dpi[0]) > 1 else None
        if inches is None or inches < _MIN_IMAGE_INCHES:
            continue
        check_pixels(size, settings or OCR)
        pages.append((blob, inches))
    if not pages:
        return None
    if settings is None:
        raise ExtractionError("ocr_unavailable", "в файле Word только сканы страниц, а распознавание (OCR) "
                              "выключено настройками")
    check_available(settings)
    ocr = settings

    def frames() -> Iterator[np.ndarray]:
        for blob, inches in pages:
            try:
                with Image.open(io.BytesIO(blob)) as img:
                    gray = np.asarray(ImageOps.exif_transpose(img).convert("L"))
            except (UnidentifiedImageError, OSError, SyntaxError) as exc:
                raise ExtractionError("corrupt_file", f"скан страницы в файле Word не читается: {exc}") from exc
            yield resample(gray, max(gray.shape) / inches, ocr)

    read = read_pages(frames(), None, settings)
    return Document(blocks=[b for p in read for b in p.blocks], format="docx", pages=len(read), ocr=True,
                    warnings=[w for p in read for w in p.warnings])


# The parser interface (parsers.Parser): the detected formats this module reads, and the reader.
FORMATS = frozenset({"docx"})


def read(path: Path, kind: str, options: ParseOptions) -> Document:
    return parse_docx(path, options.ocr_settings if options.ocr else None)
