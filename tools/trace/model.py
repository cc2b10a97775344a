"""What a trace means for a person: lanes, speech spans, barge-ins and turn latencies.

The timeline picture, the text log and the pytest helpers all derive their view from these functions, so they
agree with each other. The record schema is in docs/trace.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from voxsim.runtime.trace import TraceRecord

__all__ = [
    "SESSION",
    "WORDS_PER_SECOND",
    "Lane",
    "Span",
    "BargeIn",
    "Latency",
    "lanes",
    "media_spans",
    "barge_ins",
    "turn_latencies",
    "heard_text",
    "end_time",
]

SESSION = "session"

#: voxsim's TTS (espeak-ng) speaks 175 words a minute; used to estimate how much of a cut-off utterance was heard.
WORDS_PER_SECOND = 175 / 60


@dataclass(frozen=True, slots=True)
class Lane:
    """One horizontal lane of the timeline: the session, a call or an agents client."""

    id: str
    kind: str  # "session" | "call" | "agent"


@dataclass(frozen=True, slots=True)
class Span:
    """Audio from ``source`` heard at ``target`` from ``start`` to ``end`` (session seconds)."""

    source: str
    target: str | None
    start: float
    end: float
    text: str | None = None
    kind: str | None = None
    reason: str | None = None  # the stop reason; None when still open at the end of the trace
    seq: int = 0  # seq of the start record
    text_is_played: bool = False  # the stop record said which words were actually played

    @property
    def played_text(self) -> str | None:
        """The words that were heard: all of them, or for a cut-off span only those spoken before the cut.

        Without a stop record naming them, the cut is estimated at voxsim's TTS speaking rate (175 words a minute).
        """
        if self.text is None or not self.cut or self.text_is_played:
            return self.text
        words = self.text.split()
        return " ".join(words[: math.ceil(self.duration * WORDS_PER_SECOND)])

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def cut(self) -> bool:
        """True when the audio was cut off by a barge-in (the buffer was cleared)."""
        return self.reason == "clear"


@dataclass(frozen=True, slots=True)
class BargeIn:
    """The agent's audio was cleared at ``t``: ``agent`` is the client, ``call`` the call that was hearing it."""

    t: float
    agent: str | None
    call: str | None
    seq: int


@dataclass(frozen=True, slots=True)
class Latency:
    """From the end of a caller utterance to the first other audio that caller hears."""

    call: str
    utterance_end: float
    response_start: float
    responder: str

    @property
    def seconds(self) -> float:
        return self.response_start - self.utterance_end


def end_time(records: Sequence[TraceRecord]) -> float:
    """The time of the last record (0 for an empty trace)."""
    return max((r.t for r in records), default=0.0)


def lanes(records: Sequence[TraceRecord]) -> list[Lane]:
    """The session lane, then calls, then agents clients, each group in order of first appearance.

    Calls are known from their events (``Call.*`` targets, the ``call`` of ``CallAlerting``), agents clients from
    ``agent`` records and ``Cartesia.*`` events; players and other units get no lane of their own.
    """
    calls: dict[str, None] = {}
    agents: dict[str, None] = {}
    for r in records:
        target = r.target
        if r.type == "event":
            name = r.name or ""
            data = r.get("data")
            call = r.get("call") or (data.get("call") if isinstance(data, dict) else None)
            if isinstance(call, str):
                calls.setdefault(call)
            if target and target != SESSION:
                if name.startswith("Cartesia."):
                    agents.setdefault(target)
                elif target not in agents:
                    calls.setdefault(target)
        elif r.type == "agent" and target:
            agents.setdefault(target)
    agents_only = [a for a in agents if a not in calls]
    return [Lane(SESSION, "session")] + [Lane(c, "call") for c in calls] + [Lane(a, "agent") for a in agents_only]


