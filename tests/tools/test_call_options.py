"""`voxsim run` caller options: --say, --dtmf, --caller-script, --record, and the caller hanging up on silence."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from voxsim.tools.cli import EXIT_OK, EXIT_USAGE, main

ECHO = """
require(Modules.ASR);
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.handleTones(true);
  call.addEventListener(CallEvents.Connected, () => {
    const asr = VoxEngine.createASR({ profile: ASRProfileList.Google.en_US });
    asr.addEventListener(ASREvents.Result, (ev) => { Logger.write("heard " + ev.text); call.say("You said " + ev.text); });
    call.sendMediaTo(asr);
    call.record({ stereo: true });
    call.say("Hi there.");
  });
  call.addEventListener(CallEvents.ToneReceived, (ev) => Logger.write("key " + ev.tone));
  call.addEventListener(CallEvents.Disconnected, (ev) => { Logger.write("gone " + ev.internalCode); VoxEngine.terminate(); });
  call.answer();
});
"""

OUTBOUND = """
VoxEngine.addEventListener(AppEvents.Started, () => {
  const call = VoxEngine.callPSTN("+15557654321", "+15550001111");
  call.addEventListener(CallEvents.Connected, () => { Logger.write("answered"); call.say("This is your reminder."); });
  call.addEventListener(CallEvents.ToneReceived, (ev) => Logger.write("callee key " + ev.tone));
  call.addEventListener(CallEvents.Disconnected, () => { Logger.write("callee hung up"); VoxEngine.terminate(); });
  call.handleTones(true);
});
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _times(output: str, text: str) -> float:
    line = next(line for line in output.splitlines() if text in line)
    return float(line.split("]")[0].strip("[ "))


def test_say_dtmf_and_record(tmp_path: Path) -> None:
    scenario = _write(tmp_path, "echo.js", ECHO)
    record = tmp_path / "rec"
    result = CliRunner().invoke(main, ["run", str(scenario), "--say", "book a table", "--say", "two people",
                                       "--dtmf", "42@9", "--record", str(record)])
    assert result.exit_code == EXIT_OK, result.output
    out = result.output
    assert _times(out, "heard book a table") < _times(out, "heard two people")  # one line per agent turn
    assert _times(out, "key 4") >= 9.0 and _times(out, "key 2") > _times(out, "key 4")
    gone = _times(out, "gone 200")  # after 5 s of quiet, and not before the keys (+1 s)
    assert 10.0 <= gone < 16
    assert "caller: hangs up after 5 s of silence" in out
    assert len(list(record.glob("*.wav"))) == 1


def test_call_without_lines_hangs_up_on_silence(tmp_path: Path) -> None:
    scenario = _write(tmp_path, "echo.js", ECHO)
    result = CliRunner().invoke(main, ["run", str(scenario), "--call", "+15551234567",
                                       "--hangup-after-silence", "2", "--record", str(tmp_path / "r")])
    assert result.exit_code == EXIT_OK, result.output
    assert 2.0 < _times(result.output, "gone 200") < 4.0  # greeting (~1 s), then 2 s of silence


def test_caller_script_with_a_callee_script(tmp_path: Path) -> None:
    scenario = _write(tmp_path, "out.js", OUTBOUND)
    script = _write(tmp_path, "callee.yaml", """
callees:
  "+15557654321":
    answer_after: 2
    steps:
      - wait: agent.silent
      - dtmf: "1"
      - say: thanks, bye
      - hangup
""")
    trace = tmp_path / "t.jsonl"
    result = CliRunner().invoke(main, ["run", str(scenario), "--caller-script", str(script), "--trace", str(trace)])
    assert result.exit_code == EXIT_OK, result.output
    out = result.output
    assert _times(out, "answered") >= 2.0
    assert _times(out, "answered") < _times(out, "callee key 1") < _times(out, "callee hung up")
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    assert any(r["type"] == "media" and r.get("text") == "thanks, bye" for r in records)


def test_usage_errors(tmp_path: Path) -> None:
    scenario = _write(tmp_path, "echo.js", ECHO)
    runner = CliRunner()
    bad = runner.invoke(main, ["run", str(scenario), "--dtmf", "12"])
    assert bad.exit_code == EXIT_USAGE and "DIGITS@SECONDS" in bad.output
    script = _write(tmp_path, "s.yaml", "- say: hi\n- wait: later\n")
    bad = runner.invoke(main, ["run", str(scenario), "--caller-script", str(script)])
    assert bad.exit_code == EXIT_USAGE and f"{script}:2:" in bad.output
    good = _write(tmp_path, "g.yaml", "- say: hi\n")
    both = runner.invoke(main, ["run", str(scenario), "--caller-script", str(good), "--say", "hi"])
    assert both.exit_code == EXIT_USAGE and "not both" in both.output


def test_run_shows_who_says_what_and_json_lines(tmp_path: Path) -> None:
    scenario = _write(tmp_path, "echo.js", ECHO)
    rec = str(tmp_path / "r")
    result = CliRunner().invoke(main, ["run", str(scenario), "--say", "book a table", "--record", rec])
    assert result.exit_code == EXIT_OK, result.output
    assert _times(result.output, "player-1 -> call-1 says: Hi there.") < _times(result.output, "call-1 -> asr-1 says: book a table")
    lines = CliRunner().invoke(main, ["run", str(scenario), "--call", "+1555", "--json", "--record", rec]).output
    records = [json.loads(line) for line in lines.splitlines()]
    assert records[0]["name"] == "Application.Started" and records[-1]["name"] == "Application.Terminated"
