"""Benchmark: reading an ID card over the serial driver against the pure wire time of its frames.

The pty simulator paces its answer bytes at 115200 baud (10 bits a byte) and waits out the wire
time of each command, so the wire time of the exchange is the floor no driver can beat. The ratio
of the driver's time (find command sent -> parsed record) to that floor is the overhead of our
framing, parsing and polling. Target: at most 1.10.

    .venv/bin/python bench/idcard.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Literal

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator, Quirks, WireCount
from drivers.idcard.serial_reader import SerialIdCardReader
from drivers.idcard.settings import SerialIdReaderSettings

BAUD: Literal[115200] = 115200
TARGET = 1.10
CARD = Path(__file__).parents[1] / "config" / "demo" / "cards" / "resident.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="cards placed and read")
    runs = parser.parse_args().runs
    simulated = load_id_card(CARD)
    ratios, seconds, wires = [], [], []
    with PtyIdReaderSimulator(None, Quirks(baud=BAUD)) as simulator:
        reader = SerialIdCardReader(
            SerialIdReaderSettings(driver="serial", port=simulator.path, baud=BAUD, timeout=3)
        )
        for _ in range(runs):
            simulator.lift()
            assert reader.read_card(timeout=0) is None  # find answers 80: the reader re-arms
            simulator.place(simulated)
            simulator.wire = WireCount()
            started = time.perf_counter()
            card = reader.read_card(timeout=3)
            elapsed = time.perf_counter() - started
            assert card == simulated.card, "the benchmark read a wrong card"
            wire = simulator.wire.seconds(BAUD)
            seconds.append(elapsed)
            wires.append(wire)
            ratios.append(elapsed / wire)
        reader.close()
    frames = ", ".join(f"{name} {sent}+{got} B" for name, sent, got in simulator.wire.frames)
    print(f"ID card read at {BAUD} baud, {runs} runs; frames of one read: {frames}")
    print(f"wire time (baseline)   median {statistics.median(wires) * 1000:7.2f} ms")
    print(f"find -> parsed record  median {statistics.median(seconds) * 1000:7.2f} ms")
    print(
        f"ratio to wire time     median {statistics.median(ratios):.3f}  "
        f"worst {max(ratios):.3f}  (target <= {TARGET})"
    )
    if statistics.median(ratios) > TARGET:
        raise SystemExit(f"median ratio {statistics.median(ratios):.3f} is above the target {TARGET}")


if __name__ == "__main__":
    main()