def media_spans(records: Sequence[TraceRecord]) -> list[Span]:
    """Pair media ``start``/``stop`` records by (source, target); spans still open end at the last record."""
    open_: dict[tuple[str, str | None], TraceRecord] = {}
    spans: list[Span] = []

    def close(start: TraceRecord, t: float, reason: str | None, stop: TraceRecord | None = None) -> None:
        # A stop may say which words were actually played before a cut; otherwise the start's text stands.
        exact = stop is not None and isinstance(stop.get("text"), str)
        text = stop.get("text") if exact and stop is not None else start.get("text")
        kind = start.get("kind")
        spans.append(
            Span(
                source=start["source"],
                target=start.get("target"),
                start=start.t,
                end=max(t, start.t),
                text=text if isinstance(text, str) else None,
                kind=kind if isinstance(kind, str) else None,
                reason=reason,
                seq=start.seq,
                text_is_played=exact,
            )
        )

    for r in records:
        if r.type != "media":
            continue
        key = (r["source"], r.get("target"))
        action = r.get("action")
        if action == "start":
            if key in open_:
                close(open_.pop(key), r.t, "replaced")
            open_[key] = r
        elif action == "stop" and key in open_:
            reason = r.get("reason")
            close(open_.pop(key), r.t, reason if isinstance(reason, str) else "end", r)
    last = end_time(records)
    for start in open_.values():
        close(start, last, None)
    spans.sort(key=lambda s: (s.start, s.seq))
    return spans


def barge_ins(records: Sequence[TraceRecord]) -> list[BargeIn]:
    """Every clear of agent audio: a ``Cartesia.Agents.Clear`` event, or a media stop with reason ``clear``.

    A clear event and the media stop it causes (within 0.5 s, same agent) count once, at the event's time.
    """
    found: list[BargeIn] = []
    for r in records:
        if r.type == "event" and r.name == "Cartesia.Agents.Clear":
            found.append(BargeIn(r.t, r.target, _hearer(records, r.target, r.t), r.seq))
        elif r.type == "media" and r.get("action") == "stop" and r.get("reason") == "clear":
            source, target = r.get("source"), r.get("target")
            if any(b.agent == source and 0 <= r.t - b.t <= 0.5 for b in found):
                continue
            found.append(BargeIn(r.t, source, target, r.seq))
    return found


def _hearer(records: Sequence[TraceRecord], agent: str | None, t: float) -> str | None:
    # The call that was hearing this agent at the moment of the clear (the last span started before t).
    best: str | None = None
    for s in media_spans(records):
        if s.source == agent and s.start <= t and s.target is not None:
            best = s.target
    return best


def turn_latencies(records: Sequence[TraceRecord]) -> list[Latency]:
    """For each caller utterance, the gap until the caller first hears other audio that starts after it ends.

    An utterance followed by another utterance of the same caller before any answer has no latency entry.
    """
    spans = media_spans(records)
    call_ids = {lane.id for lane in lanes(records) if lane.kind == "call"}
    result: list[Latency] = []
    for call in call_ids:
        # Tones (ringback, DTMF) are not turns of a conversation.
        spoken = [s for s in spans if s.source == call and s.kind != "tone"]
        heard = [s for s in spans if s.target == call and s.source != call and s.kind != "tone"]
        for i, utt in enumerate(spoken):
            if utt.reason is None:
                continue
            next_utt = spoken[i + 1].start if i + 1 < len(spoken) else float("inf")
            answers = [h for h in heard if utt.end <= h.start < next_utt]
            if answers:
                first = min(answers, key=lambda h: h.start)
                result.append(Latency(call, utt.end, first.start, first.source))
    result.sort(key=lambda lat: lat.utterance_end)
    return result


def heard_text(records: Sequence[TraceRecord], call: str) -> str:
    """The words of every audio span that reached ``call`` from another unit, in order, joined by spaces (of a span
    cut off by a barge-in, only the words played before the cut: see ``Span.played_text``)."""
    played = (s.played_text for s in media_spans(records) if s.target == call and s.source != call)
    return " ".join(text for text in played if text)
