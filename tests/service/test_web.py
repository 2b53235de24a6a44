"""The web page (service/web) through the app: every page in Russian with no external URL,
an upload through the form, a plan's table beside its PDF page, hints and re-run, errors as
Russian pages."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import lxml.html as lxml_html
from fastapi.testclient import TestClient

from tests.conftest import extracted
from tests.english import ENGLISH
from tests.service.helpers import BROKEN, files, sample, wait_batch, wait_job

WEB = Path(__file__).resolve().parents[2] / "service" / "web"


def visible_text(html: str) -> list[str]:
    """What a person reads: text (not code, styles or scripts), tooltips, labels, option texts."""
    doc = lxml_html.fromstring(html.encode("utf-8"))
    for node in doc.xpath("//code | //style | //script"):
        node.drop_tree()
    return [t.strip() for t in doc.xpath("//text() | //@title | //@aria-label | //@alt | //@placeholder")
            if t.strip()]


def links(html: str) -> list[str]:
    doc = lxml_html.fromstring(html.encode("utf-8"))
    return [str(v) for v in doc.xpath("//@href | //@src | //@action | //@srcset | //@poster | //@data")]


def check_page(html: str) -> None:
    english = [t for t in visible_text(html) if ENGLISH.search(t)]
    assert not english, english[:5]
    external = [u for u in links(html) if not re.match(r"^(/(?!/)|\?|#)", u)]
    assert not external, external
    doc = lxml_html.fromstring(html.encode("utf-8"))
    assert doc.get("lang") == "ru"
    levels = [int(h.tag[1]) for h in doc.xpath("//h1 | //h2 | //h3 | //h4")]
    assert levels[:1] == [1] and all(b <= a + 1 for a, b in pairwise(levels)), levels
    labelled = {str(v) for v in doc.xpath("//label/@for")}
    for control in doc.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert control.get("id") in labelled or control.get("aria-label"), lxml_html.tostring(control)
    assert doc.xpath("//*[@aria-live='polite']")


def test_static_files_name_no_outside_address(local_client: TestClient) -> None:
    for name in ("web.css", "web.js"):
        response = local_client.get(f"/static/{name}")
        assert response.status_code == 200
        assert not re.search(r"https?:|//[a-z]|@import|url\(", response.text), name
    assert local_client.get("/static/../routes.py").status_code == 404
    assert local_client.get("/static/other.js").status_code == 404
    assert not list(WEB.rglob("*.woff*"))  # the system's fonts only


def test_the_pages_are_russian_and_load_nothing_from_outside(local_client: TestClient) -> None:
    client = local_client
    home = client.get("/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    check_page(home.text)
    assert "Загрузить файлы" in home.text

    response = client.post("/upload", files=files(sample("zima_2024.docx"), sample("khmao_2023.pdf"), BROKEN),
                           data={"ocr": "on"}, follow_redirects=False)
    assert response.status_code == 303
    batch_id = response.headers["location"].rsplit("/", 1)[-1]
    check_page(client.get(f"/batches/{batch_id}").text)  # while it runs
    batch = wait_batch(client, batch_id)
    jobs = {job["filename"]: job for job in batch["jobs"]}
    page = client.get(f"/batches/{batch_id}").text
    check_page(page)
    assert "файл повреждён или защищён паролем" in page and "corrupt_file" in page
    assert "Пакет обработан: готово 2 из 3, с ошибкой 1." in page
    assert batch_id[:8] in client.get("/").text  # listed on the home page

    zima = client.get(f"/jobs/{jobs['zima_2024.docx']['id']}").text
    check_page(zima)
    doc = lxml_html.fromstring(zima.encode("utf-8"))
    assert "Зиминское городское муниципальное образование" in zima
    rows = doc.xpath("//table[@id='plan-table']//tr[@class='activity']")
    assert len(rows) == len(extracted("zima_2024")["activities"])
    assert "I. Организационные мероприятия" in doc.xpath("string(//tr[contains(@class, 'section')][1])")
    assert "01.03.2024 — 30.04.2024" in zima
    assert not doc.xpath("//img")  # a Word file has no pages to show
    assert doc.xpath(f"//a[@href='/api/v1/jobs/{jobs['zima_2024.docx']['id']}/result.xlsx']")

    pdf_id = jobs["khmao_2023.pdf"]["id"]
    khmao = client.get(f"/jobs/{pdf_id}?page=2").text
    check_page(khmao)
    doc = lxml_html.fromstring(khmao.encode("utf-8"))
    image = doc.xpath("//img[@id='page-image']")[0]
    assert image.get("src") == f"/api/v1/jobs/{pdf_id}/pages/2" and "Страница 2" in image.get("alt")
    assert client.get(image.get("src")).headers["content-type"] == "image/png"
    assert doc.xpath("//table[@id='plan-table']//a[starts-with(@href, '?page=')]")  # an activity's page
    assert "Страница 1" in client.get(f"/jobs/{pdf_id}?page=0").text

    broken = client.get(f"/jobs/{jobs['broken.docx']['id']}").text
    check_page(broken)
    assert "файл повреждён или защищён паролем" in broken and "corrupt_file" in broken


def test_hints_and_rerun_from_the_plan_page(local_client: TestClient) -> None:
    client = local_client
    response = client.post("/upload", files=files(sample("tula_2020-2021.docx")),
                           data={"period": "2020-2021", "academic": "on", "municipality": "Тула", "ocr": "on"},
                           follow_redirects=False)
    batch_id = response.headers["location"].rsplit("/", 1)[-1]
    job = wait_batch(client, batch_id)["jobs"][0]
    assert job["options"] == {"period": "2020-2021 учебный", "municipality": "Тула", "ocr": True}
    page = client.get(f"/jobs/{job['id']}").text
    doc = lxml_html.fromstring(page.encode("utf-8"))
    assert doc.xpath("string(//input[@id='h-period']/@value)") == "2020-2021"
    assert doc.xpath("//input[@id='h-academic']/@checked") is not None
    selects = doc.xpath("//select[starts-with(@id, 'column-')]")
    assert len(selects) >= 4

    form = {"period": "2020-2021", "academic": "on", "municipality": "Тульская область", "ocr_shown": "1",
            "ocr": "on"}
    for select in selects:
        index = select.get("id").removeprefix("column-")
        found = select.xpath("string(option[@selected]/@value)")
        form[f"found_{index}"] = found
        form[f"column_{index}"] = found
    response = client.post(f"/jobs/{job['id']}/rerun", data=form, follow_redirects=False)
    assert response.status_code == 303
    fresh_id = response.headers["location"].rsplit("/", 1)[-1]
    fresh = wait_job(client, fresh_id)
    assert fresh["status"] == "done" and fresh["rerun_of"] == job["id"]
    assert fresh["options"] == {"period": "2020-2021 учебный", "municipality": "Тульская область", "ocr": True}
    assert "Тульская область" in client.get(f"/jobs/{fresh_id}").text
    old = client.get(f"/jobs/{job['id']}").text
    assert f'href="/jobs/{fresh_id}"' in old and "запущен заново" in old

    bad = client.post(f"/jobs/{fresh_id}/rerun", data={"period": "когда-нибудь"})
    assert bad.status_code == 422
    check_page(bad.text)
    assert "bad_options" in bad.text


def test_refusals_are_russian_pages(local_client: TestClient) -> None:
    client = local_client
    empty = client.post("/upload", data={"period": "2024"}, files={"files": ("", b"")})
    assert empty.status_code == 422
    check_page(empty.text)
    assert "выберите хотя бы один файл" in empty.text
    assert 'value="2024"' in empty.text  # the hints typed are kept

    bad = client.post("/upload", files=files(sample("zima_2024.docx")), data={"columns": "3"})
    assert bad.status_code == 422 and "НОМЕР=РОЛЬ" in bad.text
    check_page(bad.text)

    for url in ("/jobs/nope", "/batches/nope"):
        missing = client.get(url)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
        check_page(missing.text)
        assert "not_found" in missing.text

    outside = TestClient(client.app, client=("203.0.113.5", 5000))  # not loopback, no key
    refused = outside.get("/")
    assert refused.status_code == 401 and "ключ API" in refused.text
    check_page(refused.text)


def test_the_web_routes_stay_out_of_the_api_schema(local_client: TestClient) -> None:
    paths = local_client.get("/api/v1/openapi.json").json()["paths"]
    assert all(path.startswith("/jobs") or path.startswith("/batches") or path in
               ("/convert", "/validate", "/schema", "/schema/error", "/diff.html") for path in
               (p.removeprefix("/api/v1") for p in paths))
    assert not [p for p in paths if not p.startswith("/api/v1")]


def test_the_plan_page_shows_the_checks(local_client: TestClient) -> None:
    """Issue 17 on the plan page: Саров's activity 5 repeats activity 1 (golden/sarov_2021-2022.json)."""
    name, data = sample("sarov_2021-2022.docx")
    response = local_client.post("/api/v1/jobs", files=[("files", (name, data, "application/octet-stream"))])
    job_id = response.json()["jobs"][0]["id"]
    wait_job(local_client, job_id)
    page = lxml_html.fromstring(local_client.get(f"/jobs/{job_id}").content)
    section = page.xpath("//section[@aria-labelledby='checks-title']")[0]
    text = " ".join(section.text_content().split())
    assert "Проверка плана" in text and "№ 5" in text and "duplicate_activity" in text
