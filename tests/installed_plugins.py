"""Plug-in packages installed for one test: a real distribution (a dist-info directory with its
entry_points.txt, and the package's modules) on sys.path, found by importlib.metadata as pip's are."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest


class InstalledPlugins:
    """A site-packages directory of one test's own; `install` adds a distribution to it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def install(
        self, dist: str, entry_points: Mapping[str, Mapping[str, str]], modules: Mapping[str, str]
    ) -> None:
        """Install `dist` with its entry points ({group: {name: "module:attr"}}) and `modules`
        ({"package/module.py": source})."""
        for relative, source in modules.items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")
        info = self.root / f"{dist}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
        )
        sections = [
            "\n".join([f"[{group}]", *(f"{name} = {target}" for name, target in named.items())])
            for group, named in entry_points.items()
        ]
        (info / "entry_points.txt").write_text("\n\n".join(sections) + "\n", encoding="utf-8")


def installed_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstalledPlugins]:
    """The body of a fixture: an empty site directory on sys.path; its modules are forgotten after."""
    root = tmp_path / "site-packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield InstalledPlugins(root)
    for name, module in list(sys.modules.items()):
        if Path(getattr(module, "__file__", None) or "/").is_relative_to(root):
            del sys.modules[name]
