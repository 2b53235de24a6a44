"""The web page in Debian's Chromium (Playwright from PyPI, its own browsers never downloaded):
`roadmap serve` on a free loopback port, two sample plans and a broken file dropped on the
upload form, progress until the batch ends, the Russian error, a plan's table, the Excel
download, no request to another address. Screenshots go to build/test-artifacts/."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from service.config import Settings
from tests.conftest import extracted
from tests.english import ENGLISH
from tests.seedtext import ROOT
from tests.service.helpers import BROKEN, ROADMAP, SAMPLES, free_port, make_settings, start, stop, wait_until

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: scripts/setup.sh")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "build" / "test-artifacts"  # git-ignored; screenshots kept for a person to look at
DROP = """files => {
    const transfer = new DataTransfer();
    for (const f of files) {
        const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
        transfer.items.add(new File([bytes], f.name));
    }
    const zone = document.getElementById("drop");
    zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""


def serve(tmp_path: Path, settings: Settings) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start([str(ROADMAP), "serve", "--port", str(port)], settings.environ(), tmp_path / "serve.log")

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, 60, "roadmap serve")
        yield base
    finally:
        stop(process)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`roadmap serve` as a person starts it, on its own data folder and port."""
    yield from serve(tmp_path, make_settings(tmp_path / "data"))


@pytest.fixture
def keyed_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The same, after `roadmap keys create`: the page asks for a key."""
    settings = make_settings(tmp_path / "data")
    made = subprocess.run([str(ROADMAP), "keys", "create", "район", "--data-dir", str(settings.data_dir)],
                          capture_output=True, text=True, check=True)
    for base in serve(tmp_path, settings):
        yield base, made.stdout.strip()


def test_sign_in_with_a_key_then_upload_in_chromium(keyed_server: tuple[str, str]) -> None:
    """A real browser's cookie handling and Origin header: the sign-in, the page's own API
    calls and its upload form work with the session; signing out closes the page again."""
    base, key = keyed_server
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_context(base_url=base, locale="ru-RU").new_page()
            page.set_default_timeout(15_000)
            expect = playwright.expect
            page.goto("/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Запрос не выполнен")
            page.get_by_role("link", name="Войти с ключом API").click()
            page.get_by_label("Ключ API").fill("rk_wrong")
            page.get_by_role("button", name="Войти").click()
            expect(page.locator(".problem-code code")).to_have_text("invalid_api_key")
            page.get_by_label("Ключ API").fill(key)
            page.get_by_role("button", name="Войти").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Дорожные карты")
            cookie = next(c for c in page.context.cookies() if c["name"] == "roadmap_session")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and key not in cookie["value"]
            page.set_input_files("#files", str(SAMPLES / "zima_2024.docx"))
            page.get_by_role("button", name="Отправить").click()
            page.wait_for_url(re.compile(r"/batches/\w+$"))
            expect(page.locator("#status")).to_have_text("Пакет обработан: готово 1 из 1, с ошибкой 0.",
                                                         timeout=60_000)  # the page's fetches carry the session
            page.screenshot(path=ARTIFACTS / "web-5-signed-in.png", full_page=True)
            page.goto("/login")
            expect(page.locator("main")).to_contain_text("Вы вошли с ключом «район»")
            page.get_by_role("button", name="Выйти").click()
            page.goto("/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Запрос не выполнен")
        finally:
            browser.close()


def test_upload_progress_plan_and_excel_in_chromium(server: str) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is not installed: run scripts/setup.sh"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requested: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(base_url=server, accept_downloads=True, locale="ru-RU",
                                          viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("request", lambda request: requested.append(request.url))
            expect = playwright.expect

            page.goto("/")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Дорожные карты")
            page.keyboard.press("Tab")  # the first stop is the skip link, drawn when focused
            assert page.evaluate("document.activeElement.textContent") == "Перейти к содержимому"
            dropped = [{"name": name, "data": base64.b64encode((SAMPLES / name).read_bytes()).decode()}
                       for name in ("zima_2024.docx", "tula_2020-2021.docx")]
            dropped.append({"name": BROKEN[0], "data": base64.b64encode(BROKEN[1]).decode()})
            page.evaluate(DROP, dropped)
            expect(page.locator("#chosen")).to_contain_text("Выбрано файлов: 3")
            expect(page.locator("#status")).to_have_text("Выбрано файлов: 3")
            page.get_by_label("Распознавать сканы").check()
            page.screenshot(path=ARTIFACTS / "web-1-upload.png", full_page=True)
            page.get_by_role("button", name="Отправить").click()

            page.wait_for_url(re.compile(r"/batches/\w+$"))
            expect(page.locator("#status")).to_have_text("Пакет обработан: готово 2 из 3, с ошибкой 1.",
                                                         timeout=60_000)
            broken = page.locator("tr", has_text="broken.docx")
            expect(broken.locator(".problem-detail")).to_have_text("файл повреждён или защищён паролем")
            expect(broken.locator(".problem-code code")).to_have_text("corrupt_file")
            sizes = page.evaluate("""() => ['.problem-detail', '.problem-code'].map(
                s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))""")
            assert sizes[0] > sizes[1] * 1.3, sizes  # the Russian message large, the code small
            expect(page.locator("tr", has_text="zima_2024.docx")).to_contain_text("мероприятий: 31")
            assert not ENGLISH.search(page.inner_text("main"))
            page.screenshot(path=ARTIFACTS / "web-2-batch.png", full_page=True)

            page.get_by_role("link", name="tula_2020-2021.docx").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("tula_2020-2021.docx")
            table = page.locator("#plan-table")
            tula = extracted("tula_2020-2021")
            expect(table.locator("tr.activity")).to_have_count(len(tula["activities"]))
            expect(table.locator("tr.section").first).to_contain_text(tula["sections"][0]["title"])
            first = tula["activities"][0]
            row = table.locator("tr.activity").first
            expect(row).to_contain_text(first["schedule"]["text"])
            expect(row).to_contain_text(first["responsible"][0]["name"])
            expect(page.locator(".about")).to_contain_text("Тула")
            assert not ENGLISH.search(page.inner_text("main"))
            page.screenshot(path=ARTIFACTS / "web-3-plan.png")

            with page.expect_download() as download:
                page.get_by_role("link", name="План как книга Excel").click()
            saved = ARTIFACTS / "web-tula_2020-2021.xlsx"
            download.value.save_as(saved)
            assert download.value.suggested_filename == "tula_2020-2021.xlsx"
            book = load_workbook(io.BytesIO(saved.read_bytes()))
            assert "Все мероприятия" in book.sheetnames and any(n.startswith("Тула") for n in book.sheetnames)
            titles = {c.value for row in book["Все мероприятия"].iter_rows() for c in row}
            assert first["title"] in titles

            page.get_by_role("link", name="← Пакет").click()
            page.get_by_role("link", name="broken.docx").click()
            expect(page.locator(".problem-detail")).to_have_text("файл повреждён или защищён паролем")
            page.screenshot(path=ARTIFACTS / "web-4-error.png", full_page=True)
        finally:
            browser.close()
    outside = [url for url in requested if not url.startswith(server + "/")]
    assert not outside, outside
