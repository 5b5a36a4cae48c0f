"""Voice guidance through espeak-ng: Mandarin for Chinese, English for English, off the UI thread."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
from collections import deque
from dataclasses import dataclass, field

from drivers.speech.settings import VoiceSettings
from kiosk.driver_api import DriverContext, ThreadGuard

log = logging.getLogger(__name__)

EXECUTABLE = "espeak-ng"
#: espeak-ng's voice for each UI language (`espeak-ng --voices`): `cmn` is Mandarin.
VOICES = {"zh_CN": "cmn", "en": "en"}
#: How much of a failing process's error output a technician's log line quotes.
_CAUSE_CHARS = 200


def amplitude(volume: int) -> int:
    """espeak-ng's amplitude (-a, 0-200, its default 100) for devices.speaker.volume (0-100)."""
    return max(0, min(200, volume * 2))


@dataclass
class _Utterance:
    """One espeak-ng run (piped into the player, when there is one), in a process group of its own."""

    processes: list[subprocess.Popen[bytes]]
    killed: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def group(self) -> int:
        return self.processes[0].pid

    def kill(self) -> None:
        """Stop every process of the utterance at once (the player too: it would play what it holds)."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.group, signal.SIGKILL)


class EspeakSpeaker:
    """Says text with espeak-ng. Implements kiosk.ports.Speaker.

    say() and stop() return at once: one worker thread runs espeak-ng, so no caller (the UI thread
    above all) waits for speech. The text goes to espeak-ng on stdin, never on its command line
    (visible to every process on the machine), and is never logged. Audio goes to espeak-ng's
    default output, or, with devices.speaker.player set, through `espeak-ng --stdout` into that
    command (e.g. aplay on the private listening jack). A missing espeak-ng or a missing audio
    device is logged for the technician, once, and the kiosk carries on silent.
    """

    def __init__(self, section: VoiceSettings, context: DriverContext) -> None:
        self._volume = section.volume
        self._player = list(section.player)
        self._executable = shutil.which(EXECUTABLE)
        self._output = f"player {self._player[0]}" if self._player else "the default audio device"
        self._lock = threading.Condition()
        self._queue: deque[tuple[str, str]] = deque()
        self._current: _Utterance | None = None
        self._closed = False
        #: The cause last logged: a failure is logged when it starts, not on every utterance.
        self._failure = ""
        if self._executable is None:
            log.warning(
                "speaker: %s is not installed (not found on PATH); voice guidance is silent", EXECUTABLE
            )
        elif self._player and shutil.which(self._player[0]) is None:
            log.warning(
                "speaker: devices.speaker.player %r is not installed (not found on PATH); "
                "voice guidance is silent",
                self._player[0],
            )
        #: Keeps the worker saying the next utterance whatever went wrong with the last one.
        self._guard = ThreadGuard("speaker", pause=lambda: 0.5, on_failure=self._abandon_utterance)
        self._worker = threading.Thread(target=self._run, name="speaker-espeak", daemon=True)
        self._worker.start()

    def __repr__(self) -> str:
        return f"EspeakSpeaker({self._executable or EXECUTABLE}, volume {self._volume}, to {self._output})"

    @property
    def speaking(self) -> bool:
        """Whether an utterance is being said (or waits its turn) now."""
        with self._lock:
            return self._current is not None or bool(self._queue)

    def say(self, text: str, language: str, *, interrupt: bool = True) -> None:
        """Start saying `text` in `language`, stopping what is being said unless `interrupt` is False."""
        if self._executable is None or not text.strip():
            return
        with self._lock:
            if self._closed:
                return
            if interrupt:
                self._stop_locked()
            self._queue.append((text, language))
            self._lock.notify()

    def stop(self) -> None:
        """Stop talking now: the utterance in progress is killed and nothing waiting is said."""
        with self._lock:
            self._stop_locked()

    def close(self) -> None:
        """Stop talking and end the worker thread."""
        with self._lock:
            self._closed = True
            self._stop_locked()
            self._lock.notify()
        self._worker.join(timeout=5)

    def _stop_locked(self) -> None:
        self._queue.clear()
        if self._current is not None:
            self._current.kill()

    # -- the worker thread ----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._closed:
            with self._guard:
                self._say_next()

    def _say_next(self) -> None:
        """Wait for the next utterance and say it (returns at once when the speaker closes)."""
        with self._lock:
            while not self._queue and not self._closed:
                self._lock.wait()
            if self._closed:
                return
            text, language = self._queue.popleft()
            # Started under the lock, so that a stop() from now on finds it and kills it.
            utterance = self._start(language)
            self._current = utterance
        if utterance is not None:
            self._finish(utterance, text)
        with self._lock:
            self._current = None
        if utterance is not None and not utterance.killed:
            self._report(utterance.errors)

    def _abandon_utterance(self) -> None:
        """After a failure nobody expected: the utterance under way is killed, and the next one is said."""
        with self._lock:
            if self._current is not None:
                self._current.kill()
            self._current = None

    def _start(self, language: str) -> _Utterance | None:
        assert self._executable is not None
        voice = VOICES.get(language, VOICES["en"])
        command = [self._executable, "-v", voice, "-a", str(amplitude(self._volume)), "-b", "1", "--stdin"]
        if self._player:
            command.append("--stdout")
        try:
            # A process group of its own, which the player joins: stop() kills both with one signal.
            # (A group, not a session: a process cannot join a group in another session.)
            espeak = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE if self._player else subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                process_group=0,
            )
        except OSError as error:
            self._report([f"{EXECUTABLE} could not start: {error}"])
            return None
        utterance = _Utterance([espeak])
        if self._player:
            assert espeak.stdout is not None
            try:
                player = subprocess.Popen(
                    self._player,
                    stdin=espeak.stdout,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    process_group=espeak.pid,
                )
            except OSError as error:
                utterance.kill()
                espeak.communicate()  # reaps it and closes its pipes
                self._report([f"player {self._player[0]} could not start: {error}"])
                return None
            finally:
                espeak.stdout.close()  # the player holds the pipe now
            utterance.processes.append(player)
        return utterance

    def _finish(self, utterance: _Utterance, text: str) -> None:
        """Hand over the text and wait until the utterance is said or killed; keep what went wrong."""
        espeak = utterance.processes[0]
        assert espeak.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            espeak.stdin.write(text.encode("utf-8"))
        with contextlib.suppress(BrokenPipeError):
            espeak.stdin.close()
        for process in utterance.processes:
            assert process.stderr is not None
            output = process.stderr.read().decode("utf-8", "replace")
            process.stderr.close()
            code = process.wait()
            name = EXECUTABLE if process is espeak else f"player {self._player[0]}"
            # espeak-ng exits 0 even when it found no sound card: what it writes is the failure.
            if code != 0 or output.strip():
                utterance.errors.append(f"{name} (exit {code}): {_cause(output)}")

    def _report(self, errors: list[str]) -> None:
        """Log a failure when it starts and the recovery when it ends: not a line per utterance."""
        failure = "; ".join(errors)
        if failure and failure != self._failure:
            log.warning("speaker: could not speak on %s: %s; voice guidance is silent", self._output, failure)
        elif not failure and self._failure:
            log.info("speaker: speaking on %s again", self._output)
        self._failure = failure


def _cause(output: str) -> str:
    """The first and the last line of an error output: where it started and what it came to."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "no error message"
    cause = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
    return cause[:_CAUSE_CHARS]
