"""The soak benchmark keeps working: three residents through the real UI, and its privacy verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import GROWTH_TARGET_MIB, plans

ROOT = Path(__file__).resolve().parents[1]
#: Three journeys of this seed take every branch: both cards, a card forgotten on the reader, elder
#: mode, English, search and life events, a phone number typed then abandoned, "more time".
SEED = 21

pytestmark = pytest.mark.ui


def test_the_seed_takes_every_branch() -> None:
    journeys = list(plans(SEED, 3, 6))
    assert {plan.card for plan in journeys} >= {"id_card", "sscard"}
    for branch in ("forget_card", "elder", "abandon_phone", "more_time", "print", "qr", "plain"):
        assert any(getattr(plan, branch) for plan in journeys), branch
    assert {plan.language for plan in journeys} == {"zh_CN", "en"}
    assert {plan.route for plan in journeys} == {"search", "life_event"}


@pytest.mark.timeout(900)  # about 30 s on a quiet machine; minutes when the 2 cores are shared
def test_a_short_soak_leaves_no_personal_data(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIOSK")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.soak",
            "--journeys",
            "3",
            "--warmup",
            "1",
            "--seed",
            str(SEED),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.exists(), done.stderr[-3000:]
    report = json.loads(out.read_text())

    assert report["private"] and report["findings"] == [], done.stdout
    assert report["failed"] == [] and report["driven"] == 3, done.stdout
    assert "no personal data remains" in done.stdout
    # The search looked everywhere it says: the UI's objects, the files, the logs, the printouts.
    assert report["objects_searched"] > 100_000 and report["texts_searched"] > 100
    assert report["files_searched"] >= 2 + report["printed_files"]  # state.db, catalogue.db, PDFs
    assert report["log_records"] > 0
    assert report["identified"] == 2 and report["printed"] == report["printed_files"] == 3
    assert report["ratings_submitted"] == report["ratings_in_outbox"] == 1  # two numbers abandoned
    assert report["rss_warm_mib"] > 100 and report["rss_end_mib"] > 100
    assert report["size"] == "1920x1080"  # the appliance's panel, unless --size says otherwise
    # What the memory consists of is read at the end: the textures the screens hold, the C heap.
    contents = report["contents"]
    assert contents["textures"] > 100 and 0 < contents["textures_mib"] < report["rss_end_mib"]
    # Screens are built when first shown: three journeys build a dozen of them, not all 29.
    assert contents["widgets"] > 300 and contents["cache kv.texture"] >= 0
    if (ROOT / "bench" / "kivy_floor.py").exists():
        # The bare Kivy floor, read in this run before and after the journeys, is what RSS is held to.
        assert len(report["floor_mib"]) == 2 and min(report["floor_mib"]) > 50
        assert report["floor_ratio"] == report["rss_end_mib"] / min(report["floor_mib"])
        assert "vs the floor" in done.stdout
    assert done.returncode == (0 if report["growth_mib"] <= GROWTH_TARGET_MIB else 1), done.stdout
