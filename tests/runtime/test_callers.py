"""Caller scripts: parsing with errors that name the line, and running them against a real scenario."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.callers import CallerScript, CallerScriptError, Step, load_script, parse_script, steps_from

GOOD = """\
steps:
  - wait: agent.silent
  - say: I want to book a table
  - barge_in: two people
    after_ms: 700
  - dtmf: "12#"
  - dtmf: {digits: 5, inband: true}
  - wait: 2.5
  - wait: {until: Cartesia.Agents.Clear, timeout: 4}
  - hangup
hangup_after_silence: null
caller: "+15551234567"
callees:
  "+15557654321":
    answer_after: 2
    steps: [{say: hello}]
"""


def test_parse_every_step_kind() -> None:
    script = parse_script(GOOD, "demo.yaml")
    assert [s.kind for s in script.steps] == ["wait", "say", "barge_in", "dtmf", "dtmf", "wait", "wait", "hangup"]
    assert [s.line for s in script.steps] == [2, 3, 4, 6, 7, 8, 9, 10]
    assert script.steps[0].until == "agent.silent"
    assert script.steps[2] == Step("barge_in", 4, text="two people", after_ms=700.0)
    assert script.steps[4].digits == "5" and script.steps[4].inband
    assert script.steps[5].seconds == 2.5
    assert script.steps[6].until == "Cartesia.Agents.Clear" and script.steps[6].timeout == 4
    assert script.hangup_after_silence is None and script.ends_with_hangup
    assert script.caller == "+15551234567"
    callee = script.callees["+15557654321"]
    assert callee["answer_after"] == 2 and isinstance(callee["script"], CallerScript)
    assert callee["script"].steps[0].text == "hello"


@pytest.mark.parametrize("text, line, words", [
    ("- say: hi\n- sing: la la\n", 2, "exactly one of say"),
    ("- say: hi\n- wait: soon\n", 2, "event name"),
    ("- say: hi\n\n- dtmf: 12x\n", 3, "keys 0-9"),
    ("- barge_in: hey\n  after_ms: -5\n", 1, "after_ms must be a number"),
    ("- say: ''\n", 1, "needs some text"),
    ("- say: hi\n  volume: 3\n", 1, "unknown key 'volume'"),
    ("- play: no-such.wav\n", 1, "no such audio file"),
    ("- say: hi\n  - oops\n", 2, "not valid YAML"),
    ("steps: 3\n", 1, "steps must be a list"),
    ("stepz: []\n", 1, "unknown key 'stepz'"),
    ("- hangup: now\n", 1, "hangup takes no value"),
])
def test_errors_name_the_line(text: str, line: int, words: str, tmp_path: Path) -> None:
    with pytest.raises(CallerScriptError) as info:
        parse_script(text, "caller.yaml", base=tmp_path)
    assert str(info.value).startswith(f"caller.yaml:{line}: ")
    assert words in str(info.value)


def test_load_script_resolves_play_next_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "hi.wav").write_bytes(b"RIFF")
    (tmp_path / "s.yaml").write_text("- play: hi.wav\n")
    assert load_script(tmp_path / "s.yaml").steps[0].path == tmp_path / "hi.wav"
    with pytest.raises(CallerScriptError, match="cannot read"):
        load_script(tmp_path / "missing.yaml")


def test_steps_from_list_of_mappings() -> None:
    script = steps_from([{"say": "hello"}, "hangup"])
    assert [s.kind for s in script.steps] == ["say", "hangup"]
    with pytest.raises(CallerScriptError):
        steps_from(42)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        parse_script(text, "x.yaml")
    except CallerScriptError as exc:
        assert str(exc).startswith("x.yaml")


SCENARIO = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.handleTones(true);
  call.addEventListener(CallEvents.Connected, () => call.say("Welcome. Press a key or say something."));
  call.addEventListener(CallEvents.ToneReceived, (ev) => Logger.write("tone " + ev.tone));
  call.addEventListener(CallEvents.Disconnected, (ev) => { Logger.write("gone " + ev.internalCode); VoxEngine.terminate(); });
  call.answer();
});
"""


def _run(tmp_path: Path, script: str) -> list:
    from voxsim.tools.pytest.runner import RunSpec, run_scenario

    (tmp_path / "s.js").write_text(SCENARIO)
    spec = RunSpec([tmp_path / "s.js"], tmp_path / "run",
                   caller={"callerid": "+15551234567", "script": parse_script(script, "c.yaml")}, max_seconds=120)
    result = run_scenario(spec)
    assert result.ended_by_itself
    return result.records


def _t(records: list, **match: str) -> float:
    return next(r.t for r in records if all(r.get(k) == v for k, v in match.items()))


def test_script_runs_in_turn_with_the_scenario(tmp_path: Path) -> None:
    records = _run(tmp_path, "- wait: agent.silent\n- dtmf: '42'\n- say: hello there\n- hangup\n")
    greeting_end = _t(records, type="media", action="stop", source="player-1")
    tone = _t(records, type="log", text="tone 4")
    assert greeting_end < tone < greeting_end + 1.0  # 600 ms of quiet, then the keys
    assert _t(records, type="log", text="tone 2") == pytest.approx(tone + 0.2)
    said = _t(records, type="media", action="start", kind="speech", text="hello there")
    gone = _t(records, type="log", text="gone 200")
    assert tone < said < gone
    assert not [r for r in records if r.type == "warning"]


