"""`roadmap batch`: folders, globs, zips with Cyrillic names, broken files, re-runs, workers."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from extractor import extract
from extractor.options import Options
from models import ErrorDocument, Plan
from tests.conftest import extracted, sample_path
from tests.seedtext import SAMPLES
from workflow.batch import INTERNAL_ERROR, REPORT_NAME, BatchSettings, output_name, run_batch
from workflow.batch_inputs import Input, member_name
from workflow.cli import main

NAMES = sorted(SAMPLES.values())
OUTPUT_NAME = re.compile(r"^.+\.[0-9a-f]{12}\.json$")


def report_of(outdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((outdir / REPORT_NAME).read_text(encoding="utf-8"))
    return result


def entry_of(report: dict[str, Any], suffix: str) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [e for e in report["files"] if e["input"].endswith(suffix)]
    assert len(entries) == 1, entries
    return entries[0]


def output_of(outdir: Path, entry: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((outdir / entry["output"]).read_text(encoding="utf-8"))
    return result


def without_filename(plan: dict[str, Any]) -> dict[str, Any]:
    return {**plan, "source": {k: v for k, v in plan["source"].items() if k != "filename"}}


def copy_sample(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_path(name), target)
    return target


class LegacyName(zipfile.ZipInfo):
    """A member whose name is stored in cp866 without the UTF-8 flag, as old Windows archivers did."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # overrides a private zipfile method
        return self.filename.encode("cp866"), self.flag_bits & ~0x800


def unicode_path_member(header_name: str, real_name: str) -> zipfile.ZipInfo:
    """An ASCII header name with the real name in an Info-ZIP Unicode Path extra field."""
    info = zipfile.ZipInfo(header_name)
    utf8 = real_name.encode("utf-8")
    body = struct.pack("<BI", 1, zlib.crc32(header_name.encode("ascii"))) + utf8
    info.extra = struct.pack("<HH", 0x7075, len(body)) + body
    return info


def write_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo | str, data: bytes) -> None:
    if isinstance(info, zipfile.ZipInfo):
        info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


# ---- the samples -------------------------------------------------------------------------


