"""`voxsim demo`: zero configuration, the conversation printed as it happens, WAV + trace + pictures written."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from voxsim.tools.cli import EXIT_OK, EXIT_USAGE, main


@pytest.mark.slow  # ~5 s alone, 12 s on the loaded shared box
def test_demo_runs_the_whole_conversation_and_writes_its_files(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--no-color"])
    assert result.exit_code == EXIT_OK, result.output
    lines = result.output.splitlines()

    def at(words: str) -> int:
        return next(i for i, line in enumerate(lines) if words in line)

    # greeting → user utterance → reply → barge-in → goodbye → the agent ends the call, in that order
    order = [at("Agent   Hello, you have reached the booking desk"), at("Caller  Hi, I would like to book a table"),
             at("Agent   Sure. For how many people?"), at("Caller  two people  (talks over the agent: barge-in)"),
             at("Clear: the agent was interrupted"), at("Agent   Great, a table for two people"),
             at("Caller  That's all, goodbye."), at("Agent   Thank you for calling. Goodbye!"),
             at("agent closed the stream: call ended by agent")]
    assert order == sorted(order)
    assert "\x1b[" not in result.output  # --no-color: plain text

    with wave.open(str(out / "call.wav")) as wav:
        assert wav.getnchannels() == 2
        seconds = wav.getnframes() / wav.getframerate()
    records = [json.loads(line) for line in (out / "trace.jsonl").read_text().splitlines()]
    assert abs(seconds - records[-1]["t"]) < 0.5  # the whole call is recorded
    assert (out / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (out / "timeline.svg").read_text()[:500]
    for name in ("call.wav", "trace.jsonl", "timeline.png", "timeline.svg"):
        assert str(out / name) in result.output
    assert not (out / "recordings").exists()


def test_demo_with_a_bad_caller_script_is_a_usage_error(tmp_path: Path) -> None:
    script = tmp_path / "c.yaml"
    script.write_text("- say: hi\n- shout: HI\n")
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "o"), "--caller-script", str(script)])
    assert result.exit_code == EXIT_USAGE
    assert f"{script}:2:" in result.output
