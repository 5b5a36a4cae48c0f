"""The espeak-ng speaker with the real espeak-ng, playing into a test sound card (sound_card.py)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import wave
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.speech.espeak import EspeakSpeaker, amplitude
from kiosk.devices import DriverContext, build_driver
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer
from tests.daemons import require_executable

SOUND_CARD = Path(__file__).with_name("sound_card.py")
SECTION = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.speaker.model_copy(
    update={"driver": "espeak"}
)
CHINESE = "请把身份证放在读卡区。"
ENGLISH = "Please place your ID card on the reader."
#: About half a minute of speech: long enough to still be talking when a test interrupts it.
LONG = " ".join(["This kiosk reads every screen aloud, slowly and clearly, for anyone who asks."] * 8)

MakeSpeaker = Callable[..., EspeakSpeaker]


@pytest.fixture
def make_speaker(tmp_path: Path) -> Iterator[MakeSpeaker]:
    """Espeak speakers playing into numbered WAV files under tmp_path/card; closed after the test."""
    require_executable("espeak-ng")
    card = tmp_path / "card"
    card.mkdir()
    made: list[EspeakSpeaker] = []

    def make(volume: int = 70, realtime: bool = False, player: list[str] | None = None) -> EspeakSpeaker:
        command = [sys.executable, str(SOUND_CARD), str(card)] + (["--realtime"] if realtime else [])
        section = SECTION.model_copy(
            update={"volume": volume, "player": command if player is None else player}
        )
        speaker = EspeakSpeaker(section, DriverContext(tmp_path, "k"))
        made.append(speaker)
        return speaker

    yield make
    for speaker in made:
        speaker.close()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> float:
    """Wait for `condition`; returns how long it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - started


def played(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "card").glob("*.wav"))


def samples(path: Path) -> array[int]:
    """The 16-bit samples of a WAV espeak-ng wrote (its streamed header has no true length)."""
    data = path.read_bytes()[44:]
    pcm = array("h")
    pcm.frombytes(data[: len(data) - len(data) % 2])
    return pcm


def rms(pcm: array[int]) -> float:
    return (sum(sample * sample for sample in pcm) / max(1, len(pcm))) ** 0.5


def reference(tmp_path: Path, text: str, voice: str) -> array[int]:
    """What espeak-ng itself writes for `text` in `voice` at the default volume (70: amplitude 140)."""
    path = tmp_path / f"reference-{voice}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-a", "140", "-b", "1", "--stdin", "-w", str(path)],
        input=text.encode(),
        check=True,
    )
    return samples(path)


def command_line(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended in the meantime
        return b""


def say_completely(speaker: EspeakSpeaker, text: str, language: str) -> None:
    speaker.say(text, language)
    wait_until(lambda: not speaker.speaking)


def test_the_driver_is_found_by_name(tmp_path: Path) -> None:
    require_executable("espeak-ng")
    speaker = build_driver("speaker", SECTION, DriverContext(tmp_path, "k"))
    try:
        assert isinstance(speaker, EspeakSpeaker)
    finally:
        speaker.close()


def test_mandarin_and_english_are_spoken(make_speaker: MakeSpeaker, tmp_path: Path) -> None:
    speaker = make_speaker()
    say_completely(speaker, CHINESE, "zh_CN")
    say_completely(speaker, ENGLISH, "en")
    chinese, english = played(tmp_path)
    for path in (chinese, english):
        with wave.open(str(path)) as audio:
            assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 22050)
        pcm = samples(path)
        assert len(pcm) > 22050, f"{path.name}: under a second of speech"
        assert rms(pcm) > 300, f"{path.name}: silence"
    # Each in its own voice: exactly what espeak-ng says with the Mandarin (cmn) and the English voice.
    assert samples(chinese) == reference(tmp_path, CHINESE, "cmn") != reference(tmp_path, CHINESE, "en")
    assert samples(english) == reference(tmp_path, ENGLISH, "en")


def test_a_louder_volume_gives_louder_speech(make_speaker: MakeSpeaker, tmp_path: Path) -> None:
    say_completely(make_speaker(volume=20), ENGLISH, "en")
    say_completely(make_speaker(volume=90), ENGLISH, "en")
    quiet, loud = (rms(samples(path)) for path in played(tmp_path))
    assert loud > 3 * quiet > 0
    assert (amplitude(0), amplitude(50), amplitude(100)) == (0, 100, 200)


