"""The OCR path of an earlier git revision or of the working tree, run in a child process that
times its own CPU: shared by bench/profile_ocr.py and bench/bench_ocr.py.

A revision's OCR modules (parsers/scan.py, parsers/ocr_*.py) are served from `git show REV:path`
by an import hook, everything else is today's code, so "today" and "now" differ only in the OCR
path and are measured in the same run on the same inputs.

CPU is process time (every thread, Tesseract included) plus that of child processes
(LibreOffice for .doc), from resource.getrusage: the machine is shared, so wall time says
little. Stages are timed per thread with time.thread_time, each second counted in one stage
only (the innermost one running).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TODAY = "37bedc6"  # the commit before issue 16's work on the OCR path: "today"
OCR_MODULES = ("parsers.scan", "parsers.ocr_engine", "parsers.ocr_grid", "parsers.ocr_image", "parsers.ocr_settings",
               "parsers.ocr_text")
SCANS = ROOT / "samples" / "scans"
REAL_ENV = "ROADMAP_REAL_CORPUS"


def real_corpus() -> Path:
    value = os.environ.get(REAL_ENV)
    return Path(value) if value else ROOT.parent / "shared" / "real-corpus"


def sample_inputs() -> list[Path]:
    """The scans of the ruled samples (the README's figures are measured on these 41 pages; the
    unruled samples' scans are measured by tests/test_scan.py)."""
    return [*sorted(p for p in SCANS.glob("*.pdf") if not p.stem.endswith("_unruled")), SCANS / "zima_2024_photo.jpg",
            SCANS / "sarov_2021-2022.tiff"]


def real_inputs() -> list[Path]:
    """The scans of the real corpus, read in place: "scan" in the name, JPEG pages, and the
    Word files that hold scanned pictures."""
    folder = real_corpus()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and ("scan" in p.name.lower() or p.suffix.lower() in (".jpg", ".jpeg")))


# --- an earlier revision's OCR modules --------------------------------------------------------

