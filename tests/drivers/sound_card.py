"""A sound card for the tests: plays the WAV on its stdin into the next numbered file of a folder.

Used as devices.speaker.player (`python sound_card.py FOLDER [--realtime]`). With --realtime it
takes the audio no faster than a real card would play it, so an utterance lasts as long as its
speech and can be interrupted half way, as on a kiosk.
"""

from __future__ import annotations

import itertools
import os
import struct
import sys
import time
from pathlib import Path

#: espeak-ng's WAV header on --stdout: RIFF, fmt and the data chunk's header.
HEADER_BYTES = 44


def claim_file(folder: Path) -> int:
    """Open the next free NNNN.wav of `folder` for writing (two players never share one)."""
    for number in itertools.count(1):
        try:
            return os.open(folder / f"{number:04d}.wav", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def play(folder: Path, realtime: bool) -> None:
    stdin = sys.stdin.buffer
    output = claim_file(folder)
    header = stdin.read(HEADER_BYTES)
    os.write(output, header)
    if len(header) < HEADER_BYTES:
        return
    (bytes_per_second,) = struct.unpack_from("<I", header, 28)
    started, played = time.monotonic(), 0
    while chunk := stdin.read1(bytes_per_second // 20):  # type: ignore[attr-defined]
        os.write(output, chunk)
        played += len(chunk)
        if realtime:
            time.sleep(max(0.0, started + played / bytes_per_second - time.monotonic()))
    os.close(output)


if __name__ == "__main__":
    play(Path(sys.argv[1]), "--realtime" in sys.argv[2:])
