"""Drivers reach the core through kiosk.driver_api alone (import-linter checks the import graph;
this also sees imports inside functions, where a slip would hide)."""

from __future__ import annotations

import ast
from pathlib import Path

import kiosk.driver_api

DRIVERS = Path(__file__).resolve().parents[2] / "drivers"


def kiosk_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] == "kiosk"}


def test_drivers_import_nothing_of_the_core_but_the_driver_api() -> None:
    offenders = [
        f"{path.relative_to(DRIVERS.parent)} imports {name}"
        for path in sorted(DRIVERS.rglob("*.py"))
        for name in sorted(kiosk_imports(path))
        if name != "kiosk.driver_api"
    ]
    assert offenders == []


def test_the_driver_api_exports_what_it_names() -> None:
    # What it hands out on first use (zbar, the print service) is named as the rest.
    on_first_use = set(kiosk.driver_api._ON_FIRST_USE)
    imported_here = {
        name for name in vars(kiosk.driver_api) if not name.startswith("_") and name not in on_first_use
    } - {"annotations", "importlib", "TYPE_CHECKING", "Any"}
    assert sorted(kiosk.driver_api.__all__) == sorted(imported_here | on_first_use)
    assert all(hasattr(kiosk.driver_api, name) for name in kiosk.driver_api.__all__)
