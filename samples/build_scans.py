"""Build scanned, photographed and old-format copies of the sample plans.

- samples/scans/<name>.pdf: every page of the sample's PDF rasterized at 200 dpi, rotated by up
  to ±1.5 degrees, with noise and blur, JPEG-compressed and put back into an image-only PDF; the
  same for the two unruled sample PDFs (samples/<name>_unruled.pdf: a table without lines, as
  printed and scanned);
- samples/scans/zima_2024_photo.jpg: the first page of Зима as a phone photo (perspective,
  uneven light, a table top around the sheet);
- samples/scans/sarov_2021-2022.tiff: Саров as a multi-page bilevel TIFF (300 dpi, CCITT G4), as
  an office scanner files it;
- samples/legacy/<name>.doc|.rtf|.odt: the Word samples saved by LibreOffice in the old formats.

The sample PDFs are samples/<name>.pdf where they exist, else LibreOffice exports the .docx
into a temporary folder. Every random choice is seeded by the sample's name, so a rebuild
gives the same images (the old-format files carry LibreOffice's own timestamps).

Usage: python samples/build_scans.py [--scans] [--legacy]   (default: both)
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
SCANS = HERE / "scans"
LEGACY = HERE / "legacy"
NAMES = ["khmao_2023", "sarov_2021-2022", "tula_2020-2021", "vilyuisk_2019-2021", "zima_2024"]
UNRULED = ["sarov_2021-2022_unruled", "zima_2024_unruled"]  # committed PDFs, scanned as they are
PHOTO = ("zima_2024", 0)  # sample and 0-based page shot as a photo
TIFF = "sarov_2021-2022"
LEGACY_SAMPLES = ["zima_2024", "tula_2020-2021"]
# LibreOffice 7.4 drops the plan table when it writes .doc straight from these .docx files;
# written from its own .odt the table survives, so .doc is made from the .odt copy.
LEGACY_FILTERS = {"odt": "odt:writer8", "rtf": "rtf:Rich Text Format", "doc": "doc:MS Word 97"}

SCAN_DPI = 200
TIFF_DPI = 300
MAX_SKEW_DEG = 1.5
NOISE_SIGMA = 9.0  # grey levels of Gaussian sensor noise
SPECKS = 0.0004  # share of pixels turned into dust specks
BLUR_RADIUS = 0.7  # pixels at 200 dpi
JPEG_QUALITY = 60


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode("utf-8")))


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        sys.exit("LibreOffice (soffice) is needed: apt-get install libreoffice-writer-nogui")
    return found


def lo_convert(sources: list[Path], target: str, outdir: Path, profile: Path) -> None:
    subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )


def sample_pdfs(tmp: Path) -> dict[str, Path]:
    """name -> the sample's PDF: the committed one, else a fresh LibreOffice export."""
    out: dict[str, Path] = {}
    missing = []
    for name in NAMES:
        committed = HERE / f"{name}.pdf"
        if committed.is_file():
            out[name] = committed
        else:
            missing.append(HERE / f"{name}.docx")
    if missing:
        lo_convert(missing, "pdf", tmp / "pdf", tmp / "profile")
        out.update({p.stem: tmp / "pdf" / f"{p.stem}.pdf" for p in missing})
    return out


