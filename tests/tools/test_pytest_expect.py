"""The expectation API over traces: matches, timing budgets, failure messages with the nearby timeline."""

from __future__ import annotations

import re

import pytest

from voxsim.runtime.trace import TraceRecord
from voxsim.tools.pytest.expect import TraceAssertionError, TraceResult
from voxsim.tools.trace import TraceBuilder


def inbound() -> list[TraceRecord]:
    b = TraceBuilder()
    b.event("Application.Started")
    b.event("Application.CallAlerting", data={"call": "call-1", "callerid": "+15551234567"})
    b.at(0.05).event("Call.Connected", "call-1", data={"headers": {"X-A": "1"}})
    b.agent("sent", "start", "agent-1")
    b.at(0.25).agent("received", "ack", "agent-1")
    b.event("Cartesia.Agents.ACK", "agent-1")
    b.at(0.3).speech("agent-1", "call-1", "Hi! How can I help?", until=2.0)
    b.at(2.5).speech("call-1", "agent-1", "Book a table, please.", until=4.0)
    b.at(4.6).trace.record("media", action="start", source="agent-1", target="call-1", text="For what time? We open")
    b.at(5.0).agent("received", "clear", "agent-1")
    b.event("Cartesia.Agents.Clear", "agent-1")
    b.at(5.04).trace.record("media", action="stop", source="agent-1", target="call-1", reason="clear")
    b.at(5.5).event("Call.ToneReceived", "call-1", data={"tone": "5"})
    b.agent("sent", "dtmf", "agent-1", dtmf="5")
    b.at(5.6).agent("sent", "dtmf", "agent-1", dtmf="#")
    b.at(6.0).speech("agent-1", "call-1", "You're booked.", until=7.0)
    b.at(7.2).event("Call.Disconnected", "call-1")
    return b.records


def failure(fn: object) -> str:
    with pytest.raises(TraceAssertionError) as info:
        fn()  # type: ignore[operator]
    return str(info.value)


def test_a_flow_that_happened_passes_and_chains() -> None:
    r = TraceResult(inbound())
    m = r.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=200).then("Cartesia.Agents.Clear")
    assert m.record.name == "Cartesia.Agents.Clear" and m.t == 5.0
    m.then(type="media", action="stop", source="agent-1", reason="clear", within_ms=50)
    r.expect("Call.Connected", target="call-1", data={"headers": {"X-A": "1"}})
    r.expect("Cartesia.Agents.*").then("Cartesia.Agents.*")
    r.expect("Call.Disconnected", within_ms=7200)
    r.no_errors()
    r.never("Call.Failed")
    assert r.count("Cartesia.Agents.*") == 2 and r.count(type="agent", direction="sent") == 3


def test_a_late_event_fails_with_the_budget_and_a_marker() -> None:
    msg = failure(lambda: TraceResult(inbound()).expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=150))
    assert "expected 'Cartesia.Agents.ACK' within 150 ms after Call.Connected at t=0.050s, but it came 200 ms later" in msg
    marked = [line for line in msg.splitlines() if line.startswith(">>>")]
    assert len(marked) == 1 and "Cartesia.Agents.ACK" in marked[0]


def test_a_missing_event_marks_where_the_search_started() -> None:
    msg = failure(lambda: TraceResult(inbound()).expect("Call.Disconnected").then("Application.Terminated"))
    assert "expected 'Application.Terminated' after Call.Disconnected at t=7.200s, but there is none" in msg
    assert re.search(r"^>>> .*Call.Disconnected", msg, re.M)
    msg = failure(lambda: TraceResult(inbound()).expect("Call.Failed", target="call-1"))
    assert "expected 'Call.Failed' on call-1 after the start" in msg and ">>> (end of trace)" in msg


def test_order_matters() -> None:
    r = TraceResult(inbound())
    failure(lambda: r.expect("Cartesia.Agents.ACK").then("Call.Connected"))
    failure(lambda: r.expect("Call.Connected", data={"headers": {"X-A": "2"}}))


def test_no_errors_shows_the_js_stack() -> None:
    b = TraceBuilder()
    b.event("Application.Started")
    b.at(1.0).error("TypeError: x is undefined", stack="at onConnected (scenario.js:12:5)", source="handler")
    msg = failure(lambda: TraceResult(b.records).no_errors())
    assert "1 error(s); first at t=1.000s: TypeError: x is undefined\nat onConnected (scenario.js:12:5)" in msg
    assert ">>>" in msg
    TraceResult(b.records).no_errors(allow=["x is undefined"])


def test_never_and_then_never() -> None:
    r = TraceResult(inbound())
    msg = failure(lambda: r.never("Cartesia.Agents.Clear"))
    assert "expected no 'Cartesia.Agents.Clear', but found 1 (first at t=5.000s)" in msg
    r.expect("Call.Connected").then_never("Call.Disconnected", within_ms=1000)
    msg = failure(lambda: r.expect("Cartesia.Agents.Clear").then_never(type="media", action="start"))
    assert "but one came at t=6.000s" in msg


def test_caller_heard_what_reached_it_and_not_what_was_cut() -> None:
    r = TraceResult(inbound())
    assert r.caller.id == "call-1" and r.call_ids == ["call-1"] and r.agent_ids == ["agent-1"]
    r.caller.heard("how can I HELP").heard("you're booked")
    r.caller.said("book a table please")
    r.agent.heard("Book a table")
    msg = failure(lambda: r.caller.heard("table for two"))
    # The reply cut after 0.44 s: only the words spoken by then (175 words a minute) count as heard.
    assert "call-1 never heard 'table for two'; it heard: \"Hi! How can I help? For what You're booked.\"" in msg
    failure(lambda: r.caller.heard("we open"))
    assert msg.count("\n") < 25  # the tail of the trace, not all of it


def test_dtmf_helpers() -> None:
    r = TraceResult(inbound())
    r.agent.received_dtmf("5").received_dtmf("5#")
    r.caller.sent_dtmf("5")
    msg = failure(lambda: r.agent.received_dtmf("55"))
    assert "agent-1: expected the agent to receive DTMF '55', it got '5#'" in msg
    assert [x.get("dtmf") for x in r.agent_client("agent-1").sent("dtmf")] == ["5", "#"]
    assert len(r.agent.received("clear")) == 1
    failure(lambda: r.call("call-1").sent_dtmf("6"))


def test_parties_that_do_not_exist_fail_clearly() -> None:
    r = TraceResult(inbound())
    assert "no call 'call-9' in the trace; calls: call-1" in failure(lambda: r.call("call-9"))
    assert "no agents client 'x'" in failure(lambda: r.agent_client("x"))
    empty = TraceResult([])
    assert "the run had no call" in failure(lambda: empty.caller)
    assert "the run had no agents client" in failure(lambda: empty.agent)
    assert "(the trace is empty)" in failure(lambda: empty.expect("Call.Connected"))