def test_stop_ends_the_utterance_at_once(make_speaker: MakeSpeaker, tmp_path: Path) -> None:
    speaker = make_speaker(realtime=True)
    started = time.monotonic()
    speaker.say(LONG, "en")
    assert time.monotonic() - started < 0.1, "say() must return at once, never wait for speech"
    wait_until(lambda: bool(played(tmp_path)) and played(tmp_path)[0].stat().st_size > 22050)
    speaker.stop()
    assert wait_until(lambda: not speaker.speaking, timeout=2) < 1.0
    (path,) = played(tmp_path)
    size = path.stat().st_size
    time.sleep(0.2)
    assert path.stat().st_size == size, "the sound card still receives speech after stop()"
    assert size < 10 * 44100, "the whole text was spoken"


def test_a_new_utterance_interrupts_the_one_in_progress(make_speaker: MakeSpeaker, tmp_path: Path) -> None:
    speaker = make_speaker(realtime=True)
    speaker.say(LONG, "en")
    wait_until(lambda: bool(played(tmp_path)) and played(tmp_path)[0].stat().st_size > 22050)
    speaker.say("Thank you.", "en")
    wait_until(lambda: not speaker.speaking)
    first, second = played(tmp_path)
    assert first.stat().st_size < 10 * 44100, "the first utterance was not interrupted"
    assert samples(second) == reference(tmp_path, "Thank you.", "en"), "the second was not said whole"


def test_queued_words_follow_unless_interrupted(make_speaker: MakeSpeaker, tmp_path: Path) -> None:
    speaker = make_speaker()
    speaker.say(CHINESE, "zh_CN")
    speaker.say(ENGLISH, "en", interrupt=False)
    wait_until(lambda: not speaker.speaking)
    assert len(played(tmp_path)) == 2


def test_the_text_is_neither_on_a_command_line_nor_logged(
    make_speaker: MakeSpeaker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Nobody else may see this sentence on a command line."
    speaker = make_speaker(realtime=True)
    speaker.say(secret + " " + LONG, "en")
    wait_until(lambda: bool(played(tmp_path)))
    command_lines = [command_line(path) for path in Path("/proc").glob("[0-9]*/cmdline")]
    speaker.stop()
    assert any(b"espeak-ng" in line for line in command_lines)
    assert not any(b"command line" in line for line in command_lines)
    assert "command line" not in caplog.text


def test_without_espeak_ng_the_kiosk_carries_on_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    speaker = EspeakSpeaker(SECTION, DriverContext(tmp_path, "k"))
    try:
        speaker.say(ENGLISH, "en")
        assert not speaker.speaking
    finally:
        speaker.close()
    assert "speaker: espeak-ng is not installed (not found on PATH); voice guidance is silent" in caplog.text


def test_a_player_that_fails_is_named_for_the_technician(
    make_speaker: MakeSpeaker, caplog: pytest.LogCaptureFixture
) -> None:
    # What aplay does when the site's listening jack is not there: complain and exit non-zero.
    failing = [sys.executable, "-c", "import sys; sys.exit('aplay: main: audio open error: No such device')"]
    speaker = make_speaker(player=failing)
    say_completely(speaker, ENGLISH, "en")
    say_completely(speaker, ENGLISH, "en")
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1, "a lasting failure is logged when it starts, not on every utterance"
    assert "could not speak on player" in warnings[0] and "audio open error: No such device" in warnings[0]
    assert ENGLISH not in caplog.text


@pytest.mark.skipif(Path("/dev/snd").exists(), reason="this machine has a sound card")
def test_without_a_sound_card_the_default_output_fails_quietly(
    make_speaker: MakeSpeaker, caplog: pytest.LogCaptureFixture
) -> None:
    speaker = make_speaker(player=[])
    say_completely(speaker, ENGLISH, "en")
    assert "speaker: could not speak on the default audio device: espeak-ng (exit 0)" in caplog.text


def test_a_failure_nobody_expected_costs_one_utterance_not_the_voice(
    make_speaker: MakeSpeaker, caplog: pytest.LogCaptureFixture
) -> None:
    # A NUL byte in the player's command: subprocess raises ValueError, which no one planned for.
    speaker = make_speaker(player=["aplay\0"])
    for _ in range(2):  # the worker is still there to take the second one
        speaker.say(ENGLISH, "en")
        wait_until(lambda: not speaker.speaking, timeout=5)
    assert speaker._guard.failures == 2
    assert any("speaker: unexpected ValueError" in record.getMessage() for record in caplog.records)
    assert ENGLISH not in caplog.text
