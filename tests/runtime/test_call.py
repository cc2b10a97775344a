"""Calls on the simulated network, driven from Python on virtual time (no JS needed)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from voxsim.runtime.call import Call
from voxsim.runtime.clock import run
from voxsim.runtime.network import Callee, Caller, Network
from voxsim.runtime.session import Session, SessionOptions

Scenario = Callable[[Session, list[Any]], Coroutine[Any, Any, None]]


def play(scenario: Scenario, network: Network | None = None, inbound: Caller | None = None) -> tuple[Session, list[Any]]:
    """Run ``scenario(session, log)`` in a fresh session on virtual time until the session terminates."""

    async def main() -> tuple[Session, list[Any]]:
        session = Session(SessionOptions(network=network or Network(), epoch=0.0))
        log: list[Any] = []
        await scenario(session, log)
        await session.start(inbound=inbound)
        await session.wait(max_seconds=3600)
        session.close()
        return session, log

    return run(main(), virtual=True)


def record(session: Session, log: list[Any], call: Call, *names: str) -> None:
    for name in names:
        call.events.on(f"Call.{name}", lambda e, name=name: log.append((name, round(session.clock.now(), 3), e)))


def names(log: list[Any]) -> list[str]:
    return [entry[0] for entry in log]


def test_inbound_answer_then_caller_hangs_up_with_duration() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        def alerting(e: dict[str, Any]) -> None:
            record(session, log, e["call"], "Connected", "Disconnected", "StateChanged")
            e["call"].answer()

        session.events.on("Application.CallAlerting", alerting)

    session, log = play(scenario, inbound=Caller(callerid="+15551234567", hangup_after=42))
    assert names(log) == ["StateChanged", "Connected", "StateChanged", "Disconnected"]
    disconnected = log[-1]
    assert disconnected[1] == 42.0
    assert disconnected[2]["duration"] == 42.0 and disconnected[2]["direction"] == "incoming"
    assert log[0][2]["oldState"] == "ALERTING" and log[0][2]["newState"] == "CONNECTED"
    # the last call gone: the session terminates 60 s later
    terminated = session.trace.find("event", name="Application.Terminated")
    assert terminated and terminated[0].t == 102.0


def test_unanswered_inbound_is_dropped_after_60_seconds() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        session.events.on("Application.CallAlerting", lambda e: record(session, log, e["call"], "Disconnected"))

    _, log = play(scenario, inbound=Caller())
    assert [(n, t, e["internalCode"]) for n, t, e in log] == [("Disconnected", 60.0, 408)]


def test_reject_disconnects_at_once() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        def alerting(e: dict[str, Any]) -> None:
            record(session, log, e["call"], "Disconnected")
            e["call"].reject(486)

        session.events.on("Application.CallAlerting", alerting)

    _, log = play(scenario, inbound=Caller())
    assert [(n, t, e["internalCode"], e["reason"]) for n, t, e in log] == [("Disconnected", 0.0, 486, "Busy Here")]


@pytest.mark.parametrize(
    ("behaviour", "code", "at"),
    [("busy", 486, 0.5), ("reject", 603, 2.0), ("not_found", 404, 0.3), ("unavailable", 480, 0.5),
     ("no_answer", 408, 60.0)],
)
def test_outbound_failures(behaviour: str, code: int, at: float) -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        call = Call.outgoing(session, kind="pstn", number="+15550001111", callerid="+1800")
        record(session, log, call, "Failed", "Ringing", "Connected")

    _, log = play(scenario, network=Network(callees={"+15550001111": behaviour}))
    failed = [(t, e["code"]) for n, t, e in log if n == "Failed"]
    assert failed == [(at, code)]
    assert "Connected" not in names(log)
    assert ("Ringing" in names(log)) == (behaviour in ("reject", "no_answer"))


def test_outbound_connect_then_remote_hangup_and_dtmf() -> None:
    callee = Callee(answer_after=3, hangup_after=20, dtmf=((5.0, "12"),))

    async def scenario(session: Session, log: list[Any]) -> None:
        call = Call.outgoing(session, kind="user", number="alice", callerid="+1800")
        call.handle_tones = True
        record(session, log, call, "Ringing", "Connected", "AudioStarted", "ToneReceived", "Disconnected")

    _, log = play(scenario, network=Network(callees={"user:alice": callee}))
    assert [(n, t) for n, t, _ in log] == [
        ("Ringing", 0.2), ("Connected", 3.0), ("AudioStarted", 3.0), ("ToneReceived", 8.0), ("ToneReceived", 8.2),
        ("Disconnected", 23.0)]
    assert [e["tone"] for n, _, e in log if n == "ToneReceived"] == ["1", "2"]
    assert log[-1][2]["duration"] == 20.0 and log[-1][2]["direction"] == "outgoing"


def test_hangup_before_answer_fails_with_487() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        call = Call.outgoing(session, kind="pstn", number="+1555", callerid="")
        record(session, log, call, "Failed", "Connected")
        session.clock.call_later(0.5, call.hangup)

    _, log = play(scenario)
    assert [(n, t, e["code"]) for n, t, e in log] == [("Failed", 0.5, 487)]


def test_terminate_silences_calls() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        call = Call.outgoing(session, kind="pstn", number="+1555", callerid="")
        record(session, log, call, "Connected", "Disconnected", "Failed")
        session.clock.call_later(0.5, session.terminate)

    session, log = play(scenario)
    assert log == []
    assert [r.name for r in session.trace.find("event")][-2:] == ["Application.Terminating", "Application.Terminated"]
    assert session.trace.find("event", name="Application.Terminated")[0].t == 0.5


def test_transfer_completes_and_ends_the_leg() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        call = Call.outgoing(session, kind="pstn", number="+1555", callerid="")
        record(session, log, call, "TransferComplete", "TransferFailed", "Disconnected")
        call.events.on("Call.Connected", lambda e: call.transfer_to("+1666"))

    _, log = play(scenario, network=Network(callees={"+1666": {"answer_after": 2}}))
    assert [(n, t) for n, t, _ in log] == [("TransferComplete", 3.0), ("Disconnected", 3.0)]


def test_media_members_without_a_media_layer_name_the_member() -> None:
    from voxsim.engine.errors import JSErrorFromHost

    async def scenario(session: Session, log: list[Any]) -> None:
        session.extensions.pop("media", None)
        call = Call.outgoing(session, kind="pstn", number="+1555", callerid="")
        for member in ("say", "startPlayback", "record", "sendMediaTo"):
            try:
                call._media_member(member, ())
            except JSErrorFromHost as exc:
                log.append(exc.message)
        session.terminate()

    _, log = play(scenario)
    assert log == [f"call.{m} is not emulated yet" for m in ("say", "startPlayback", "record", "sendMediaTo")]


def test_call_alerting_trace_names_the_call() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        session.events.on("Application.CallAlerting", lambda e: session.terminate())

    session, _ = play(scenario, inbound=Caller())
    record = session.trace.find("event", name="Application.CallAlerting")[0]
    assert record["call"] == "call-1" and record["data"]["call"] == "call-1"


def test_hangup_right_after_answer_connects_then_disconnects() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        def alerting(e: dict[str, Any]) -> None:
            record(session, log, e["call"], "Connected", "Disconnected")
            e["call"].answer()
            e["call"].hangup()

        session.events.on("Application.CallAlerting", alerting)

    _, log = play(scenario, inbound=Caller())
    assert [(n, t) for n, t, _ in log] == [("Connected", 0.0), ("Disconnected", 0.0)]
    assert log[1][2]["internalCode"] == 200


def test_caller_abandons_before_answer() -> None:
    async def scenario(session: Session, log: list[Any]) -> None:
        session.events.on("Application.CallAlerting", lambda e: record(session, log, e["call"], "Disconnected"))

    _, log = play(scenario, inbound=Caller(abandon_after=7))
    assert [(n, t, e["internalCode"]) for n, t, e in log] == [("Disconnected", 7.0, 487)]


def test_send_digits_is_a_tone_span_and_checks_digits() -> None:
    from voxsim.engine.errors import JSTypeError

    async def scenario(session: Session, log: list[Any]) -> None:
        call = Call.outgoing(session, kind="pstn", number="+1555", callerid="")

        def connected(e: dict[str, Any]) -> None:
            call.send_digits("12p")
            try:
                call.send_digits("12x")
            except JSTypeError as exc:
                log.append(exc.message)
            call.hangup()

        call.events.on("Call.Connected", connected)

    session, log = play(scenario)
    assert log == ["sendDigits: expected digits 0-9 * # A-D p, got '12x'"]
    spans = [(r.t, r["action"], r.get("text")) for r in session.trace.find("media", kind="tone")]
    assert spans == [(1.0, "start", "12p"), (2.4, "stop", None)]
