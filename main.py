"""Composition root for `python main.py`: the same as the `kiosk` command (default: run the UI)."""

from __future__ import annotations

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main(args=sys.argv[1:] or ["run"]))
