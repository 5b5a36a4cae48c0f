"""Every template of the console (found in console/templates, whoever wrote it): nothing inline that
the CSP would block, and every word it shows through `_()` has its Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console.i18n import catalog

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "console" / "templates").glob("*.html"))
#: What the Content-Security-Policy (script-src 'self'; style-src 'self') would refuse to run.
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a style element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}
#: `_("...")` or `_('...')` with a literal message id.
MESSAGE = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def unescape(literal: str) -> str:
    """A Jinja string literal's text (its backslash escapes undone)."""
    return re.sub(r"\\(.)", r"\1", literal)


def test_the_templates_are_found() -> None:
    assert {"base.html", "statistics.html", "accounts.html"} <= {path.name for path in TEMPLATES}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_a_template_has_nothing_inline(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == [], (
        f"{template.name} has {', '.join(found)}: the CSP forbids it (console.js / console.css)"
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_word_of_a_template_has_its_chinese(template: Path) -> None:
    chinese = catalog("zh_CN")
    text = template.read_text(encoding="utf-8")
    words = [unescape(double or single) for double, single in MESSAGE.findall(text)]
    missing = [word for word in words if word not in chinese]
    assert missing == [], f"{template.name}: no Chinese in console.po for {missing}"
