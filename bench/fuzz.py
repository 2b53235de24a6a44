"""A seeded mutation fuzzer over the sample Word, PDF and image files (issue 15).

    python bench/fuzz.py [--inputs 100000] [--seed 1] [--workers 2] [--timeout 30] [--memory-mb 2048]
                         [--keep DIR]

Each input is a sample with one mutation: bytes flipped, the file cut short, or, inside a Word
package, its XML changed structurally (an element dropped or repeated, an attribute set to a
hostile value, a namespace changed, entity references and huge spans) — and the bombs of
`bomb_inputs`. Every input is extracted in a worker process under a time and memory limit. An
outcome is a plan, the contract's error object (a stable code), a time-out or a memory overrun;
anything else is a traceback and counts as a failure (with --keep, the input is saved there).
Reports inputs tried, outcomes by kind and code, tracebacks, time-outs and the workers' peak
memory. The test suite runs a short pass of the same code (tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import io
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow.batch import worker_context  # noqa: E402 (after the path)

SEEDS = [ROOT / "samples" / name for name in (
    "zima_2024.docx", "tula_2020-2021.docx", "sarov_2021-2022.docx", "khmao_2023.docx", "vilyuisk_2019-2021.docx",
    "zima_2024.pdf", "tula_2020-2021.pdf", "sarov_2021-2022_unruled.pdf")]
IMAGE_SEEDS = [ROOT / "samples" / "scans" / "zima_2024_photo.jpg"]

# hostile attribute values seen to break readers (issue 15) and their kin
HOSTILE_VALUES = ["abc", "-1", "0", "2147483648", "99999999999999999999", "1e9", "", " ", "NaN", "２", "3.5"]
HOSTILE_ATTRS = ["w:gridSpan", "w:val", "w:w", "w:ilvl", "w:numId", "w:vMerge", "w:type"]
NAMESPACE_SWAPS = [
    ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main"),
    ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://example.com/unknown"),
]
_ELEMENT = re.compile(rb"<w:(tc|tr|p|r|t|tbl|gridSpan|vMerge|numPr|body)\b[^>]*?(?:/>|>.*?</w:\1>)", re.DOTALL)
_ATTR = re.compile(rb'(w:(?:gridSpan|val|w|ilvl|numId|vMerge|type))="[^"]*"')


@dataclass(frozen=True)
class Case:
    name: str  # the seed and the mutation, for the report
    data: bytes
    suffix: str


# ---- mutations ------------------------------------------------------------------------------

def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, len(data))]


def _rezip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


def xml_mutation(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One structural change of word/document.xml (or styles/numbering)."""
    part = rng.choice(["word/document.xml"] * 6 + ["word/styles.xml", "word/numbering.xml"])
    kind = rng.choice(["drop", "repeat", "attr", "namespace", "entity", "cut", "span"])

    def change(name: str, xml: bytes) -> bytes:
        if name != part:
            return xml
        if kind in ("drop", "repeat"):
            found = list(_ELEMENT.finditer(xml))
            if not found:
                return xml
            m = rng.choice(found)
            return xml[:m.start()] + (b"" if kind == "drop" else m.group(0) * rng.randint(2, 50)) + xml[m.end():]
        if kind == "attr":
            found = list(_ATTR.finditer(xml))
            if not found:
                return xml
            m = rng.choice(found)
            value = rng.choice(HOSTILE_VALUES).encode()
            return xml[:m.start()] + m.group(1) + b'="' + value + b'"' + xml[m.end():]
        if kind == "namespace":
            old, new = rng.choice(NAMESPACE_SWAPS)
            return xml.replace(old.encode(), new.encode())
        if kind == "entity":
            found = [m.end() for m in re.finditer(rb"<w:t(?: [^>]*)?>", xml)]
            if not found:
                return xml
            at = rng.choice(found)
            return xml[:at] + rng.choice([b"&amp;", b"&lt;", b"&#x41;", b"&#1076;", b"&quot;"]) + xml[at:]
        if kind == "cut":
            return xml[:rng.randrange(1, len(xml))]
        # a span far past the grid
        return re.sub(rb"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="' + rng.choice([b"2147483648", b"100000", b"-5"])
                      + b'"/>', xml, count=rng.randint(1, 3))

    return f"xml:{part.split('/')[-1]}:{kind}", _rezip(data, change)


def mutate(seed: Path, data: bytes, rng: random.Random) -> Case:
    suffix = seed.suffix
    if suffix == ".docx" and rng.random() < 0.6:
        how, mutated = xml_mutation(data, rng)
    elif rng.random() < 0.7:
        how, mutated = "flip", flip_bytes(data, rng)
    else:
        how, mutated = "truncate", truncate(data, rng)
    return Case(f"{seed.name}:{how}", mutated, suffix)


def bomb_inputs() -> Iterator[Case]:
    """The bombs of issue 15, each once per pass."""
    import struct
    import zlib

    def png(width: int, height: int, dpi: int | None = None) -> bytes:
        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        head = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        phys = chunk(b"pHYs", struct.pack(">IIB", round(dpi / 0.0254), round(dpi / 0.0254), 1)) if dpi else b""
        rows = zlib.compress((b"\x00" + b"\xff" * width) * min(height, 50))
        return b"\x89PNG\r\n\x1a\n" + head + phys + chunk(b"IDAT", rows) + chunk(b"IEND", b"")

    yield Case("bomb:png-60000", png(60000, 60000), ".png")
    yield Case("bomb:png-2dpi", png(300, 400, dpi=2), ".png")
    seed = (ROOT / "samples" / "zima_2024.docx").read_bytes()
    yield Case("bomb:docx-gridspan", _rezip(seed, lambda n, x: x.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val='
                                                                        b'"2147483648"/>', 1)), ".docx")
    yield Case("bomb:docx-strict", _rezip(seed, lambda n, x: x.replace(NAMESPACE_SWAPS[0][0].encode(),
                                                                       NAMESPACE_SWAPS[0][1].encode())), ".docx")
    yield Case("bomb:docx-nobody", _rezip(seed, lambda n, x: re.sub(rb"<w:body>.*</w:body>", b"", x, flags=re.DOTALL)
                                          if n == "word/document.xml" else x), ".docx")