class _RevisionFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the OCR modules from a git revision."""

    def __init__(self, rev: str) -> None:
        self.rev = rev

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in OCR_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=f"{self.rev}:{self._path(fullname)}")

    @staticmethod
    def _path(fullname: str) -> str:
        return fullname.replace(".", "/") + ".py"

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{self.rev}:{self._path(module.__name__)}"],
                                check=True, capture_output=True, text=True).stdout
        module.__file__ = f"<{self.rev}>/{self._path(module.__name__)}"
        exec(compile(source, module.__file__, "exec"), module.__dict__)


def use_revision(rev: str | None) -> None:
    """Import the OCR modules of `rev` (None: the working tree) from now on."""
    if rev is not None:
        sys.meta_path.insert(0, _RevisionFinder(rev))
    sys.path.insert(0, str(ROOT))


# --- CPU and memory ------------------------------------------------------------------------

def cpu_seconds() -> float:
    """CPU of this process (all threads) and of its finished children, user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def children_seconds() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """The highest resident size while a piece of work runs, sampled every few milliseconds."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.start = self.peak = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = rss_mb()
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.start


# --- stages --------------------------------------------------------------------------------

STAGES = ("render", "clean-up", "orientation (OSD)", "grid", "cell OCR", "re-reads", "page text OCR", "repair",
          "page assembly")

# (module, attribute, stage): the functions each stage is made of, today's and ours (a name a
# revision lacks is skipped). Nested calls count in the innermost stage.
STAGE_FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    ("parsers.ocr_image", "pdf_page_images", "render"),
    ("parsers.ocr_image", "image_frames", "render"),
    ("parsers.ocr_image", "resample", "render"),
    ("parsers.scan", "pdf_page_images", "render"),
    ("parsers.scan", "image_frames", "render"),
    ("parsers.scan", "resample", "render"),
    ("parsers.scan", "flatten_light", "clean-up"),
    ("parsers.scan", "ink_mask", "clean-up"),
    ("parsers.scan", "skew_angle", "clean-up"),
    ("parsers.scan", "rotate", "clean-up"),
    ("parsers.scan", "turn", "clean-up"),
    ("parsers.scan", "remove_specks", "clean-up"),
    ("parsers.scan", "warp", "clean-up"),
    ("parsers.scan", "clean_page", "clean-up"),
    ("parsers.scan", "densest_tile", "clean-up"),
    ("parsers.scan", "lines_across", "clean-up"),
    ("parsers.ocr_image", "glyph_height", "clean-up"),
    ("parsers.scan", "working_dpi", "clean-up"),
    ("parsers.scan", "ruled_tables", "grid"),
    ("parsers.scan", "frame_quad", "grid"),
    ("parsers.scan", "perspective_fix", "grid"),
    ("parsers.scan", "unruled_table", "grid"),
    ("parsers.scan", "with_blank_fields", "grid"),
    ("parsers.scan", "_body_stroke", "grid"),
    ("parsers.scan", "cell_ink", "grid"),
    ("parsers.scan", "crop_ink", "grid"),
    ("parsers.scan", "read_cell", "cell OCR"),
    ("parsers.scan", "read_cells", "cell OCR"),
    ("parsers.scan", "_reread_numbers", "re-reads"),
    ("parsers.scan", "recover_missed", "re-reads"),
    ("parsers.scan", "reread_doubtful", "re-reads"),
    ("parsers.scan", "_page_lines", "page text OCR"),
    ("parsers.scan", "paragraphs", "repair"),
    ("parsers.scan", "clean_lines", "repair"),
    ("parsers.scan", "sort_lines", "repair"),
    ("parsers.scan", "read_page", "page assembly"),  # what the page's own code does between stages
    ("parsers.scan", "_read_one", "page assembly"),
    ("parsers.scan", "settle_open_pages", "page assembly"),
    ("parsers.scan", "_ruled_to_layout", "page assembly"),
    ("parsers.scan", "_unruled_to_layout", "page assembly"),
    ("parsers.scan", "stroke_width", "page assembly"),
)


class StageClock:
    """CPU seconds per stage, summed over threads; a call nested in another stage's call is
    taken out of the outer one."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.calls: dict[str, int] = {}
        self._local = threading.local()
        self._lock = threading.Lock()

    def _stack(self) -> list[list[Any]]:
        stack: list[list[Any]] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def enter(self, stage: str) -> None:
        now = time.thread_time()
        stack = self._stack()
        if stack:
            self._add(stack[-1][0], now - stack[-1][1])
        stack.append([stage, now])

    def leave(self) -> None:
        now = time.thread_time()
        stack = self._stack()
        stage, since = stack.pop()
        self._add(stage, now - since)
        if stack:
            stack[-1][1] = now

    def _add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def count(self, name: str) -> None:
        with self._lock:
            self.calls[name] = self.calls.get(name, 0) + 1

    def reset(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self.calls = {}

    def wrap(self, func: Callable[..., Any], stage: str) -> Callable[..., Any]:
        clock = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            clock.enter(stage)
            try:
                result = func(*args, **kwargs)
            finally:
                clock.leave()
            if hasattr(result, "__next__"):  # a generator: its work happens as it is drawn from
                return clock._drawn(result, stage)
            return result

        return timed

    def _drawn(self, items: Iterator[Any], stage: str) -> Iterator[Any]:
        while True:
            self.enter(stage)
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                self.leave()
            yield item


def instrument(clock: StageClock) -> None:
    """Every stage function of the loaded OCR modules timed into `clock`; Tesseract calls by
    their kind: orientation, a one-line re-read inside a cell's reading, pages counted."""
    import importlib

    for module_name, attr, stage in STAGE_FUNCTIONS:
        module = importlib.import_module(module_name)
        if hasattr(module, attr):
            setattr(module, attr, clock.wrap(getattr(module, attr), stage))
    engine = importlib.import_module("parsers.ocr_engine")
    scan = importlib.import_module("parsers.scan")
    orientation = engine.Engine.orientation
    engine.Engine.orientation = clock.wrap(orientation, "orientation (OSD)")
    read = engine.Engine.read

    def read_counted(self: Any, image: Any, psm: int, *args: Any, **kwargs: Any) -> Any:
        clock.count(f"tesseract psm {psm}")
        stack = clock._stack()
        inner = stack and stack[-1][0] == "cell OCR" and psm == 7  # a short cell read again as a line
        if inner:
            clock.enter("re-reads")
        try:
            return read(self, image, psm, *args, **kwargs)
        finally:
            if inner:
                clock.leave()

    engine.Engine.read = read_counted
    # every page goes through _read_one (read_page only wraps it); older revisions had read_page alone
    name = "_read_one" if hasattr(scan, "_read_one") else "read_page"
    page = getattr(scan, name)

    def page_counted(*args: Any, **kwargs: Any) -> Any:
        clock.count("pages")
        return page(*args, **kwargs)

    setattr(scan, name, page_counted)