def test_caller_hangs_up_after_silence_and_warns_on_timeouts(tmp_path: Path) -> None:
    records = _run(tmp_path, "steps:\n  - wait: {until: Cartesia.Agents.ACK, timeout: 2}\nhangup_after_silence: 3\n")
    warning = next(r for r in records if r.type == "warning")
    assert "c.yaml:2" in warning["message"] and "Cartesia.Agents.ACK" in warning["message"]
    greeting_end = _t(records, type="media", action="stop", source="player-1")
    assert _t(records, type="log", text="gone 200") == pytest.approx(greeting_end + 3, abs=0.1)


def test_play_inband_keys_and_wait_for_agent_speaking(tmp_path: Path) -> None:
    import numpy as np

    from voxsim.runtime.media.recorder import WavWriter
    from voxsim.runtime.media.tones import sine

    wav = WavWriter(tmp_path / "beep.wav", 8000, 1)
    wav.write(sine([(1000, -10.0)], 1.5, 8000))
    wav.close()
    script = ("- wait: agent.speaking\n- wait: agent.silent\n- play: beep.wav\n"
              "- dtmf: {digits: '3', inband: true}\n- hangup\n")
    (tmp_path / "c.yaml").write_text(script)
    from voxsim.runtime.callers import load_script
    from voxsim.tools.pytest.runner import RunSpec, run_scenario

    (tmp_path / "s.js").write_text(SCENARIO)
    spec = RunSpec([tmp_path / "s.js"], tmp_path / "run",
                   caller={"callerid": "+15551234567", "script": load_script(tmp_path / "c.yaml")}, max_seconds=120)
    records = run_scenario(spec).records
    greeting_end = _t(records, type="media", action="stop", source="player-1")
    tone = _t(records, type="log", text="tone 3")  # detected in the call's audio (handleTones), after the 1.5 s beep
    assert greeting_end + 1.5 < tone < greeting_end + 3.0
    assert _t(records, type="log", text="gone 200") > tone
    assert np.isfinite(tone)


_STEP = st.one_of(
    st.builds(lambda t: {"say": t}, st.text(alphabet="abcdefgh ,.!?", min_size=1).filter(str.strip)),
    st.builds(lambda d: {"dtmf": d}, st.text(alphabet="0123456789*#ABCD", min_size=1, max_size=6)),
    st.builds(lambda s: {"wait": s}, st.floats(min_value=0, max_value=100, allow_nan=False)),
    st.sampled_from([{"wait": "agent.silent"}, {"wait": "agent.speaking"}, {"wait": "Call.Connected"}, "hangup"]),
    st.builds(lambda t, ms: {"barge_in": t, "after_ms": ms}, st.sampled_from(["two", "no thanks"]),
              st.integers(min_value=0, max_value=5000)),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_STEP, min_size=1, max_size=8))
def test_dumped_step_lists_parse_back_with_one_line_per_step(steps: list) -> None:
    import yaml

    import json

    steps = json.loads(json.dumps(steps))  # no shared objects: YAML would write anchors and aliases for them
    text = yaml.safe_dump(steps, default_flow_style=False, width=1000)
    script = parse_script(text, "gen.yaml")
    kinds = [s if isinstance(s, str) else next(k for k in s if k != "after_ms") for s in steps]
    assert [s.kind for s in script.steps] == kinds
    lines = [s.line for s in script.steps]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    for step, source in zip(script.steps, steps):
        if step.kind == "say":
            assert step.text == source["say"]
        elif step.kind == "dtmf":
            assert step.digits == source["dtmf"].upper()
        elif step.kind == "barge_in":
            assert step.after_ms == source["after_ms"]


LATE_ANSWER = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.addEventListener(CallEvents.Connected, () => Logger.write("connected"));
  call.addEventListener(CallEvents.Disconnected, () => { Logger.write("gone"); VoxEngine.terminate(); });
  setTimeout(() => call.answer(), 10000);
});
"""


def test_silence_is_counted_from_connect_not_from_session_start(tmp_path: Path) -> None:
    from voxsim.tools.pytest.runner import RunSpec, run_scenario

    (tmp_path / "late.js").write_text(LATE_ANSWER)
    spec = RunSpec([tmp_path / "late.js"], tmp_path / "run",
                   caller={"callerid": "+15551234567", "script": parse_script("steps: []\nhangup_after_silence: 3\n",
                                                                           "c.yaml")}, max_seconds=120)
    records = run_scenario(spec).records
    connected = _t(records, type="log", text="connected")
    assert connected == pytest.approx(10.0, abs=0.1)
    assert _t(records, type="log", text="gone") == pytest.approx(connected + 3, abs=0.1)


def test_a_far_end_script_ends_with_a_session_that_drops_its_call() -> None:
    """``VoxEngine.terminate()`` drops the call without ``Disconnected``: the caller's script stops there too
    (a script left waiting would keep the ended session alive on a loop that goes on, as a load worker's does)."""
    from voxsim.runtime.clock import run
    from voxsim.runtime.network import Caller
    from voxsim.runtime.session import Session

    scenario = """
    VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
      e.call.answer();
      e.call.addEventListener(CallEvents.Connected, () => setTimeout(() => VoxEngine.terminate(), 1000));
    });
    """
    script = parse_script("- wait: 30\n- say: still here\n", "c.yaml")

    async def main() -> tuple[bool, float]:
        session = Session()
        session.load(scenario, "s.js")
        await session.start(inbound=Caller(extra={"script": script}))
        await session.wait(max_seconds=60)
        ended_at = session.clock.now()
        runners = list(session.extensions.get("callers", {}).values())
        assert len(runners) == 1
        await asyncio.sleep(0)  # one turn for the cancellation to land
        session.close()
        return runners[0].task.done(), ended_at

    done, ended_at = run(main(), virtual=True)
    assert ended_at < 5 and done
