"""img2table + Tesseract on page images, timing its own CPU: the baseline of bench/bench_ocr.py.

Runs in a virtual environment of its own (img2table pulls opencv-contrib-python, which would
replace the project's opencv-python-headless in the same cv2 package), so it imports nothing
of the project. Made by bench/bench_ocr.py --setup:

    python3 -m venv VENV && VENV/bin/pip install img2table tesserocr==<the project's version>

Tesseract is called through the same binding as ours (tesserocr, the library in process,
rus+eng, LSTM, page segmentation 11 as img2table's own TesseractOCR) or, with --cli, through
img2table's TesseractOCR (the command-line tool, one process per page). Pages one after another.

Usage: VENV/bin/python bench/img2table_child.py [--cli] [--lang rus+eng] --out JSON PNG ...
Writes JSON: {"cpu": seconds, "pages": [[table, ...], ...]}, a table being
{"bbox": [x1, y1, x2, y2], "rows": [[{"bbox": [...], "value": text or null}, ...], ...]}.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
from pathlib import Path
from typing import Any

TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def tesserocr_ocr(lang: str, psm: int = 11) -> Any:
    """An img2table OCR instance reading through tesserocr: one API, language data loaded once."""
    import tesserocr  # type: ignore[import-untyped,unused-ignore]
    from img2table.ocr._types import OCRData, OCRInstance  # type: ignore[import-not-found,unused-ignore]
    from PIL import Image

    folder = os.environ.get("TESSDATA_PREFIX") or next(d for d in TESSDATA if Path(d, "rus.traineddata").is_file())
    api = tesserocr.PyTessBaseAPI(path=folder.rstrip("/") + "/", lang=lang, oem=tesserocr.OEM.LSTM_ONLY)
    api.SetPageSegMode(psm)

    class TesserocrOCR(OCRInstance):  # type: ignore[misc]
        def of(self, document: Any) -> Any:
            records: dict[int, list[dict[str, Any]]] = {}
            for page, image in enumerate(document.images):
                api.SetImage(Image.fromarray(image))
                api.Recognize()
                words: list[dict[str, Any]] = []
                iterator = api.GetIterator()
                level = tesserocr.RIL.WORD
                line = 0
                for word in tesserocr.iterate_level(iterator, level):
                    if word.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
                        line += 1
                    try:
                        text = word.GetUTF8Text(level)
                    except RuntimeError:
                        continue
                    box = word.BoundingBox(level)
                    if box is None:
                        continue
                    x1, y1, x2, y2 = box
                    words.append({"id": f"word_{page}_{len(words)}", "parent": f"line_{page}_{line}",
                                  "value": text.strip() or None, "confidence": int(word.Confidence(level)),
                                  "x1": x1, "y1": y1, "x2": x2, "y2": y2})
                api.Clear()
                if words:
                    records[page] = words
            return OCRData(records=records) if records else None

    return TesserocrOCR()


def table_json(table: Any) -> dict[str, Any]:
    return {"bbox": [table.bbox.x1, table.bbox.y1, table.bbox.x2, table.bbox.y2],
            "rows": [[{"bbox": [c.bbox.x1, c.bbox.y1, c.bbox.x2, c.bbox.y2], "value": c.value} for c in row]
                     for row in table.content.values()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="img2table's TesseractOCR (the command-line tool)")
    parser.add_argument("--lang", default="rus+eng")
    parser.add_argument("--out", type=Path, required=True, help="the JSON goes here (the tool prints to stdout)")
    parser.add_argument("images", nargs="+", type=Path)
    args = parser.parse_args()
    from img2table.document import Image as Img2TableImage  # type: ignore[import-not-found,unused-ignore]

    if args.cli:
        from img2table.ocr import TesseractOCR  # type: ignore[import-not-found,unused-ignore]

        ocr = TesseractOCR(n_threads=1, lang=args.lang)
    else:
        ocr = tesserocr_ocr(args.lang)
    pages = []
    start = cpu_seconds()
    for path in args.images:
        found = Img2TableImage(src=path.read_bytes(), detect_rotation=True).extract_tables(
            ocr=ocr, implicit_rows=False, borderless_tables=False, min_confidence=50)
        pages.append([table_json(t) for t in found])
    cpu = cpu_seconds() - start
    args.out.write_text(json.dumps({"cpu": cpu, "pages": pages}), encoding="utf-8")


if __name__ == "__main__":
    main()
