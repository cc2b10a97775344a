"""Reading traces, what they mean (lanes, spans, barge-ins, latencies), the text log and the timeline picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxsim.runtime.trace import TraceError, TraceRecord
from voxsim.tools.cli import EXIT_USAGE, main
from voxsim.tools.trace import (
    TraceBuilder,
    barge_ins,
    end_time,
    format_timeline,
    heard_text,
    lanes,
    media_spans,
    parse_trace_lines,
    read_trace,
    turn_latencies,
    write_trace,
)
from voxsim.tools.trace.timeline import render_timeline


def inbound_with_barge_in() -> list[TraceRecord]:
    """Greeting, a caller turn, a reply the caller cuts off, the final reply, end_call over HTTP."""
    b = TraceBuilder()
    b.event("Application.Started", data={"sessionId": 1})
    b.event("Application.CallAlerting", call="call-1")
    b.at(0.05).event("Call.Connected", "call-1")
    b.agent("sent", "start", "agent-1")
    b.at(0.08).agent("received", "ack", "agent-1")
    b.event("Cartesia.Agents.ACK", "agent-1")
    b.at(0.3).speech("agent-1", "call-1", "Hi! How can I help?", until=2.0)
    b.at(2.5).speech("call-1", "agent-1", "Book a table for two", until=4.0)
    b.at(4.62).trace.record("media", action="start", source="agent-1", target="call-1",
                            text="Sure, what time? We have seven and eight thirty.")
    b.at(5.5).trace.record("media", action="start", source="call-1", target="agent-1", text="Eight thirty")
    b.at(5.8).agent("received", "clear", "agent-1")
    b.event("Cartesia.Agents.Clear", "agent-1")
    b.at(5.82).trace.record("media", action="stop", source="agent-1", target="call-1", reason="clear",
                            text="Sure, what time?")
    b.at(6.4).trace.record("media", action="stop", source="call-1", target="agent-1", reason="end")
    b.at(7.1).speech("agent-1", "call-1", "Booked for eight thirty. Bye!", until=9.0)
    b.at(9.2).http("in", phase="request", method="POST", path="/request/x", body='{"action":"end_call"}')
    b.event("Application.HttpRequest")
    b.at(9.25).event("Call.Disconnected", "call-1")
    return b.records


def test_lanes_are_session_then_calls_then_agents() -> None:
    got = [(lane.id, lane.kind) for lane in lanes(inbound_with_barge_in())]
    assert got == [("session", "session"), ("call-1", "call"), ("agent-1", "agent")]


def test_media_spans_pair_start_and_stop_and_keep_the_cut() -> None:
    spans = media_spans(inbound_with_barge_in())
    assert [(s.source, s.start, s.end, s.reason) for s in spans] == [
        ("agent-1", 0.3, 2.0, "end"),
        ("call-1", 2.5, 4.0, "end"),
        ("agent-1", 4.62, 5.82, "clear"),
        ("call-1", 5.5, 6.4, "end"),
        ("agent-1", 7.1, 9.0, "end"),
    ]
    assert spans[2].cut and spans[2].text == "Sure, what time?"  # the stop says what was actually played
    assert spans[0].duration == pytest.approx(1.7)


def test_a_second_start_replaces_and_an_open_span_ends_with_the_trace() -> None:
    b = TraceBuilder()
    b.trace.record("media", action="start", source="player-1", target="call-1", text="one")
    b.at(1.0).trace.record("media", action="start", source="player-1", target="call-1", text="two")
    b.at(3.0).log("done")
    spans = media_spans(b.records)
    assert [(s.text, s.start, s.end, s.reason) for s in spans] == [("one", 0.0, 1.0, "replaced"), ("two", 1.0, 3.0, None)]
    b.at(4.0).trace.record("media", action="stop", source="nobody", reason="end")  # a stop without a start is ignored
    assert len(media_spans(b.records)) == 2


def test_a_clear_event_and_the_stop_it_causes_are_one_barge_in() -> None:
    found = barge_ins(inbound_with_barge_in())
    assert [(b.t, b.agent, b.call) for b in found] == [(5.8, "agent-1", "call-1")]


def test_a_cleared_stop_without_an_event_is_a_barge_in_too() -> None:
    b = TraceBuilder()
    b.speech("agent-1", "call-1", "long reply", until=2.0, reason="clear")
    assert [(x.t, x.agent, x.call) for x in barge_ins(b.records)] == [(2.0, "agent-1", "call-1")]


def test_turn_latency_is_end_of_caller_words_to_first_audio_heard() -> None:
    got = [(lat.call, lat.utterance_end, round(lat.seconds, 3), lat.responder)
           for lat in turn_latencies(inbound_with_barge_in())]
    assert got == [("call-1", 4.0, 0.62, "agent-1"), ("call-1", 6.4, 0.7, "agent-1")]


def test_an_unanswered_utterance_has_no_latency() -> None:
    b = TraceBuilder()
    b.event("Call.Connected", "call-1")
    b.speech("call-1", "agent-1", "hello?", until=1.0)
    b.at(3.0).speech("call-1", "agent-1", "anyone?", until=4.0)
    b.at(4.5).speech("agent-1", "call-1", "yes", until=5.0)
    assert [(lat.utterance_end, lat.seconds) for lat in turn_latencies(b.records)] == [(4.0, 0.5)]


def test_heard_text_is_what_reached_the_caller() -> None:
    text = heard_text(inbound_with_barge_in(), "call-1")
    assert text == "Hi! How can I help? Sure, what time? Booked for eight thirty. Bye!"
    assert "seven" not in text
    assert heard_text(inbound_with_barge_in(), "agent-1") == "Book a table for two Eight thirty"


def test_read_back_what_was_written(tmp_path: Path) -> None:
    records = inbound_with_barge_in()
    path = write_trace(records, tmp_path / "t.jsonl")
    assert read_trace(path) == records


def test_a_torn_last_line_is_ignored_but_a_torn_middle_line_names_its_line() -> None:
    good = json.dumps({"seq": 0, "t": 0.0, "type": "log", "text": "a"})
    assert len(parse_trace_lines([good, "", '{"seq": 1, "t"'])) == 1
    with pytest.raises(TraceError, match=r"<trace>:2: not a JSON line"):
        parse_trace_lines([good, "{oops", good])
    with pytest.raises(TraceError, match=r"t.jsonl:1: expected a JSON object"):
        parse_trace_lines(["[1]", good], source="t.jsonl")
    with pytest.raises(TraceError, match=r":1: trace record without 'seq'"):
        parse_trace_lines(['{"t": 0, "type": "log"}', good])


def test_text_timeline_marks_the_record_and_elides_the_rest() -> None:
    records = inbound_with_barge_in()
    text = format_timeline(records, marker=13, before=2, after=1)
    lines = text.splitlines()
    assert lines[0] == "    … 11 earlier record(s)"
    assert lines[3].startswith(">>> ") and "Cartesia.Agents.Clear" in lines[3]
    assert lines[-1] == f"    … {len(records) - 15} later record(s)"
    assert "stops (clear) -> call-1  BARGE-IN" in format_timeline(records)
    assert format_timeline(records, marker=len(records)).endswith(">>> (end of trace)")
    assert "empty" in format_timeline([])


def test_svg_shows_lanes_barge_in_latency_and_http(tmp_path: Path) -> None:
    out = render_timeline(inbound_with_barge_in(), tmp_path / "t.svg", title="inbound")
    svg = out.read_text(encoding="utf-8")
    for expected in ("call call-1", "agent agent-1", "BARGE-IN", "620 ms", "700 ms", "end_call", "cut", "Clear"):
        assert expected in svg, expected


def test_png_is_a_png(tmp_path: Path) -> None:
    out = render_timeline(inbound_with_barge_in(), tmp_path / "t.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_unknown_picture_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="png or svg"):
        render_timeline([], tmp_path / "t.gif")


def test_cli_timeline_writes_the_picture(tmp_path: Path) -> None:
    trace = write_trace(inbound_with_barge_in(), tmp_path / "run.jsonl")
    result = CliRunner().invoke(main, ["timeline", str(trace), "-o", str(tmp_path / "pic.svg")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pic.svg").read_text().count("BARGE-IN") >= 1
    assert "2 caller turn(s), latency 620–700 ms" in result.output


def test_cli_timeline_rejects_a_broken_trace(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n{}\n")
    result = CliRunner().invoke(main, ["timeline", str(bad)])
    assert result.exit_code == EXIT_USAGE
    assert "bad.jsonl:1" in result.output
    result = CliRunner().invoke(main, ["timeline", str(bad), "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == EXIT_USAGE


units = st.sampled_from(["call-1", "call-2", "agent-1", "player-1"])
media_ops = st.tuples(
    st.floats(min_value=0, max_value=5, allow_nan=False),
    st.sampled_from(["start", "stop"]),
    units,
    st.none() | units,
    st.sampled_from(["end", "clear", "hangup"]),
    st.sampled_from(["speech", "tone", "tts"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(media_ops, max_size=30))
def test_the_model_holds_its_invariants_for_any_media_sequence(ops: list[tuple[float, str, str, str | None, str, str]]) -> None:
    b = TraceBuilder()
    for dt, action, source, target, reason, kind in ops:
        b.at(b.now + dt)
        fields = {"target": target} if target else {}
        if action == "start":
            b.trace.record("media", action="start", source=source, kind=kind, text=f"{source} words", **fields)
        else:
            b.trace.record("media", action="stop", source=source, reason=reason, **fields)
    records = b.records
    spans = media_spans(records)
    assert len(spans) == sum(1 for op in ops if op[1] == "start")
    assert all(s.start <= s.end for s in spans)
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert all(lat.seconds >= 0 for lat in turn_latencies(records))
    assert all(x.t <= end_time(records) for x in barge_ins(records))
    assert lanes(records)[0].id == "session"
    assert len({lane.id for lane in lanes(records)}) == len(lanes(records))
    format_timeline(records)


def test_tones_are_not_conversation_turns() -> None:
    b = TraceBuilder()
    b.event("Call.Connected", "call-1")
    b.speech("call-1", None, "12#", until=0.6, kind="tone")
    b.at(1.0).speech("player-1", "call-1", "Press one", until=2.0, kind="tts")
    assert turn_latencies(b.records) == []
    b.at(2.5).speech("call-1", "player-1", "one", until=3.0)
    b.at(3.4).speech("player-1", "call-1", "Thanks", until=4.0, kind="tts")
    assert [(lat.responder, round(lat.seconds, 3)) for lat in turn_latencies(b.records)] == [("player-1", 0.4)]


def test_cli_timeline_text(tmp_path: Path) -> None:
    trace = write_trace(inbound_with_barge_in(), tmp_path / "run.jsonl")
    result = CliRunner().invoke(main, ["timeline", str(trace), "--text"])
    assert result.exit_code == 0, result.output
    assert "Cartesia.Agents.Clear" in result.output and "BARGE-IN" in result.output
    assert not (tmp_path / "run.png").exists()


def test_a_cut_span_without_its_played_words_is_estimated_at_the_tts_rate() -> None:
    b = TraceBuilder()
    b.speech("agent-1", "call-1", "one two three four five six seven eight nine ten", until=1.0, reason="clear")
    b.at(2.0).speech("agent-1", "call-1", "uncut words stay whole", until=2.1)
    spans = media_spans(b.records)
    assert spans[0].played_text == "one two three"  # 1 s at 175 words a minute
    assert spans[1].played_text == "uncut words stay whole"
    assert heard_text(b.records, "call-1") == "one two three uncut words stay whole"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=40) | st.sampled_from(['{"seq":0,"t":0,"type":"log"}', "{}", "[]", "null"]),
                max_size=6))
def test_any_text_reads_as_records_or_a_trace_error(lines: list[str]) -> None:
    try:
        records = parse_trace_lines(lines)
    except TraceError as exc:
        assert str(exc).startswith("<trace>:")
    else:
        assert all(isinstance(r, TraceRecord) for r in records)


def test_event_marks_carry_their_telling_field(tmp_path: Path) -> None:
    b = TraceBuilder()
    b.event("Call.ToneReceived", "call-1", data={"tone": "7"})
    b.at(1.0).event("Call.Failed", "call-2", data={"code": 486})
    svg = render_timeline(b.records, tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "ToneReceived 7" in svg and "Failed 486" in svg
