from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_and_drivers_never_import_kivy_or_screens() -> None:
    # import-linter (make lint) checks the same contract on the import graph; this guards lazy
    # imports inside functions too, which is where such a slip would hide.
    offenders = []
    for package in ("kiosk", "drivers"):
        for path in (ROOT / package).rglob("*.py"):
            for name in imported_modules(path):
                if name.split(".")[0] in {"kivy", "screens"}:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_no_test_hook_ships_in_the_kiosk() -> None:
    # A switch that tests flip through the environment is a switch anyone can flip on a kiosk (one
    # used to let SIGUSR2 hang the UI): tests bring their hooks in their own launchers, in tests/.
    offenders = [
        path.relative_to(ROOT).as_posix()
        for package in ("kiosk", "drivers", "screens")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "KIOSK_TEST_" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_only_the_ui_tests_import_kivy_or_screens() -> None:
    # Importing Kivy opens its window the first time it is asked for, at whatever size: in one
    # pytest process the UI tests (tests/screens/conftest.py) must be the first to set it up, or
    # every UI test after them draws into a surface of the wrong size.
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "tests").rglob("*.py")
        if "screens" not in path.relative_to(ROOT / "tests").parts[:1]
        for name in imported_modules(path)
        if name.split(".")[0] in {"kivy", "screens"}
    ]
    assert offenders == []
