"""A simulated SAM reader on a pseudo-terminal: answers the real serial protocol, with a reader's quirks.

The kiosk, the technician commands and the tests open its pty path exactly as they would open
/dev/ttyUSB0, so everything above pyserial runs as it does on a real reader.
"""

from __future__ import annotations

import os
import random
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from typing import Literal

from drivers.idcard import protocol
from drivers.idcard.card_file import SimulatedIdCard
from drivers.idcard.protocol import Command
from kiosk.driver_api import ThreadGuard

#: A SAM id for the simulator: prints as 05.01-20261127-000004711-000000042.
SIM_SAM_ID = (
    bytes([5, 0, 1, 0])
    + (20261127).to_bytes(4, "little")
    + (4711).to_bytes(4, "little")
    + (42).to_bytes(4, "little")
)
_APPENDED_ADDRESS_BYTES = 70


@dataclass
class Quirks:
    """How the simulated reader misbehaves, as a real one sometimes does."""

    #: Pace answer bytes at this baud rate (ptys deliver at once); None answers as fast as it can.
    baud: int | None = None
    #: Garbage bytes before each answer, ending with a torn preamble.
    noise: bool = False
    #: Spoil the checksum of read answers: "once" (the first only) or "always".
    bad_checksum: Literal["", "once", "always"] = ""
    #: The card leaves halfway through the first read answer.
    lift_mid_read: bool = False


@dataclass
class WireCount:
    """Bytes that crossed the line in each direction (for the benchmark's wire time)."""

    to_reader: int = 0
    from_reader: int = 0
    frames: list[tuple[str, int, int]] = field(default_factory=list)

    def seconds(self, baud: int) -> float:
        """Time those bytes take on an 8N1 line (10 bits a byte)."""
        return (self.to_reader + self.from_reader) * 10 / baud