def render(pdf: Path, dpi: int) -> Iterator[Image.Image]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for page in doc:
            yield page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def degrade(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A flatbed scan: slight skew, blur, sensor noise, dust, grey paper."""
    angle = float(rng.uniform(-MAX_SKEW_DEG, MAX_SKEW_DEG))
    img = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
    arr = np.asarray(img, dtype=np.float32) * 0.92 + 12  # paper is never pure white
    arr += rng.normal(0, NOISE_SIGMA, arr.shape)
    specks = rng.random(arr.shape) < SPECKS
    arr[specks] = rng.uniform(0, 120, int(specks.sum()))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf)


def build_scan_pdf(name: str, pdf: Path) -> Path:
    rng = rng_for(name)
    pages = [jpeg(degrade(p, rng), JPEG_QUALITY) for p in render(pdf, SCAN_DPI)]
    target = SCANS / f"{name}.pdf"
    pages[0].save(target, "PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI,
                  quality=JPEG_QUALITY, title=name, producer="samples/build_scans.py",
                  creationDate=None, modDate=None)
    return target


def photo(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A phone photo of the sheet lying on a desk: perspective, light falling off, colour cast."""
    sheet = np.asarray(page.convert("RGB"), dtype=np.float32)
    h, w = sheet.shape[:2]
    border = int(0.06 * w)
    canvas_w, canvas_h = w + 2 * border, h + 2 * border
    jitter = rng.uniform(0.01, 0.045, (4, 2)) * np.array([w, h])
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([
        [border + jitter[0, 0], border + jitter[0, 1]],
        [border + w - jitter[1, 0], border + jitter[1, 1] * 0.3],
        [border + w - jitter[2, 0] * 0.4, border + h - jitter[2, 1] * 0.5],
        [border + jitter[3, 0] * 0.6, border + h - jitter[3, 1]],
    ])
    matrix = cv2.getPerspectiveTransform(src, dst)
    desk = np.empty((canvas_h, canvas_w, 3), np.float32)
    desk[:] = (92, 78, 64)  # a wooden desk
    warped = cv2.warpPerspective(sheet, matrix, (canvas_w, canvas_h), flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(-1, -1, -1))
    mask = warped[..., 0] >= 0
    img = np.where(mask[..., None], warped, desk)
    yy, xx = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    # light from the upper left, falling to about 60 % in the far corner, with a soft vignette
    light = 1.0 - 0.4 * (xx / canvas_w * 0.6 + yy / canvas_h * 0.4)
    cx, cy = canvas_w * 0.35, canvas_h * 0.3
    light *= 1.0 - 0.15 * (((xx - cx) / canvas_w) ** 2 + ((yy - cy) / canvas_h) ** 2)
    img = img * light[..., None] * np.array([1.0, 0.96, 0.88], np.float32)  # warm cast
    img = cv2.GaussianBlur(img, (0, 0), 0.9)
    img += rng.normal(0, 6.0, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def build_photo(name: str, page_index: int, pdf: Path) -> Path:
    page = list(render(pdf, SCAN_DPI))[page_index]
    target = SCANS / f"{name}_photo.jpg"
    photo(page, rng_for(name + "/photo")).save(target, "JPEG", quality=85, dpi=(SCAN_DPI, SCAN_DPI))
    return target


def build_tiff(name: str, pdf: Path) -> Path:
    rng = rng_for(name + "/tiff")
    pages = []
    for page in render(pdf, TIFF_DPI):
        angle = float(rng.uniform(-MAX_SKEW_DEG, MAX_SKEW_DEG))
        img = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        arr = np.asarray(img, np.float32) + rng.normal(0, NOISE_SIGMA, img.size[::-1])
        pages.append(Image.fromarray((arr > 150).astype(np.uint8) * 255).convert("1"))
    target = SCANS / f"{name}.tiff"
    pages[0].save(target, "TIFF", save_all=True, append_images=pages[1:], compression="group4",
                  dpi=(TIFF_DPI, TIFF_DPI))
    return target


def build_legacy(tmp: Path) -> list[Path]:
    LEGACY.mkdir(exist_ok=True)
    sources = [HERE / f"{n}.docx" for n in LEGACY_SAMPLES]
    profile = tmp / "profile"
    lo_convert(sources, LEGACY_FILTERS["odt"], LEGACY, profile)
    lo_convert(sources, LEGACY_FILTERS["rtf"], LEGACY, profile)
    lo_convert([LEGACY / f"{n}.odt" for n in LEGACY_SAMPLES], LEGACY_FILTERS["doc"], LEGACY, profile)
    return sorted(LEGACY.iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", action="store_true", help="only the scans, photo and TIFF")
    parser.add_argument("--legacy", action="store_true", help="only the .doc/.rtf/.odt copies")
    args = parser.parse_args()
    both = not (args.scans or args.legacy)
    with tempfile.TemporaryDirectory(prefix="build-scans-") as tmp_name:
        tmp = Path(tmp_name)
        written: list[Path] = []
        if both or args.scans:
            SCANS.mkdir(exist_ok=True)
            pdfs = sample_pdfs(tmp)
            written += [build_scan_pdf(name, pdfs[name]) for name in NAMES]
            written += [build_scan_pdf(name, HERE / f"{name}.pdf") for name in UNRULED]
            written.append(build_photo(PHOTO[0], PHOTO[1], pdfs[PHOTO[0]]))
            written.append(build_tiff(TIFF, pdfs[TIFF]))
        if both or args.legacy:
            written += build_legacy(tmp)
    for path in written:
        print(f"{path.relative_to(HERE.parent)}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
