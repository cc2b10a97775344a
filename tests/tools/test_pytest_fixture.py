"""The voxsim fixture running real scenarios on virtual time, from plain and async tests."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from voxsim.tools.pytest.expect import TraceAssertionError
from voxsim.tools.pytest.plugin import Voxsim

pytest_plugins = ["pytester"]

HANGUP_AFTER_5S = """
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  var call = e.call;
  call.addEventListener(CallEvents.Connected, function () {
    Logger.write("connected " + e.callerid);
    setTimeout(function () { call.hangup(); }, 5000);
  });
  call.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
  call.answer();
});
"""

THROWS = """
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  e.call.addEventListener(CallEvents.Connected, function () { undefinedFunction(); });
  e.call.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
  e.call.answer();
  setTimeout(function () { e.call.hangup(); }, 1000);
});
"""

FOREVER = "VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) { e.call.answer(); });"


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name, text in {"hangup": HANGUP_AFTER_5S, "throws": THROWS, "forever": FOREVER}.items():
        (folder / f"{name}.js").write_text(text, encoding="utf-8")
    return folder


def test_a_plain_test_runs_a_session_on_virtual_time(voxsim: Voxsim, scenarios: Path) -> None:
    result = voxsim(scenarios / "hangup.js", caller="+15551234567")
    result.expect("Application.CallAlerting").then("Call.Connected").then("Call.Disconnected", within_ms=5050)
    result.expect("Application.Terminated")
    assert result.find(type="log", text="connected +15551234567")
    assert result.caller.id == "call-1"
    # Virtual time: the 5 s timer fires at exactly 5 s (real time would add scheduling jitter).
    assert result.duration == pytest.approx(5.0, abs=1e-6) and result.ended_by_itself
    assert result.trace_path.is_file() and result.trace_path.parent == result.run_dir
    assert voxsim.trace(result.trace_path).count("Call.Connected") == 1


async def test_an_async_test_awaits_a_session_or_calls_it(voxsim: Voxsim, scenarios: Path) -> None:
    result = await voxsim.arun(scenarios / "hangup.js", caller=True)
    result.expect("Call.Disconnected", within_ms=5100)
    again = voxsim(scenarios / "hangup.js", caller=True)  # blocks this loop, runs on its own
    assert [r.name for r in again.records] == [r.name for r in result.records]
    assert again.run_dir != result.run_dir


def test_a_scenario_error_fails_unless_allowed(voxsim: Voxsim, scenarios: Path) -> None:
    with pytest.raises(TraceAssertionError, match=r"(?s)the run recorded 1 error\(s\).*undefinedFunction.*>>>"):
        voxsim(scenarios / "throws.js", caller=True)
    result = voxsim(scenarios / "throws.js", caller=True, allow_errors=True)
    assert len(result.errors) == 1 and "undefinedFunction" in result.errors[0]
    result.expect(type="error").then("Call.Disconnected")


def test_max_seconds_ends_a_session_that_would_run_on(voxsim: Voxsim, scenarios: Path) -> None:
    result = voxsim(scenarios / "forever.js", caller=True, max_seconds=30)
    assert not result.ended_by_itself
    result.expect(type="warning").then("Application.Terminated")
    assert result.duration == pytest.approx(30, abs=0.1)


def test_scenarios_are_found_beside_the_test_or_bundled(voxsim: Voxsim, scenarios: Path) -> None:
    with pytest.raises(FileNotFoundError, match="scenario 'nope.js' not found"):
        voxsim("nope.js")


@pytest.mark.slow  # an inner pytest run with two sessions and a PNG: ~10 s on a loaded machine
def test_failing_tests_leave_their_trace_and_timeline(pytester: pytest.Pytester, voxsim: Voxsim,
                                                      scenarios: Path) -> None:
    # Run one session here first, so the in-process inner run finds numpy & co. already imported.
    voxsim(scenarios / "hangup.js", caller=True)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_flow=f"""
        def test_fails(voxsim):
            result = voxsim({str(scenarios / "hangup.js")!r}, caller=True)
            result.expect("Call.Connected").then("Call.Disconnected", within_ms=1000)

        def test_passes(voxsim):
            voxsim({str(scenarios / "hangup.js")!r}, caller=True)
        """
    )
    out = pytester.runpytest("--voxsim-trace-dir", str(pytester.path / "artifacts"))
    out.assert_outcomes(passed=1, failed=1)
    out.stdout.fnmatch_lines(["*within 1000 ms after Call.Connected at t=0.000s, but it came 5000 ms later*",
                              "*>>>*call-1*Call.Disconnected*"])
    saved = sorted(p.name for p in (pytester.path / "artifacts").iterdir())
    assert saved == ["test_flow.py_test_fails-run1.jsonl", "test_flow.py_test_fails-run1.png"]


@pytest.mark.slow  # 19 s of call with TTS and VAD: ~3-8 s wall on the shared machine
def test_the_cartesia_inbound_flow_greeting_turns_barge_in_end_call(voxsim: Voxsim) -> None:
    # The caller talks over the greeting (a barge-in), books a table for two, says goodbye; the agent ends the call.
    caller = {"callerid": "+15551234567", "speak": [
        {"at": 1.5, "say": "I want to book a table"},
        {"at": 9.5, "say": "two people"},
        {"at": 16, "say": "goodbye"},
    ]}
    result = voxsim("cartesia_inbound", caller=caller)
    result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=300)
    greeting = result.expect("Cartesia.Agents.ACK").then(type="media", action="start", source="agent-1", within_ms=100)
    assert "booking desk" in greeting.record["text"]
    result.expect(type="media", action="start", source="call-1", text="I want to book a table") \
        .then("Cartesia.Agents.Clear", within_ms=200) \
        .then(type="media", action="stop", source="agent-1", reason="clear", within_ms=100)
    assert [(b.agent, b.call) for b in result.barge_ins()] == [("agent-1", "call-1")]
    result.agent.heard("I want to book a table").heard("two people").heard("goodbye")
    result.caller.heard("for how many people").heard("a table for two people").heard("goodbye")
    result.expect("close", type="agent", reason="call ended by agent").then("Application.Terminated")
    assert len(result.latencies()) == 3 and all(0 < lat.seconds < 1.0 for lat in result.latencies())
    result.never("Call.Failed")
    # call.record({stereo: true}) wrote its WAV into the run's folder, not into the working directory.
    assert len(result.recordings) == 1
    with wave.open(str(result.recordings[0])) as wav:
        assert wav.getnchannels() == 2 and wav.getnframes() / wav.getframerate() > 15


@pytest.mark.slow  # a Cartesia session with TTS: a few seconds
def test_the_agent_option_scripts_the_emulated_line_agent(voxsim: Voxsim) -> None:
    agent = {"introduction": "Welcome to the test desk.",
             "replies": [{"match": "bye", "say": "See you.", "do": [{"end_call": "done"}]}]}
    result = voxsim("cartesia_inbound", caller={"speak": [{"at": 3, "say": "bye"}]}, agent=agent)
    result.caller.heard("welcome to the test desk").heard("see you")
    result.never("Cartesia.Agents.Clear")
    result.expect("close", type="agent", reason="call ended by agent, reason: done")


@pytest.mark.voxsim(caller="+15550000001", max_seconds=20)
def test_a_voxsim_marker_gives_defaults_that_calls_override(voxsim: Voxsim, scenarios: Path) -> None:
    assert voxsim.defaults == {"caller": "+15550000001", "max_seconds": 20}
    result = voxsim(scenarios / "hangup.js")
    assert result.find(type="log", text="connected +15550000001")
    result = voxsim(scenarios / "hangup.js", caller="+15550000002")
    assert result.find(type="log", text="connected +15550000002")
