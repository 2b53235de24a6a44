"""Hostile and broken inputs give the contract's error object with a stable code, in bounded
memory (issue 15): pixel bombs, absurd resolutions, giant PDF pages, Word packages that inflate
to gigabytes. Each file is built here, byte by byte where the libraries would refuse to."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from extractor import extract
from extractor.output import to_json
from parsers.errors import ExtractionError
from parsers.ocr_image import image_frames, resample
from parsers.ocr_settings import SETTINGS
from tests.conftest import golden, sample_path


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring width×height grey pixels, with one compressed row of data (a bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\xff" * min(width, 1000))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _error(path: Path) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract(path)
    return info.value


def test_a_pixel_bomb_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(60000, 60000))
    error = _error(path)
    assert error.code == "too_large"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_large_image_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_png_header_only(12000, 11000))  # 132 M pixels: under PIL's bomb limit, over ours
    with pytest.raises(ExtractionError) as info:
        next(image_frames(path, SETTINGS))
    assert info.value.code == "too_large" and "12000×11000" in info.value.message


def test_a_tiny_stated_resolution_is_not_believed(tmp_path: Path) -> None:
    """A picture claiming 2 dpi would be blown up 150×; it is taken as an A4 sheet instead."""
    path = tmp_path / "two-dpi.png"
    Image.new("L", (1240, 1754), 255).save(path, dpi=(2, 2))
    ((gray, dpi),) = list(image_frames(path, SETTINGS))
    assert dpi == pytest.approx(1754 / 11.69)
    assert resample(gray, dpi, SETTINGS).shape[0] == pytest.approx(3508, abs=2)
    error = _error(path)
    assert error.code != "too_large"  # a blank page: a plan is not found, memory stays small


def test_resample_refuses_a_page_too_large_before_resizing() -> None:
    small = np.full((1000, 1000), 255, dtype=np.uint8)
    with pytest.raises(ExtractionError) as info:
        resample(small, 10.0, SETTINGS)  # 30× up: 900 M pixels
    assert info.value.code == "too_large"


def test_a_giant_pdf_page_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "giant.pdf"
    pdf = pypdfium2.PdfDocument.new()
    page = pdf.new_page(200 * 72, 200 * 72)  # 200 × 200 inches, no text: OCR would render it
    image = pypdfium2.PdfImage.new(pdf)
    bitmap = pypdfium2.PdfBitmap.from_pil(Image.new("L", (100, 100), 128).convert("RGB"))
    image.set_bitmap(bitmap)
    image.set_matrix(pypdfium2.PdfMatrix().scale(200 * 72, 200 * 72))
    page.insert_obj(image)
    page.gen_content()
    pdf.save(path)
    error = _error(path)
    assert error.code in ("too_large", "ocr_unavailable") and "дюймов" in error.message


def test_a_word_package_that_inflates_to_gigabytes_is_too_large(tmp_path: Path) -> None:
    """A real sample with a document.xml padded by 600 MB of spaces (compressed to about 600 KB)."""
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(sample_path("zima_2024")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                with dst.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(data[:-len(b"</w:document>")])
                    chunk = b" " * (1 << 20)
                    for _ in range(600):
                        fh.write(chunk)
                    fh.write(b"</w:document>")
            else:
                dst.writestr(info, data)
    assert path.stat().st_size < 5 * 2**20
    error = _error(path)
    assert error.code == "too_large" and "МБ" in error.message


def test_a_compression_ratio_alone_gives_it_away(tmp_path: Path) -> None:
    path = tmp_path / "ratio.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(sample_path("zima_2024")) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", b"\x00" * (64 * 2**20))  # 64 MB of zeros: about 64 KB packed
    path.write_bytes(buffer.getvalue())
    error = _error(path)
    assert error.code == "too_large" and "padding.bin" in error.message


# --- Word packages with hostile XML ---------------------------------------------------------

W_NS = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TRANSITIONAL_TO_STRICT = {
    W_NS: b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def _rewritten(tmp_path: Path, name: str, change: Callable[[str, bytes], bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(sample_path("zima_2024")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return path


def _comparable(plan: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in plan.items() if k not in ("source", "quality")}


def test_strict_open_xml_reads_as_its_transitional_twin(tmp_path: Path) -> None:
    """Word's «Strict Open XML Document»: the same XML under purl.oclc.org namespaces (and
    relationship types); it gives the sample's golden plan."""
    def strict(name: str, data: bytes) -> bytes:
        for old, new in TRANSITIONAL_TO_STRICT.items():
            data = data.replace(old, new)
        return data

    path = _rewritten(tmp_path, "strict.docx", strict)
    assert b"purl.oclc.org" in zipfile.ZipFile(path).read("word/document.xml")
    got = json.loads(to_json(extract(path)))
    assert _comparable(got) == _comparable(golden("zima_2024"))


