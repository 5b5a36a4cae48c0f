from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kiosk.i18n import LANGUAGES, CatalogInvalid, catalog, read_catalog, translate

ROOT = Path(__file__).resolve().parents[2]
# _("...") and N_("...") in Python and KV, translate("...", ...) in Python; either quote.
MESSAGE = re.compile(r"""(?<![\w.])(?:_|N_|translate)\(\s*(?:"((?:[^"\\]|\\.)+)"|'((?:[^'\\]|\\.)+)')""")
#: Letters a resident reads: Latin words or Chinese characters.
WORDS = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")
#: Hard-coded on purpose: each language is named in its own tongue (the language button), so a
#: resident who cannot read the current one still finds theirs (and the home tile's line under it).
LANGUAGE_NAMES = {"English", "中文", "Switch to English", "切换到中文"}
LANGUAGE_CODE = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")
#: Python keyword arguments and attributes that put text on screen.
SHOWN = {"text", "title", "subtitle", "hint_text", "name_markup", "detail"}


def messages_in_sources() -> set[str]:
    found: set[str] = set()
    for folder in ("kiosk", "screens"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".kv"}:
                for double, single in MESSAGE.findall(path.read_text(encoding="utf-8")):
                    found.add(double or single)
    return found


def test_sources_have_messages_to_translate() -> None:
    found = messages_in_sources()
    assert "Touch the screen to start" in found  # KV
    assert "Guides updated {date}" in found  # _() in a screen
    assert "not rated" in found  # N_() in a screen
    assert "The printer is out of paper." in found  # N_() in kiosk
    assert "Found in the guide text" in found  # single quotes


def kv_text_literals(line: str) -> list[str]:
    """String literals a KV text/title line shows as they are, outside `_()`."""
    match = re.match(r"\s*(text|title|subtitle|hint_text)\s*:\s*(.*)$", line)
    if match is None:
        return []
    expression = re.sub(r"""_\(\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^)]*\)""", "_()", match.group(2))
    return [a or b for a, b in re.findall(r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'""", expression)]


def test_kv_shows_no_text_that_bypasses_gettext() -> None:
    bypassing = [
        f"{path.name}:{number}: {literal!r}"
        for path in sorted((ROOT / "screens").rglob("*.kv"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for literal in kv_text_literals(line)
        if WORDS.search(literal) and literal not in LANGUAGE_NAMES and not LANGUAGE_CODE.match(literal)
    ]
    assert bypassing == []


def python_text_literals(source: str) -> list[tuple[int, str]]:
    """(line, literal) of strings a screen's Python puts on screen, or writes in Chinese, outside _()."""
    tree = ast.parse(source)
    marked = {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"_", "N_"}
        for argument in ast.walk(node)
    }
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    # Compared, not shown: `"id_reader" in state.unavailable`.
    compared = {id(n) for node in ast.walk(tree) if isinstance(node, ast.Compare) for n in ast.walk(node)}
    shown: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            shown.update(id(k.value) for k in node.keywords if k.arg in SHOWN)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr in SHOWN for t in node.targets
        ):
            shown.update(id(n) for n in ast.walk(node.value))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in marked or id(node) in docstrings or id(node) in compared:
            continue
        if re.fullmatch(r"#[0-9A-Fa-f]{6,8}", node.value):  # a colour
            continue
        chinese = re.search(r"[\u4e00-\u9fff]", node.value)
        if chinese or (id(node) in shown and WORDS.search(node.value)):
            found.append((node.lineno, node.value))
    return found


def test_screens_python_shows_no_text_that_bypasses_gettext() -> None:
    # The tour's demo identity card is data a simulated reader returns, not words of the UI.
    sources = [path for path in sorted((ROOT / "screens").glob("*.py")) if path.name != "tour.py"]
    bypassing = [
        f"{path.name}:{line}: {literal!r}"
        for path in sources
        for line, literal in python_text_literals(path.read_text(encoding="utf-8"))
    ]
    assert bypassing == []


def test_the_bypass_checks_can_fail() -> None:
    assert kv_text_literals('        text: "Home" if x else _("Back", tr.lang)') == ["Home"]
    assert kv_text_literals('        text: _("Back", tr.lang) + "  ·  "') == ["  ·  "]
    source = 'label.text = "Welcome"\nKButton(text=_("Home"))\nTile(title="办事")\nlog.info("x %s", 1)\n'
    assert python_text_literals(source) == [(1, "Welcome"), (3, "办事")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    missing = sorted(messages_in_sources() - set(catalog(language)))
    assert missing == [], f"missing in {language}: {missing}"


def test_placeholders_survive_translation() -> None:
    for language in LANGUAGES:
        for message, translated in catalog(language).items():
            assert set(re.findall(r"{\w+}", message)) == set(re.findall(r"{\w+}", translated)), message


def test_translate_falls_back_to_the_message_id() -> None:
    assert translate("Home", "zh_CN") == "首页"
    assert translate("Home", "en") == "Home"
    assert translate("No such message", "zh_CN") == "No such message"


PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "po",
    sorted(
        [*PROJECT.glob("kiosk/locale/*/LC_MESSAGES/*.po"), *PROJECT.glob("console/locale/*/LC_MESSAGES/*.po")]
    ),
    ids=lambda po: str(po.relative_to(PROJECT)),
)
def test_the_catalogue_reader_reads_what_babel_reads(po: Path) -> None:
    # The kiosk reads its .po files without babel (8 MiB it would keep for its whole life): the
    # same translations as babel's own reader, for every catalogue of the project.
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        expected = {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string}
    assert expected
    assert read_catalog(po) == expected


def test_the_catalogue_reader_reads_escapes_and_continued_strings_and_says_where_it_cannot(
    tmp_path: Path,
) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        '# a comment\nmsgid ""\nmsgstr "Language: zh_CN\\n"\n\n'
        'msgid "Say \\"hi\\""\nmsgstr ""\n"说 \\"你好\\"\\n"\n"第二行"\n\n'
        '#, fuzzy\nmsgid "Untranslated"\nmsgstr ""\n',
        encoding="utf-8",
    )
    assert read_catalog(po) == {'Say "hi"': '说 "你好"\n第二行'}
    assert read_catalog(tmp_path / "absent.po") == {}
    po.write_text('msgid "a"\nmsgctxt "b"\n', encoding="utf-8")
    with pytest.raises(CatalogInvalid, match=r"x\.po:2: 'msgctxt' is not read here"):
        read_catalog(po)
    po.write_text('msgid "a\\q"\n', encoding="utf-8")
    with pytest.raises(CatalogInvalid, match=r"x\.po:1: an escape"):
        read_catalog(po)
