"""`voxsim call`: the terminal caller, driven here by a scripted stdin (input that is not a terminal takes turns)."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import EXIT_OK, EXIT_USAGE, main
from voxsim.tools.cli.call import Speaker, classify, open_speaker

ECHO = """
require(Modules.ASR);
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.handleTones(true);
  call.addEventListener(CallEvents.Connected, () => {
    const asr = VoxEngine.createASR({ profile: ASRProfileList.Google.en_US });
    asr.addEventListener(ASREvents.Result, (ev) => call.say("You said " + ev.text));
    call.sendMediaTo(asr);
    call.say("Hi there.");
  });
  call.addEventListener(CallEvents.ToneReceived, (ev) => call.say("Key " + ev.tone));
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  call.answer();
});
"""


@pytest.mark.parametrize("line, meaning", [
    ("hello there\n", ("say", "hello there")), ("5\n", ("dtmf", "5")), ("12#\n", ("dtmf", "12#")),
    ("  \n", ("skip", "")), ("/hangup\n", ("hangup", "")), ("abc\n", ("say", "abc")), ("Bad 4\n", ("say", "Bad 4")),
])
def test_classify(line: str, meaning: tuple[str, str]) -> None:
    assert classify(line) == meaning


@pytest.mark.slow  # real time: the conversation takes ~6 s
def test_scripted_stdin_talks_in_turns_and_writes_what_was_heard(tmp_path: Path) -> None:
    scenario = tmp_path / "echo.js"
    scenario.write_text(ECHO)
    out = tmp_path / "call"
    result = CliRunner().invoke(main, ["call", str(scenario), "--out", str(out), "--play"],
                                input="book a table\n7\n")
    assert result.exit_code == EXIT_OK, result.output
    assert "no sound device" in result.output or "playing the agent" in result.output
    lines = result.output.splitlines()

    def at(words: str) -> int:
        return next(i for i, line in enumerate(lines) if words in line)

    order = [at("Agent   Hi there."), at("Caller  book a table"), at("Agent   You said book a table"),
             at("Caller  presses 7"), at("Agent   Key 7"), at("(you hang up)"), at("call ended")]
    assert order == sorted(order)
    with wave.open(str(out / "heard.wav")) as wav:
        assert wav.getnframes() / wav.getframerate() > 2.0  # three agent lines and the gaps between them
    assert (out / "trace.jsonl").is_file()


def test_syntax_error_exits_2(tmp_path: Path) -> None:
    scenario = tmp_path / "broken.js"
    scenario.write_text("let = ;")
    result = CliRunner().invoke(main, ["call", str(scenario), "--out", str(tmp_path / "o")], input="")
    assert result.exit_code == EXIT_USAGE
    assert "SyntaxError" in result.output


class _FakeStream:
    def __init__(self, samplerate: int, channels: int, dtype: str, callback) -> None:
        self.samplerate, self.callback, self.started, self.closed = samplerate, callback, False, False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True


def test_speaker_feeds_the_device_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    import numpy as np

    fake = types.ModuleType("sounddevice")
    fake.query_devices = lambda kind=None: {"name": "fake"}
    fake.OutputStream = _FakeStream
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    speaker = open_speaker(8000)
    assert isinstance(speaker, Speaker) and speaker.stream.started and speaker.stream.samplerate == 8000
    speaker.play(np.arange(1, 6, dtype=np.int16))
    out = np.full((4, 1), 99, np.int16)
    speaker.stream.callback(out, 4, None, None)
    assert out[:, 0].tolist() == [1, 2, 3, 4]
    speaker.stream.callback(out, 4, None, None)  # underrun: the rest is silence
    assert out[:, 0].tolist() == [5, 0, 0, 0]
    speaker.close()
    assert speaker.stream.closed


def test_no_sound_device_means_no_speaker(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    def no_device(kind=None):
        raise ValueError("No output device matching ''")

    fake = types.ModuleType("sounddevice")
    fake.query_devices = no_device
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    assert open_speaker(8000) is None