def test_batch_converts_every_sample(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["batch", *(str(sample_path(n)) for n in NAMES), "-o", str(out), "-j", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output + result.stderr
    report = report_of(out)
    assert report["summary"] == {"inputs": 5, "converted": 5, "skipped": 0, "failed": 0, "pending": 0}
    for name in NAMES:
        entry = entry_of(report, f"{name}.docx")
        assert OUTPUT_NAME.match(entry["output"])
        assert output_of(out, entry) == extracted(name)
        assert entry["status"] == "converted" and entry["error"] is None
        assert entry["activities"] == len(extracted(name)["activities"])
        assert entry["format"] == "docx" and entry["sha256"] == extracted(name)["source"]["sha256"]
        assert f"{name}.docx" in result.stdout  # the summary table
    assert sorted(p.name for p in out.iterdir()) == sorted([REPORT_NAME, *(e["output"] for e in report["files"])])
    assert "[5/5]" in result.stderr  # not a terminal: one progress line per file


def test_folders_and_globs(tmp_path: Path) -> None:
    root = tmp_path / "in"
    copy_sample("tula_2020-2021", root / "Тула" / "план.docx")
    copy_sample("zima_2024", root / "Зима" / "вложено" / "план.docx")
    (root / "Тула" / "readme.txt").write_text("not a plan", encoding="utf-8")  # left alone in folders
    copy_sample("sarov_2021-2022", root / "Тула" / "~$план.docx")  # a Word lock file: left alone
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    inputs = sorted(e["input"] for e in report_of(out)["files"])
    assert inputs == sorted([str(root / "Зима" / "вложено" / "план.docx"), str(root / "Тула" / "план.docx")])

    globbed = tmp_path / "globbed"
    result = CliRunner().invoke(main, ["batch", str(root / "**" / "*.docx"), "-o", str(globbed)])
    assert result.exit_code == 0, result.output
    assert report_of(globbed)["summary"]["converted"] == 2  # lock files are left alone in globs too
    assert CliRunner().invoke(main, ["batch", str(root / "*.pdf"), "-o", str(out)]).exit_code == 2
    assert CliRunner().invoke(main, ["batch", str(tmp_path / "missing"), "-o", str(out)]).exit_code == 2
    (tmp_path / "empty").mkdir()
    assert CliRunner().invoke(main, ["batch", str(tmp_path / "empty"), "-o", str(out)]).exit_code == 2


# ---- zips --------------------------------------------------------------------------------


def test_zip_with_cyrillic_names(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as archive:
        write_member(archive, LegacyName("Вилюйский улус/План.docx"), sample_path("vilyuisk_2019-2021").read_bytes())
    bundle = tmp_path / "Заявки.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        # Python sets the UTF-8 flag (bit 11) itself for non-ASCII names
        write_member(archive, "Тула/дорожная карта Тулы.docx", sample_path("tula_2020-2021").read_bytes())
        write_member(archive, LegacyName("Саров/Дорожная карта Сарова.docx"),
                     sample_path("sarov_2021-2022").read_bytes())
        write_member(archive, unicode_path_member("zima.docx", "Зиминское МО.docx"),
                     sample_path("zima_2024").read_bytes())
        write_member(archive, LegacyName("Районы.zip"), inner.read_bytes())
        write_member(archive, "__MACOSX/Тула/._дорожная карта Тулы.docx", b"resource fork")
        write_member(archive, "описание.txt", "не план".encode())
    with zipfile.ZipFile(bundle) as archive:
        flags = {i.filename: i.flag_bits & 0x800 for i in archive.infolist()}
    assert flags["Тула/дорожная карта Тулы.docx"] and not flags["Саров/Дорожная карта Сарова.docx".encode(
        "cp866").decode("cp437")]

    out = tmp_path / "out"
    result = CliRunner(env={"COLUMNS": "400"}).invoke(main, ["batch", str(bundle), "-o", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    report = report_of(out)
    expected = {
        "Тула/дорожная карта Тулы.docx": "tula_2020-2021",
        "Саров/Дорожная карта Сарова.docx": "sarov_2021-2022",
        "zima.docx": "zima_2024",  # the header name; the Unicode path field gives the real one
        "Районы.zip/Вилюйский улус/План.docx": "vilyuisk_2019-2021",
    }
    members = sorted(e["member"] for e in report["files"])
    assert members == sorted(
        ["Тула/дорожная карта Тулы.docx", "Саров/Дорожная карта Сарова.docx", "Зиминское МО.docx",
         "Районы.zip/Вилюйский улус/План.docx"])
    for member, name in expected.items():
        member = "Зиминское МО.docx" if member == "zima.docx" else member
        entry = next(e for e in report["files"] if e["member"] == member)
        assert entry["input"] == f"{bundle}/{member}" and entry["archive"] == str(bundle)
        plan = output_of(out, entry)
        assert plan["source"]["filename"] == member.rsplit("/", 1)[-1] == entry["filename"]
        assert without_filename(plan) == without_filename(extracted(name))
        assert entry["output"].startswith(Path(entry["filename"]).stem + ".")
    assert "Дорожная карта Сарова.docx" in result.stdout


@pytest.mark.parametrize(("raw", "text"), [
    ("Дорожная карта.docx".encode("cp866"), "Дорожная карта.docx"),
    ("Тула – план №2.docx".encode("cp1251"), "Тула – план №2.docx"),
    ("Ёлкино/план.docx".encode(), "Ёлкино/план.docx"),  # UTF-8 without the flag
    (b"plan.docx", "plan.docx"),
])
def test_member_name_decodings(raw: bytes, text: str) -> None:
    info = zipfile.ZipInfo(raw.decode("cp437"))  # what zipfile makes of a name without bit 11
    assert member_name(info) == text


def test_damaged_archive_and_members(tmp_path: Path) -> None:
    broken = tmp_path / "сломан.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    empty = tmp_path / "пусто.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("notes.txt", "nothing")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(broken), str(empty), "-o", str(out)])
    assert result.exit_code == 3
    report = report_of(out)
    assert entry_of(report, "сломан.zip")["error"]["code"] == "corrupt_file"
    assert entry_of(report, "пусто.zip")["error"]["code"] == "empty_document"
    error = ErrorDocument.model_validate(output_of(out, entry_of(report, "сломан.zip")))
    assert error.error.filename == "сломан.zip"


# ---- failures, names, re-runs -------------------------------------------------------------


def test_a_broken_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    root = tmp_path / "in"
    copy_sample("zima_2024", root / "zima.docx")
    copy_sample("khmao_2023", root / "khmao.docx")
    (root / "broken.docx").write_bytes(b"PK\x03\x04 this is not a Word package")
    (root / "empty.docx").write_bytes(b"")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "-j", "2"])
    assert result.exit_code == 3, result.output
    report = report_of(out)
    assert report["summary"] == {"inputs": 4, "converted": 2, "skipped": 0, "failed": 2, "pending": 0}
    for name, code in (("broken.docx", "corrupt_file"), ("empty.docx", "empty_document")):
        entry = entry_of(report, name)
        assert entry["status"] == "failed" and entry["error"]["code"] == code
        document = output_of(out, entry)  # the contract's error object
        assert ErrorDocument.model_validate(document).error.filename == name
        assert document["error"]["code"] == code
        assert code in result.stdout
    assert without_filename(output_of(out, entry_of(report, "zima.docx"))) == without_filename(extracted("zima_2024"))
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_same_base_name_never_collides(tmp_path: Path) -> None:
    a = copy_sample("tula_2020-2021", tmp_path / "a" / "plan.docx")
    b = copy_sample("sarov_2021-2022", tmp_path / "b" / "plan.docx")
    c = copy_sample("tula_2020-2021", tmp_path / "c" / "plan.docx")  # the same submission again
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(a), str(b), str(c), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = report_of(out)
    first, second, again = (entry_of(report, f"{d}/plan.docx") for d in "abc")
    assert first["output"] != second["output"]
    assert again["output"] == first["output"] and again["same_as"] == str(a) and again["status"] == "converted"
    assert output_of(out, first)["plan"]["municipality"] == "Тула"
    assert output_of(out, second)["plan"]["municipality"] == "Саров"
    assert len(list(out.glob("plan.*.json"))) == 2


def test_rerun_skips_unchanged_inputs_and_force_redoes_them(tmp_path: Path) -> None:
    root = tmp_path / "in"
    copy_sample("tula_2020-2021", root / "tula.docx")
    copy_sample("sarov_2021-2022", root / "sarov.docx")
    (root / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["batch", str(root), "-o", str(out)]).exit_code == 3
    outputs = {e["input"]: e["output"] for e in report_of(out)["files"]}
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.*.json")}

    again = CliRunner().invoke(main, ["batch", str(root), "-o", str(out)])
    assert again.exit_code == 3  # the broken file is tried again and fails again
    report = report_of(out)
    assert report["summary"] == {"inputs": 3, "converted": 0, "skipped": 2, "failed": 1, "pending": 0}
    assert entry_of(report, "tula.docx")["activities"] == len(extracted("tula_2020-2021")["activities"])
    for name in ("tula.docx", "sarov.docx"):
        output = entry_of(report, name)["output"]
        assert (out / output).stat().st_mtime_ns == stamps[output]  # not rewritten

    shutil.copyfile(sample_path("zima_2024"), root / "sarov.docx")  # new content, same name
    (root / "broken.docx").unlink()
    changed = CliRunner().invoke(main, ["batch", str(root), "-o", str(out)])
    assert changed.exit_code == 0
    report = report_of(out)
    assert entry_of(report, "sarov.docx")["status"] == "converted"
    assert entry_of(report, "sarov.docx")["output"] != outputs[str(root / "sarov.docx")]
    assert entry_of(report, "tula.docx")["status"] == "skipped"

    forced = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert report_of(out)["summary"]["converted"] == 2


def test_timeout_fails_the_file_with_the_contract_code(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = run_batch([str(sample_path("khmao_2023"))], out, BatchSettings(workers=1, timeout=0.001))
    (entry,) = report.entries
    assert entry.outcome is not None and entry.outcome.error is not None
    assert entry.outcome.error.code == "timeout"
    assert json.loads((out / entry.output).read_text(encoding="utf-8"))["error"]["code"] == "timeout"


def crashing_extract(path: Path, options: Options) -> Plan:
    """An extraction entry for the test below: kills its worker or fails on marked files."""
    if "crash" in path.name:
        os._exit(7)  # as a segfault or the memory killer would
    if "bug" in path.name:
        raise KeyError("a bug in the extractor")
    return extract(path, options)


def test_a_dying_worker_fails_only_its_own_file(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name in ("tula_2020-2021", "sarov_2021-2022", "zima_2024"):
        copy_sample(name, root / f"{name}.docx")
    copy_sample("khmao_2023", root / "crash.docx")
    copy_sample("khmao_2023", root / "bug.docx")
    out = tmp_path / "out"
    settings = BatchSettings(workers=2, entry="tests.test_batch:crashing_extract")
    report = run_batch([str(root)], out, settings)
    outcomes = {Path(e.item.display).name: e.outcome for e in report.entries}
    assert all(o is not None for o in outcomes.values())
    crashed, bug = outcomes["crash.docx"], outcomes["bug.docx"]
    assert crashed is not None and crashed.error is not None and crashed.error.code == INTERNAL_ERROR
    assert "аварийно завершился" in crashed.error.message
    assert bug is not None and bug.error is not None and bug.error.code == INTERNAL_ERROR
    assert "KeyError" in bug.error.message
    assert [n for n, o in outcomes.items() if o is not None and o.status == "converted"] == [
        "sarov_2021-2022.docx", "tula_2020-2021.docx", "zima_2024.docx"]
    saved = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    assert saved["summary"]["failed"] == 2
    (written,) = out.glob("crash.*.json")  # the contract's error object, written by the parent
    assert json.loads(written.read_text(encoding="utf-8"))["error"]["code"] == INTERNAL_ERROR
    assert entry_of(saved, "crash.docx")["output"] == written.name


def test_output_names_are_safe_and_bounded() -> None:
    settings = BatchSettings(workers=1)
    long_name = "Дорожная карта " * 30 + ".docx"
    name = output_name(Input("x", Path("x"), long_name, sha256="0" * 64), settings)
    assert len(name.encode("utf-8")) <= 255 and OUTPUT_NAME.match(name)
    odd = output_name(Input("x", Path("x"), 'план: "1"?.docx', sha256="0" * 64), settings)
    assert odd.startswith("план_ _1__.")
    one = output_name(Input("a/p.docx", Path("a/p.docx"), "p.docx", sha256="1" * 64), settings)
    two = output_name(Input("b/p.docx", Path("b/p.docx"), "p.docx", sha256="2" * 64), settings)
    assert one != two