class PtyIdReaderSimulator:
    """Serves the SAM protocol on a pty; cards are placed and lifted by the caller."""

    def __init__(
        self, card: SimulatedIdCard | None = None, quirks: Quirks | None = None, seed: int = 4
    ) -> None:
        self.quirks = quirks or Quirks()
        self.wire = WireCount()
        self._card = card
        self._selected = False
        self._spoiled = 0
        self._lifted_once = False
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = ThreadGuard("idcard simulator", pause=lambda: 0.1, stop=self._stop)
        self._master = -1
        self._slave = -1
        self.path = ""

    # -- the caller's hands ----------------------------------------------------------------------

    def place(self, card: SimulatedIdCard) -> None:
        """Lay a card on the antenna."""
        with self._lock:
            self._card = card
            self._selected = False

    def lift(self) -> None:
        """Take the card away."""
        with self._lock:
            self._card = None
            self._selected = False

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> str:
        """Open the pty and serve it on a thread; returns the path a reader opens."""
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._serve, name="idcard-sim", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        """Stop serving and close the pty."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1

    def __enter__(self) -> PtyIdReaderSimulator:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until interrupted (the `kiosk sim idcard` command)."""
        try:
            while not self._stop.wait(0.5):
                pass
        finally:
            self.stop()

    # -- the protocol ----------------------------------------------------------------------------

    def _serve(self) -> None:
        buffer = bytearray()
        while not self._stop.is_set():
            with self._guard:  # a card file the protocol cannot carry costs that answer, not the reader
                ready, _, _ = select.select([self._master], [], [], 0.1)
                if not ready:
                    continue
                try:
                    buffer.extend(os.read(self._master, 4096))
                except OSError:
                    return  # the pty was closed: the simulator stops
                self._answer_all(buffer)

    def _answer_all(self, buffer: bytearray) -> None:
        """Answer every complete command in `buffer` (taking them out of it)."""
        for frame in _take_commands(buffer):
            self.wire.to_reader += len(frame)
            if self.quirks.baud:
                # The command itself took this long to arrive over the line.
                time.sleep(len(frame) * 10 / self.quirks.baud)
            self._answer(frame)

    def _answer(self, frame: bytes) -> None:
        try:
            command, _ = protocol.parse_command(frame)
        except protocol.FrameError:
            self._send(protocol.build_answer(protocol.RECEIVE_CHECKSUM_ERROR))
            return
        with self._lock:
            answer, cut = self._respond(command)
        if self.quirks.noise:
            noise = bytes(self._random.choice(range(0x00, 0xAA)) for _ in range(self._random.randint(1, 12)))
            self._send(noise + protocol.PREAMBLE[:4], count=False)
        self._send(answer[:cut] if cut else answer)
        self.wire.frames.append((command.name if command else "unknown", len(frame), len(answer)))

    def _respond(self, command: Command | None) -> tuple[bytes, int]:  # noqa: PLR0911 - one return per command
        """The answer frame, and where to cut it short (0: send it whole)."""
        card = self._card
        if command is Command.FIND_CARD:
            found = card is not None
            return (
                protocol.build_answer(protocol.FOUND, bytes(4)) if found else protocol.build_answer(0x80)
            ), 0
        if command is Command.SELECT_CARD:
            self._selected = card is not None
            return (protocol.build_answer(0x90, bytes(8)) if card else protocol.build_answer(0x81)), 0
        if command is Command.READ_BASIC:
            if card is None or not self._selected:
                return protocol.build_answer(0x41), 0
            text = card.text_block or protocol.build_text(card.card, card.flag)
            photo = card.card.photo_wlt or bytes(protocol.PHOTO_LENGTH)
            answer = protocol.build_answer(0x90, protocol.build_read_data(text, photo))
            if self.quirks.lift_mid_read and not self._lifted_once:
                self._lifted_once = True
                self._card = None
                self._selected = False
                return answer, len(answer) // 2
            if self.quirks.bad_checksum == "always" or (
                self.quirks.bad_checksum == "once" and not self._spoiled
            ):
                self._spoiled += 1
                answer = answer[:-1] + bytes([answer[-1] ^ 0xFF])
            return answer, 0
        if command is Command.READ_APPENDED_ADDRESS:
            if card is None or not self._selected:
                return protocol.build_answer(0x41), 0
            if not card.card.appended_address:
                return protocol.build_answer(protocol.NO_CONTENT), 0
            data = card.card.appended_address.ljust(_APPENDED_ADDRESS_BYTES // 2).encode("utf-16-le")
            return protocol.build_answer(0x90, data), 0
        if command is Command.SAM_STATUS or command is Command.RESET_SAM:
            return protocol.build_answer(0x90), 0
        if command is Command.SAM_ID:
            return protocol.build_answer(0x90, SIM_SAM_ID), 0
        return protocol.build_answer(0x21), 0  # fingerprints and baud changes are not simulated

    def _send(self, data: bytes, count: bool = True) -> None:
        if count:
            self.wire.from_reader += len(data)
        baud = self.quirks.baud
        if not baud:
            _write_all(self._master, data)
            return
        # A byte is there for the host only once its 10 bits have crossed the line.
        started = time.monotonic()
        chunk = 32
        for offset in range(0, len(data), chunk):
            piece = data[offset : offset + chunk]
            due = started + (offset + len(piece)) * 10 / baud
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            _write_all(self._master, piece)


def _take_commands(buffer: bytearray) -> list[bytes]:
    """Whole command frames at the front of `buffer` (removed from it); noise is dropped."""
    frames: list[bytes] = []
    while True:
        start = buffer.find(protocol.PREAMBLE)
        if start < 0:
            del buffer[: max(0, len(buffer) - 4)]
            return frames
        del buffer[:start]
        if len(buffer) < 7:
            return frames
        total = 7 + ((buffer[5] << 8) | buffer[6])
        if len(buffer) < total:
            return frames
        frames.append(bytes(buffer[:total]))
        del buffer[:total]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
