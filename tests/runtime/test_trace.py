"""The trace recorder: schema checks, clock stamps, JSONL written line by line, listeners."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxsim.runtime.trace import TRACE_TYPES, Trace, TraceError, TraceRecord, record_from_json


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_records_are_stamped_with_the_session_clock_and_numbered() -> None:
    clock = FakeClock()
    trace = Trace(clock)
    a = trace.record("event", name="Application.Started", target="session")
    clock.now = 1.25
    b = trace.record("event", name="Call.Connected", target="call-1")
    assert (a.seq, a.t, b.seq, b.t) == (0, 0.0, 1, 1.25)
    assert b.name == "Call.Connected" and b.target == "call-1"
    assert [r.seq for r in trace] == [0, 1]
    assert len(trace) == 2


@pytest.mark.parametrize(
    ("type_", "fields", "message"),
    [
        ("eventt", {"name": "x", "target": "session"}, "unknown trace record type 'eventt'"),
        ("event", {"name": "Call.Connected"}, "needs target"),
        ("event", {"target": "call-1"}, "needs name"),
        ("media", {"action": "start"}, "needs source"),
        ("agent", {"direction": "sent", "target": "agent-1"}, "needs event"),
        ("log", {"text": "x", "seq": 3}, "may not be named seq"),
    ],
)
def test_schema_violations_are_refused(type_: str, fields: dict[str, object], message: str) -> None:
    trace = Trace(FakeClock())
    with pytest.raises(TraceError, match=message):
        trace.record(type_, **fields)
    assert len(trace) == 0


def test_every_documented_type_is_accepted() -> None:
    minimal = {
        "event": {"name": "Call.Connected", "target": "call-1"},
        "log": {"text": "hello"},
        "warning": {"message": "careful"},
        "error": {"message": "boom"},
        "http": {"direction": "in"},
        "media": {"action": "start", "source": "call-1"},
        "agent": {"direction": "received", "event": "ack", "target": "agent-1"},
    }
    assert set(minimal) == set(TRACE_TYPES)
    trace = Trace(FakeClock())
    for type_, fields in minimal.items():
        trace.record(type_, **fields)
    assert [r.type for r in trace] == list(minimal)


def test_jsonl_is_written_and_flushed_per_record(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "trace.jsonl"
    clock = FakeClock()
    trace = Trace(clock, path)
    trace.record("event", name="Application.Started", target="session", data={"sessionId": 7})
    # Readable before close: nothing is lost if the process dies now.
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "seq": 0,
        "t": 0.0,
        "type": "event",
        "name": "Application.Started",
        "target": "session",
        "data": {"sessionId": 7},
    }
    clock.now = 2.5
    trace.record("log", text="héllo")
    trace.close()
    trace.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "héllo" in lines[1]
    assert len(trace.records) == 2


def test_values_json_cannot_hold_are_kept_readable(tmp_path: Path) -> None:
    trace = Trace(FakeClock(), tmp_path / "t.jsonl")
    rec = trace.record("agent", direction="sent", event="media_input", target="a", payload=b"\x00\x01", v=float("nan"))
    trace.close()
    assert rec["payload"] == "<2 bytes>" and rec["v"] == "nan"
    assert json.loads((tmp_path / "t.jsonl").read_text())["payload"] == "<2 bytes>"


def test_listeners_see_each_record_until_removed() -> None:
    trace = Trace(FakeClock())
    seen: list[TraceRecord] = []
    trace.add_listener(seen.append)
    trace.record("log", text="one")
    trace.remove_listener(seen.append)
    trace.remove_listener(seen.append)
    trace.record("log", text="two")
    assert [r["text"] for r in seen] == ["one"]


def test_find_filters_on_type_and_fields() -> None:
    trace = Trace(FakeClock())
    trace.record("event", name="Call.Connected", target="call-1")
    trace.record("event", name="Call.Connected", target="call-2")
    trace.record("log", text="Call.Connected")
    assert [r.target for r in trace.find("event", name="Call.Connected")] == ["call-1", "call-2"]
    assert [r.seq for r in trace.find(target="call-2")] == [1]
    assert trace.find(type="log", name="Call.Connected") == []


def test_agent_records_are_named_by_their_wire_event() -> None:
    rec = Trace(FakeClock()).record("agent", direction="received", event="clear", target="agent-1")
    assert rec.name == "clear"
    assert "event" in rec and "missing" not in rec and "seq" in rec
    assert rec.get("t") == 0.0 and rec.get("nope", 5) == 5


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    t=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    fields=st.dictionaries(st.text().filter(lambda k: k not in {"seq", "t", "type", "text"}), json_values, max_size=4),
)
def test_a_record_round_trips_through_jsonl(t: float, fields: dict[str, object]) -> None:
    trace = Trace(lambda: t)
    rec = trace.record("log", text="x", **fields)
    back = record_from_json(json.loads(rec.to_json()))
    assert back == rec
    assert back.t == round(t, 6)


@pytest.mark.parametrize("obj", [{"t": 0, "type": "log"}, {"seq": "0", "t": 0, "type": "log"}])
def test_malformed_json_records_are_refused(obj: dict[str, object]) -> None:
    with pytest.raises(TraceError):
        record_from_json(obj)