@pytest.mark.parametrize("value", [b"abc", b"2147483648", b"-3", b"", b"99999999999999999999"])
def test_a_hostile_grid_span_is_clamped(tmp_path: Path, value: bytes) -> None:
    def spans(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        return data.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="' + value + b'"/>', 3)

    plan = extract(_rewritten(tmp_path, "span.docx", spans))
    assert len(plan.activities) >= 20  # the plan is read; the first cells are clamped to the grid


@pytest.mark.parametrize(("name", "change"), [
    ("nobody", lambda n, d: re.sub(rb"<w:body>.*</w:body>", b"", d, flags=re.DOTALL) if n == "word/document.xml"
     else d),
    ("unknown-namespace", lambda n, d: d.replace(W_NS, b"http://example.com/unknown") if n == "word/document.xml"
     else d),
])
def test_a_document_part_without_a_word_body_is_corrupt(tmp_path: Path, name: str,
                                                      change: Callable[[str, bytes], bytes]) -> None:
    error = _error(_rewritten(tmp_path, f"{name}.docx", change))
    assert error.code == "corrupt_file" and "w:body" in error.message


def test_text_after_an_entity_reference_is_kept(tmp_path: Path) -> None:
    """An internal entity is never expanded (its reference stays as written), and the words after
    it in the run are kept: they were dropped before."""
    title = golden("zima_2024")["activities"][0]["title"]
    head, tail = title.split(" ", 1)

    def entity(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        data = data.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY x "X">]>', 1)
        assert title.encode() in data
        return data.replace(title.encode(), f"{head} &x; {tail}".encode(), 1)

    plan = extract(_rewritten(tmp_path, "entity.docx", entity))
    assert plan.activities[0].title == f"{head} &x; {tail}"


def test_a_damaged_deflate_stream_is_corrupt(tmp_path: Path) -> None:
    """Bytes flipped inside the compressed document.xml: zlib's error is the file's, not a traceback."""
    data = bytearray(sample_path("zima_2024").read_bytes())
    with zipfile.ZipFile(sample_path("zima_2024")) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(40, 60):
        data[start + k] ^= 0x5A
    path = tmp_path / "deflate.docx"
    path.write_bytes(bytes(data))
    assert _error(path).code == "corrupt_file"


def test_a_zip_naming_an_unknown_version_is_corrupt(tmp_path: Path) -> None:
    """Found by bench/fuzz.py: a flipped byte made the central directory ask for zip version 9.4,
    and the standard library's NotImplementedError escaped."""
    data = bytearray(sample_path("zima_2024").read_bytes())
    at = data.index(b"PK\x01\x02")
    data[at + 6:at + 8] = (94).to_bytes(2, "little")  # "version needed to extract"
    path = tmp_path / "version.docx"
    path.write_bytes(bytes(data))
    assert _error(path).code == "corrupt_file"


def test_a_page_the_renderer_does_not_see_is_corrupt(tmp_path: Path) -> None:
    """Found by bench/fuzz.py (3,000 inputs, seed 11): in a mutated PDF the text reader counted
    five pages and the renderer one, and asking the renderer for page 2 escaped as ValueError."""
    from parsers.ocr_image import pdf_page_images

    path = tmp_path / "one.pdf"
    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.save(path)
    with pytest.raises(ExtractionError) as caught:
        list(pdf_page_images(path, [2], SETTINGS))
    assert caught.value.code == "corrupt_file" and "страницы 2 нет" in caught.value.message


def test_a_page_the_renderer_cannot_load_is_corrupt(tmp_path: Path) -> None:
    """Found by bench/fuzz.py (3,000 inputs, seed 11): a flipped byte in a page object's
    header («4 0 obj» of the Зима PDF) and pdfium's PdfiumError («Failed to load page») escaped."""
    from parsers.ocr_image import pdf_page_images

    data = bytearray(sample_path("zima_2024").with_suffix(".pdf").read_bytes())
    at = data.index(b"\n4 0 obj") + len(b"\n4 0 ")
    data[at] = 0xF8  # the byte the fuzzer changed
    path = tmp_path / "flipped.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(ExtractionError) as caught:
        list(pdf_page_images(path, [1, 2, 3, 4], SETTINGS))
    assert caught.value.code == "corrupt_file"


def test_a_text_line_of_no_height_measures_nothing(tmp_path: Path) -> None:
    """Found by bench/fuzz.py (2,000 inputs, seed 12): four flipped bytes in the unruled Саров
    PDF's compressed streams left a paragraph box of no height, and the split-row test divided
    by it (ZeroDivisionError)."""
    data = bytearray(sample_path("sarov_2021-2022_unruled").with_suffix(".pdf").read_bytes())
    for at, value in ((5542, 52), (21743, 54), (23667, 27), (26920, 143)):  # the fuzzer's flips
        data[at] = value
    path = tmp_path / "flipped.pdf"
    path.write_bytes(bytes(data))
    try:
        plan = extract(path, {"ocr": False})
    except ExtractionError as exc:  # the contract's error object is as good as a plan here
        assert exc.code in ("corrupt_file", "no_plan_table", "ocr_unavailable")
    else:
        assert plan.activities



def test_a_page_box_of_two_numbers_is_a_corrupt_file(tmp_path: Path) -> None:
    """Found by bench/fuzz.py (10,000 inputs, seed 15): a page whose MediaBox holds two numbers
    made pdfplumber's page raise IndexError while the pages were built, and again when the file
    was closed. Here every page of Зима gets «[0 0]», padded to the same length so the
    cross-reference offsets stay true."""
    data = sample_path("zima_2024").with_suffix(".pdf").read_bytes()
    box = b"/MediaBox[0 0 595.303937007874 841.889763779528]"
    assert box in data
    path = tmp_path / "two_numbers.pdf"
    path.write_bytes(data.replace(box, b"/MediaBox[0 0]".ljust(len(box))))
    with pytest.raises(ExtractionError) as caught:
        extract(path, {"ocr": False})
    assert caught.value.code == "corrupt_file"
