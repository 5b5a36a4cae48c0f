"""The folders syncs download into: a leftover is removed, a running sync's or a link never."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kiosk.sync.scratch import remove_leftovers, sync_scratch

#: Another process holding a scratch folder as a running sync does, until its stdin closes.
HOLDER = """
import sys
from pathlib import Path
from kiosk.sync.scratch import sync_scratch
with sync_scratch(Path(sys.argv[1])) as folder:
    print(folder, flush=True)
    sys.stdin.read()
"""


def test_a_leftover_is_removed_and_a_running_syncs_folder_kept(tmp_path: Path) -> None:
    leftover = tmp_path / "sync-killed"
    (leftover / "targets").mkdir(parents=True)
    (leftover / "targets" / "catalogue-2.jsonl.gz").write_bytes(b"x" * 1000)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    held = Path(holder.stdout.readline().strip())
    assert not leftover.exists()  # the holder's sync removed it as it started
    leftover.mkdir()
    try:
        with sync_scratch(tmp_path) as mine:
            assert sorted(tmp_path.glob("sync-*")) == sorted([held, mine])
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not mine.exists() and not held.exists()


def test_a_link_or_a_file_named_like_a_folder_is_never_followed_nor_removed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    (elsewhere / "passwd").write_text("keep", encoding="utf-8")
    (data / "sync-link").symlink_to(elsewhere, target_is_directory=True)
    (data / "sync-file").write_text("keep", encoding="utf-8")
    (data / "synced.db").write_text("keep", encoding="utf-8")
    assert remove_leftovers(data) == []
    assert (elsewhere / "passwd").read_text(encoding="utf-8") == "keep"
    assert {path.name for path in data.iterdir()} == {"sync-link", "sync-file", "synced.db"}
