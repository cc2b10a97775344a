"""Fault injection in the agent emulator, end to end: the bundled inbound scenario against a faulty agent.

Each test asserts what the scenario sees (AgentsEvents, onWebSocketClose), whether the call and session end or go on
as on VoxEngine, and that the trace and the recording are complete.
"""

from __future__ import annotations

import json
import wave
from typing import Any

import pytest

from voxsim.tools.agent.faults import FaultError, parse_faults
from voxsim.tools.agent.script import ScriptError, load_script

AGENT = {"introduction": "Hello, how can I help?", "fallback": {"say": "You said {text}."}}
CALLER = {"callerid": "+15551234567", "hangup_after": 12}


def run(voxsim: Any, *faults: dict[str, Any], caller: dict[str, Any] | None = None, **kw: Any) -> Any:
    return voxsim("cartesia_inbound", caller=caller or CALLER, agent={**AGENT, "faults": list(faults)},
                  max_seconds=120, **kw)


def logs(result: Any, marker: str) -> list[str]:
    return [r["text"] for r in result.records if r.get("type") == "log" and marker in r.get("text", "")]


def closes(result: Any) -> list[str]:
    return logs(result, "===ON_WEB_SOCKET_CLOSE===")


def check_recording(result: Any, at_least_s: float) -> None:
    (path,) = result.recordings
    with wave.open(str(path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds >= at_least_s, seconds


def check_trace(result: Any, agent_closed: bool = True) -> None:
    """The trace runs to Application.Terminated, every media span that started stopped, the agent close is there."""
    names = [r.get("name") for r in result.records if r.get("type") == "event"]
    assert names[-1] == "Application.Terminated", names[-3:]
    media = [r.get("action") for r in result.records if r.get("type") == "media"]
    assert media.count("start") == media.count("stop"), media
    agent = [(r.get("direction"), r.get("event")) for r in result.records if r.get("type") == "agent"]
    if agent:
        assert agent[0] == ("sent", "start")
        assert not agent_closed or agent[-1][1] == "close", agent[-3:]
    assert (result.run_dir / "trace.jsonl").stat().st_size > 0


def test_parse_faults_validates() -> None:
    assert parse_faults(["no_ack", {"kind": "close", "code": 4001, "after": 2}])[1].code == 4001
    with pytest.raises(FaultError, match=r"faults\[0\]: kind must be"):
        parse_faults([{"kind": "explode"}])
    with pytest.raises(FaultError, match="cannot be sent"):
        parse_faults([{"kind": "close", "code": 1006}])
    with pytest.raises(ScriptError, match="unknown keys"):
        load_script({"faults": [{"kind": "drop", "when": 1}]})


def test_drop_mid_call_is_1006_and_websocket_error(voxsim: Any) -> None:
    result = run(voxsim, {"kind": "drop", "after": 3})
    assert closes(result) == ["===ON_WEB_SOCKET_CLOSE=== 1006 "]
    err = logs(result, "===WebSocketError===")
    assert err and json.loads(err[0].split("=== ", 1)[1])["payload"]["code"] == 1006
    assert result.duration < 8  # the scenario terminates on close, before the caller's hang-up
    check_recording(result, 2.5)
    check_trace(result)


def test_never_ack_the_call_goes_on_without_agent_audio(voxsim: Any) -> None:
    result = run(voxsim, {"kind": "no_ack"})
    assert logs(result, "===ACK===") == []
    # the scenario sends its custom event on ACK: never sent (the agent may still talk; its audio is played)
    assert [r for r in result.records if r.get("type") == "agent" and r.get("event") == "custom"] == []
    assert closes(result) == []  # nothing closes the agent: the caller's hang-up ends the call, then the session
    assert 11 <= result.duration <= 14
    check_recording(result, 11)
    check_trace(result)  # the scenario closes the agent when the caller hangs up


@pytest.mark.parametrize("kind", ["garbage", "half_json", "binary"])
def test_bad_frames_are_connector_information_and_the_call_goes_on(voxsim: Any, kind: str) -> None:
    result = run(voxsim, {"kind": kind, "after": 1})
    info = logs(result, "===ConnectorInformation===")
    assert len(info) == 1, info
    assert logs(result, "===ACK===") and logs(result, "===AGENT_SPEAKING===")
    assert closes(result) == [] and 11 <= result.duration <= 14
    check_recording(result, 11)
    check_trace(result)


def test_huge_frame_closes_1009(voxsim: Any) -> None:
    result = run(voxsim, {"kind": "huge", "after": 3, "bytes": 17 * 1024 * 1024})
    assert closes(result) == ["===ON_WEB_SOCKET_CLOSE=== 1009 "]
    assert logs(result, "===WebSocketError===")
    check_recording(result, 2.5)
    check_trace(result)


def test_stall_30s_then_carry_on(voxsim: Any) -> None:
    caller = {"callerid": "+15551234567", "hangup_after": 45}
    result = run(voxsim, {"kind": "stall", "after": 0}, caller=caller)
    started = [r for r in result.records if r.get("type") == "log" and "===AGENT_SPEAKING===" in r.get("text", "")]
    assert started and started[0]["t"] >= 29  # the greeting waited out the stall
    assert closes(result) == []
    check_recording(result, 44)
    check_trace(result)


@pytest.mark.parametrize("code,reason", [(4001, "agent crashed"), (1011, "internal error"), (3000, "")])
def test_unusual_close_codes_reach_on_websocket_close(voxsim: Any, code: int, reason: str) -> None:
    result = run(voxsim, {"kind": "close", "after": 2, "code": code, "reason": reason})
    assert closes(result) == [f"===ON_WEB_SOCKET_CLOSE=== {code} {reason}"]
    assert logs(result, "===WebSocketError===") == []
    check_recording(result, 1.5)
    check_trace(result)


@pytest.mark.parametrize("at", ["token", "upgrade"])
def test_refused_auth_rejects_create(voxsim: Any, at: str) -> None:
    result = run(voxsim, {"kind": "refuse_auth", "at": at})
    errors = logs(result, "===ERROR===")
    assert len(errors) == 1 and "401" in errors[0], errors
    assert closes(result) == []
    assert result.duration < 2  # the scenario's catch terminates the session
    check_trace(result)


def test_agent_closing_mid_greeting_still_ends_its_speech_span(voxsim: Any) -> None:
    # The greeting lasts ~3.5 s; the agent closes at 1 s, while its audio is still playing to the caller.
    result = run(voxsim, {"kind": "close", "code": 1000, "reason": "call ended by agent", "after": 1})
    assert closes(result) == ["===ON_WEB_SOCKET_CLOSE=== 1000 call ended by agent"]
    check_trace(result)
