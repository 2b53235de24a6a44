"""Russian for people, codes for machines (issue 14): everything `roadmap` says to a person is
Russian, click's own strings included (workflow/locale/ru/LC_MESSAGES/roadmap.po); error
codes, option names and JSON keys stay English.

"English" here is a run of three or more Latin words with only spaces between them, once
option names, metavars (FILE, INPUTS…), acronyms (JSON, HTTP), `backticked` names, URLs and
dotted or underscored identifiers are left out: a list of codes ("number, activity,
schedule") is not a sentence, "Show this message and exit." is.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import string
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from workflow.cli import DOMAIN, LOCALE_DIR, main

ROOT = Path(__file__).resolve().parent.parent
PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
# click's msgids left untranslated on purpose (the .po's header says why)
UNTRANSLATED = {"file", "directory", "path", "Choice({choices})"}
CLICK_ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "[default:",
                 "[required]", "Error:", "Try '", "No such", "Missing ", "Invalid value", "does not exist")
LATIN_WORD = re.compile(r"[A-Za-z][a-z]+")  # not ALL CAPS: metavars and acronyms are not sentences
EDGE = "()[]{}<>«»\"'.,;:!?…"


# ---- what counts as English ----------------------------------------------------------------


def english_runs(text: str, ignore: tuple[str, ...] = ()) -> list[str]:
    """Runs of three or more Latin words in a row (spaces only between them)."""
    for name in ignore:
        text = text.replace(name, " ")
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    found: list[str] = []
    run: list[str] = []
    for token in [*text.split(), "."]:  # across line ends: help texts are wrapped
        latin = not token.startswith("-") and LATIN_WORD.fullmatch(token.strip(EDGE)) is not None
        if latin:
            run.append(token.strip(EDGE))
        if not latin or token[-1] in ",;:":  # a comma ends a run: lists of codes are not sentences
            if len(run) >= 3:
                found.append(" ".join(run))
            run = []
    return found


def test_the_detector_sees_english_and_passes_codes() -> None:
    assert english_runs("  -h, --help  Show this message and exit.") == ["Show this message and exit"]
    assert english_runs("Log what\n   the extractor does") == ["Log what the extractor does"]
    assert english_runs("Error: Invalid value for 'FILES...': File 'x' does not exist.") == [
        "Invalid value for", "does not exist"]
    assert english_runs("Роль столбца N: number, activity, schedule, responsible, result, other.") == []
    assert english_runs("задачи уходят в `roadmap worker` через Redis; YAML или JSON") == []
    assert english_runs("Использование: roadmap keys create [OPTIONS] NAME", ignore=("roadmap keys create",)) == []


def assert_russian(text: str, ignore: tuple[str, ...] = ()) -> None:
    assert not english_runs(text, ignore), text
    for phrase in CLICK_ENGLISH:
        assert phrase not in text, text
    assert re.search("[А-Яа-яЁё]", text), text


# ---- help of every command -------------------------------------------------------------------


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


PATHS = list(command_paths())


def test_every_command_is_here() -> None:
    names = {" ".join(p) for p in PATHS}
    assert {"", "extract", "batch", "debug", "schema", "validate", "serve", "worker", "check", "compare", "diff",
            "export", "keys", "keys create", "keys list", "keys revoke"} <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "roadmap")
def test_help_is_russian(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="roadmap")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"Использование: {' '.join(('roadmap', *path))} ")
    assert "\nПараметры:\n" in text and "Показать эту справку и выйти." in text
    assert_russian(text, ignore=(" ".join(("roadmap", *path)),))


def test_the_group_lists_its_commands_in_russian() -> None:
    text = CliRunner().invoke(main, ["--help"], prog_name="roadmap").output
    assert "\nКоманды:\n" in text and "Показать версию и выйти." in text
    listed = text.split("\nКоманды:\n", 1)[1]
    assert "..." not in listed  # every short help fits whole


def test_defaults_and_required_options_are_marked_in_russian() -> None:
    text = " ".join(CliRunner().invoke(main, ["batch", "--help"], prog_name="roadmap").output.split())  # unwrapped
    assert "[обязательно]" in text and "[по умолчанию: 600.0; x>0]" in text


def test_the_version() -> None:
    result = CliRunner().invoke(main, ["--version"], prog_name="roadmap")
    assert result.exit_code == 0 and re.fullmatch(r"roadmap, версия \S+\n", result.output), result.output


# ---- errors of the command line --------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["extract", "--no-such-option", "x"], "Ошибка: Нет такого параметра: '--no-such-option'."),
    (["extract"], "Ошибка: Не указан аргумент 'FILES...'."),
    (["extract", "missing.docx"], "Ошибка: Неверное значение 'FILES...': 'missing.docx' не существует."),
    (["batch", "x"], "Ошибка: Не указан параметр '-o' / '--output'."),
    (["batch", "x", "-o", "out", "--timeout", "0"], "Неверное значение '--timeout': 0.0 вне допустимого диапазона"),
    (["batch", "x", "-o", "out", "-j", "many"], "Ошибка: Неверное значение '-j' / '--workers': 'many': нужно число"),
    (["serve", "--executor", "rabbit"], "'rabbit' не подходит: допустимы 'local', 'celery'."),
    (["extrac"], "Ошибка: Нет такой команды: 'extrac'. Может быть, имелось в виду 'extract'?"),
    (["schema", "extra"], "Ошибка: Лишний аргумент (extra)"),
    (["export", "--delimiter"], "Ошибка: Параметру '--delimiter' нужно значение."),
])
def test_usage_errors_are_russian(args: list[str], expected: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # "missing.docx" and "out" are relative
    result = CliRunner().invoke(main, args, prog_name="roadmap")
    assert result.exit_code == 2, result.output
    assert expected in result.stderr, result.stderr
    if result.stderr.count("\n") > 1:  # the usage comes first where click knew the command when it failed
        assert result.stderr.startswith("Использование: roadmap") and "Справка: 'roadmap" in result.stderr
    assert_russian(result.stderr, ignore=("roadmap " + args[0], "'--no-such-option'"))


def test_our_own_messages_are_russian(tmp_path: Path) -> None:
    plans = tmp_path / "in"
    plans.mkdir()
    (plans / "notes.txt").write_text("не план", encoding="utf-8")
    cases = [
        (["batch", str(plans), "-o", str(tmp_path / "out")], "во входах не найдено ни одного файла плана"),
        (["validate", str(plans)], "во входах нет файлов JSON"),
        (["extract", str(plans / "notes.txt"), str(plans / "notes.txt"), "-o", str(tmp_path / "a.json")],
         "при нескольких входах -o называет папку"),
    ]
    for args, expected in cases:
        result = CliRunner().invoke(main, args, prog_name="roadmap")
        assert result.exit_code == 2 and expected in result.stderr, result.stderr
        assert_russian(result.stderr, ignore=("roadmap " + args[0],))


# ---- the real entry point --------------------------------------------------------------------


def roadmap(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script (`roadmap` beside this Python), or `python -m workflow.cli`, with an
    environment asking for English: the catalog is chosen by the program, not by LANG."""
    script = Path(sys.executable).parent / "roadmap"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "workflow.cli"]
    env = {**os.environ, "LANGUAGE": "en_US:en", "LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8",
           "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*command, *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120, check=False)


def test_the_entry_point_speaks_russian() -> None:
    result = roadmap("--help")
    assert result.returncode == 0, result.stderr
    assert "Использование:" in result.stdout and "\nПараметры:\n" in result.stdout and "\nКоманды:\n" in result.stdout
    assert_russian(result.stdout)


def test_the_entry_point_refuses_in_russian(tmp_path: Path) -> None:
    unknown = roadmap("extract", "--no-such-option", str(tmp_path))
    assert unknown.returncode == 2 and "Ошибка: Нет такого параметра: '--no-such-option'." in unknown.stderr
    missing = roadmap("extract", str(tmp_path / "missing.docx"))
    assert missing.returncode == 2 and "Ошибка: Неверное значение 'FILES...': '" in missing.stderr
    assert "missing.docx' не существует." in missing.stderr
    for result in (unknown, missing):
        assert "Справка: '" in result.stderr and "--help'." in result.stderr
        assert_russian(result.stderr, ignore=("roadmap extract", "'--no-such-option'"))


def test_the_environment_is_left_alone() -> None:
    """The language is named to gettext, not put in the environment that LibreOffice and the
    batch's workers inherit."""
    before = dict(os.environ)
    CliRunner().invoke(main, ["--help"])
    assert dict(os.environ) == before
    assert gettext.textdomain() == "messages"  # no library's lookups moved to our domain


# ---- the catalog -----------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)  # msgstr, or msgstr[n]
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    """A .po file's entries (GNU gettext's format, as msgfmt reads it)."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, raw
            target = (target[0], target[1] + ast.literal_eval(line))
            _store(entry, target)
        else:
            keyword, _, value = line.partition(" ")
            target = (keyword, ast.literal_eval(value))
            _store(entry, target)
    return entries


def _store(entry: Entry, target: tuple[str, str]) -> None:
    keyword, text = target
    if keyword == "msgid":
        entry.msgid = text
    elif keyword == "msgid_plural":
        entry.plural = text
    elif keyword == "msgstr":
        entry.strings[0] = text
    else:
        index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        assert index, keyword
        entry.strings[int(index.group(1))] = text


def expected_catalog(entries: list[Entry]) -> dict[object, str]:
    """What msgfmt compiles: translated, not fuzzy; plural forms keyed (msgid, n) as
    GNUTranslations keeps them."""
    catalog: dict[object, str] = {}
    for e in entries:
        if e.fuzzy or not all(e.strings.values()):
            continue
        if e.plural is None:
            catalog[e.msgid] = e.strings[0]
        else:
            catalog.update({(e.msgid, n): text for n, text in e.strings.items()})
    return catalog


def test_the_compiled_catalog_matches_the_po() -> None:
    entries = read_po(PO)
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    assert compiled._catalog == expected_catalog(entries), (
        f"{MO.relative_to(ROOT)} is out of date: run `msgfmt --check -o roadmap.mo roadmap.po` in {MO.parent}")
    assert not [e.msgid for e in entries if e.fuzzy]


def click_msgids() -> set[str]:
    """Every string literal click passes to _() or ngettext()."""
    found: set[str] = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_the_catalog_covers_click() -> None:
    entries = read_po(PO)
    ours = {e.msgid for e in entries} | {e.plural for e in entries if e.plural}
    missing = click_msgids() - ours
    assert not missing, f"new msgids in click {version('click')}, add them to {PO.relative_to(ROOT)}: {sorted(missing)}"
    untranslated = {e.msgid for e in entries if e.msgid and not all(e.strings.values())}
    assert untranslated == UNTRANSLATED
    assert "required" in ours  # passed to _() from a variable: the scan above cannot see it


def fields(text: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return names | set(re.findall(r"%\((\w+)\)", text))


def test_translations_use_only_the_fields_click_fills() -> None:
    for e in read_po(PO):
        allowed = fields(e.msgid) | fields(e.plural or "")
        for text in e.strings.values():
            assert fields(text) <= allowed, (e.msgid, text)


def test_the_catalog_ships_with_the_package() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["workflow"]
    for path in (PO, MO):
        inside = path.relative_to(ROOT / "workflow")
        assert any(inside.match(p) for p in patterns), (inside, patterns)