def cases(count: int, seed: int, images: bool = True) -> Iterator[Case]:
    rng = random.Random(seed)
    sources = [(p, p.read_bytes()) for p in SEEDS + (IMAGE_SEEDS if images else [])]
    yield from bomb_inputs()
    for _ in range(max(0, count - 5)):
        path, data = rng.choice(sources)
        yield mutate(path, data, rng)


# ---- running --------------------------------------------------------------------------------

@dataclass
class Outcome:
    kind: str  # plan | error | timeout | memory | traceback
    code: str = ""
    detail: str = ""
    peak_kb: int = 0


def run_case(case: Case, timeout: float, memory_mb: int) -> Outcome:
    """One input in this (worker) process, under the limits."""
    from extractor import extract
    from parsers.errors import ERROR_CODES, ExtractionError
    from workflow.limits import deadline, limit_memory

    limit_memory(memory_mb)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / f"input{case.suffix}"
        path.write_bytes(case.data)
        try:
            with deadline(timeout):
                extract(path, {"ocr_settings": {"workers": 1}})
            outcome = Outcome("plan")
        except ExtractionError as exc:
            kind = "timeout" if exc.code == "timeout" else "error"
            outcome = Outcome(kind, exc.code) if exc.code in ERROR_CODES else Outcome("traceback", exc.code)
        except MemoryError:
            outcome = Outcome("memory")
        except Exception:
            outcome = Outcome("traceback", detail=traceback.format_exc(limit=-6))
    outcome.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return outcome


@dataclass
class Report:
    tried: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    tracebacks: list[tuple[str, str]] = field(default_factory=list)
    peak_kb: int = 0
    seconds: float = 0.0

    def add(self, case: Case, outcome: Outcome) -> None:
        self.tried += 1
        self.kinds[outcome.kind] += 1
        if outcome.code:
            self.codes[outcome.code] += 1
        if outcome.kind == "traceback":
            self.tracebacks.append((case.name, outcome.detail))
        self.peak_kb = max(self.peak_kb, outcome.peak_kb)

    def text(self) -> str:
        lines = [f"inputs tried: {self.tried} in {self.seconds:.0f} s",
                 "outcomes: " + ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items())),
                 "error codes: " + ", ".join(f"{k} {n}" for k, n in sorted(self.codes.items())),
                 f"tracebacks: {len(self.tracebacks)}; time-outs: {self.kinds['timeout']}; "
                 f"memory overruns: {self.kinds['memory']}; peak memory of a worker: {self.peak_kb // 1024} MB"]
        for name, detail in self.tracebacks[:10]:
            lines.append(f"--- {name}\n{detail}")
        return "\n".join(lines)


def fuzz(count: int, seed: int, workers: int, timeout: float, memory_mb: int, keep: Path | None = None,
         images: bool = True, report: Report | None = None) -> Report:
    """Runs the pass into `report` (a new one by default), which holds what ran so far if the
    pass is stopped."""
    report = report if report is not None else Report()
    start = time.monotonic()
    # fresh workers every FRESH_EVERY inputs, so that a leak in one input does not show up as
    # another's; a new pool each time (the pool's own max_tasks_per_child hung a long pass)
    batch: list[Case] = []
    try:
        for case in cases(count, seed, images):
            batch.append(case)
            if len(batch) >= workers * FRESH_EVERY:
                _run_pool(batch, workers, timeout, memory_mb, report, keep)
                batch = []
        _run_pool(batch, workers, timeout, memory_mb, report, keep)
    finally:
        report.seconds = time.monotonic() - start
    return report


FRESH_EVERY = 25


def _run_pool(batch: list[Case], workers: int, timeout: float, memory_mb: int, report: Report,
              keep: Path | None) -> None:
    if batch:
        # the batch's own start method: a worker forked from a large parent (the test run)
        # would inherit its address space and hit the memory cap on the first allocation
        with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context()) as pool:
            _run(pool, batch, timeout, memory_mb, report, keep)


def _run(pool: ProcessPoolExecutor, batch: list[Case], timeout: float, memory_mb: int, report: Report,
         keep: Path | None) -> None:
    futures = [pool.submit(run_case, case, timeout, memory_mb) for case in batch]
    for case, future in zip(batch, futures, strict=True):
        try:
            outcome = future.result()
        except Exception as exc:  # the worker died: a crash in native code
            outcome = Outcome("traceback", detail=f"worker died: {type(exc).__name__}: {exc}")
        report.add(case, outcome)
        if outcome.kind == "traceback" and keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{report.tried:06d}{case.suffix}").write_bytes(case.data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--memory-mb", type=int, default=2048)  # address space; resident memory stays lower
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--no-images", action="store_true", help="leave out the photo (OCR is the slow part)")
    args = parser.parse_args()
    # a long pass stopped (Ctrl-C, kill) still reports what it tried
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    report = Report()
    try:
        fuzz(args.inputs, args.seed, args.workers, args.timeout, args.memory_mb, args.keep, not args.no_images, report)
    except KeyboardInterrupt:
        print(f"stopped after {report.tried} of {args.inputs} inputs")
    print(report.text())
    return 1 if report.tracebacks or report.kinds["memory"] else 0


if __name__ == "__main__":
    sys.exit(main())
