from __future__ import annotations

import pytest

from bench.search import main


def test_the_search_benchmark_runs_and_agrees_with_the_scan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--guides", "1500", "--rounds", "1"]) == 0  # 1 would mean index and scan disagree
    report = capsys.readouterr().out
    for line in ("guides            1,500", "guides/s", "MiB", "index  p50", "scan   p50", "scan / index:"):
        assert line in report
