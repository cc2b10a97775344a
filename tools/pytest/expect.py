"""Assertions over a trace that read like a call flow.

``result.expect("Call.Connected").then("Cartesia.Agents.ACK", within_ms=300)``, ``result.no_errors()``,
``result.caller.heard("booked")``, ``result.agent.received_dtmf("5")``. A failed assertion shows the nearby trace
as a readable timeline with a ``>>>`` marker (like livekit's ``run_result.py``) and hides these frames from the
traceback (``__tracebackhide__``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from voxsim.runtime.trace import TraceRecord
from voxsim.tools.trace.model import BargeIn, Latency, barge_ins, heard_text, lanes, media_spans, turn_latencies
from voxsim.tools.trace.text import format_timeline

__all__ = ["TraceResult", "Match", "CallView", "AgentView", "TraceAssertionError"]

Predicate = Callable[[TraceRecord], bool]


class TraceAssertionError(AssertionError):
    """An expectation over the trace failed; the message holds the nearby timeline."""


def _describe(name: str | None, type: str | None, target: str | None, fields: dict[str, Any]) -> str:
    bits = [repr(name)] if name else [f"a {type or 'any'} record"]
    if target:
        bits.append(f"on {target}")
    bits += [f"{k}={v!r}" for k, v in fields.items()]
    return " ".join(bits)


def _value_matches(expected: Any, actual: Any) -> bool:
    # A dict matches any dict holding at least those keys (payloads carry more than a test cares about).
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _value_matches(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, re.Pattern):
        return isinstance(actual, str) and expected.search(actual) is not None
    return bool(expected == actual)


def _matcher(
    name: str | None, type: str | None, target: str | None, where: Predicate | None, fields: dict[str, Any]
) -> Predicate:
    def match(rec: TraceRecord) -> bool:
        if type is not None and rec.type != type:
            return False
        if name is not None:
            rec_name = rec.name
            if rec_name is None:
                return False
            if any(c in name for c in "*?["):
                if not fnmatch.fnmatchcase(rec_name, name):
                    return False
            elif rec_name != name:
                return False
        if target is not None and rec.target != target:
            return False
        if any(not _value_matches(v, rec.get(k, _MISSING)) for k, v in fields.items()):
            return False
        return where is None or where(rec)

    return match


_MISSING = object()


class TraceResult:
    """The records of a finished run and the assertions over them."""

    def __init__(self, records: Sequence[TraceRecord]) -> None:
        self.records: list[TraceRecord] = list(records)

    # -- raising -------------------------------------------------------------------------------------------

    def fail(self, message: str, marker: int | None = None) -> NoReturn:
        """Raise ``TraceAssertionError`` with ``message`` and the timeline around ``marker`` (an index)."""
        __tracebackhide__ = True
        where = "Trace (>>> marks where the expectation looked):" if marker is not None else "Trace (the end):"
        text = format_timeline(self.records, marker=marker, tail=16)
        raise TraceAssertionError(f"{message}\n{where}\n{text}")

    # -- finding -------------------------------------------------------------------------------------------

    def find(
        self,
        name: str | None = None,
        /,
        *,
        type: str | None = None,
        target: str | None = None,
        where: Predicate | None = None,
        **fields: Any,
    ) -> list[TraceRecord]:
        """All records matching; ``name`` may use ``*`` wildcards (``Cartesia.Agents.*``)."""
        match = _matcher(name, type, target, where, fields)
        return [r for r in self.records if match(r)]

    def count(self, name: str | None = None, /, **kwargs: Any) -> int:
        """How many records match (same arguments as ``find``)."""
        return len(self.find(name, **kwargs))

    def _search(self, start: int, match: Predicate) -> int | None:
        for i in range(start, len(self.records)):
            if match(self.records[i]):
                return i
        return None

    # -- expectations ----------------------------------------------------------------------------------------

    def expect(
        self,
        name: str | None = None,
        /,
        *,
        type: str | None = None,
        target: str | None = None,
        where: Predicate | None = None,
        within_ms: float | None = None,
        **fields: Any,
    ) -> Match:
        """The first record matching, as a ``Match`` to chain ``.then(...)`` on; fails when there is none.

        Args:
            name: event name (``Call.Connected``) or agent wire event (``clear``); ``*`` wildcards allowed.
            type: record type (``event``, ``http``, ``media``…); target: call/client id or ``session``.
            where: a predicate on the record; within_ms: the record must come at most that long after t=0.
            fields: field values the record must have (a dict matches a sub-dict: ``data={"reason": "busy"}``).
        """
        __tracebackhide__ = True
        return Match(self, -1, 0.0).then(name, type=type, target=target, where=where, within_ms=within_ms, **fields)

    def never(self, name: str | None = None, /, **kwargs: Any) -> None:
        """Fail if any record matches (``result.never("Call.Failed")``)."""
        __tracebackhide__ = True
        hits = self.find(name, **kwargs)
        if hits:
            what = _describe(name, kwargs.get("type"), kwargs.get("target"),
                             {k: v for k, v in kwargs.items() if k not in ("type", "target", "where")})
            self.fail(f"expected no {what}, but found {len(hits)} (first at t={hits[0].t:.3f}s)",
                      self.records.index(hits[0]))

    def no_errors(self, *, allow: Sequence[str] = ()) -> None:
        """Fail on any ``error`` record, except those whose message contains one of ``allow``."""
        __tracebackhide__ = True
        errors = [r for r in self.records if r.type == "error"
                  and not any(a in str(r.get("message", "")) for a in allow)]
        if errors:
            first = errors[0]
            stack = first.get("stack")
            detail = f"\n{stack}" if stack else ""
            self.fail(f"the run recorded {len(errors)} error(s); first at t={first.t:.3f}s: "
                      f"{first.get('message')}{detail}", self.records.index(first))

    # -- parties ---------------------------------------------------------------------------------------------

    @property
    def call_ids(self) -> list[str]:
        """Call ids in order of first appearance."""
        return [lane.id for lane in lanes(self.records) if lane.kind == "call"]

    @property
    def agent_ids(self) -> list[str]:
        """Agents client ids in order of first appearance."""
        return [lane.id for lane in lanes(self.records) if lane.kind == "agent"]

    def call(self, call_id: str | None = None) -> CallView:
        """The party on a call (``call-1``…); without an id, the first call."""
        __tracebackhide__ = True
        return CallView(self, self._party(self.call_ids, call_id, "call", "calls"))

    @property
    def caller(self) -> CallView:
        """The inbound caller (the call of ``Application.CallAlerting``), else the first call."""
        __tracebackhide__ = True
        for r in self.records:
            if r.name == "Application.CallAlerting":
                call = r.get("call") or (r.get("data") or {}).get("call")
                if isinstance(call, str):
                    return CallView(self, call)
        return self.call()

    def agent_client(self, client_id: str | None = None) -> AgentView:
        """An agents client (``agent-1``…); without an id, the first one."""
        __tracebackhide__ = True
        return AgentView(self, self._party(self.agent_ids, client_id, "agents client", "clients"))

    def _party(self, ids: list[str], wanted: str | None, what: str, plural: str) -> str:
        """``wanted`` if the trace has it, else the first of ``ids``; fails the test when there is none."""
        __tracebackhide__ = True
        if wanted is None:
            if not ids:
                self.fail(f"the run had no {what}")
            return ids[0]
        if wanted not in ids:
            self.fail(f"no {what} {wanted!r} in the trace; {plural}: {', '.join(ids) or 'none'}")
        return wanted

    @property
    def agent(self) -> AgentView:
        """The first agents client."""
        __tracebackhide__ = True
        return self.agent_client()

    def latencies(self) -> list[Latency]:
        """Turn latencies: end of each caller utterance → first audio that caller hears (seconds in ``.seconds``)."""
        return turn_latencies(self.records)

    def barge_ins(self) -> list[BargeIn]:
        """Every time agent audio was cleared (a ``Cartesia.Agents.Clear`` or a media stop with reason ``clear``)."""
        return barge_ins(self.records)

    def timeline(self) -> str:
        """The whole trace as text."""
        return format_timeline(self.records)


class Match:
    """A record an expectation found; ``then`` looks for the next one after it."""

    def __init__(self, result: TraceResult, index: int, t: float) -> None:
        self.result = result
        self.index = index
        self.t = t

    @property
    def record(self) -> TraceRecord:
        """The matched record."""
        return self.result.records[self.index]

    def then(
        self,
        name: str | None = None,
        /,
        *,
        type: str | None = None,
        target: str | None = None,
        where: Predicate | None = None,
        within_ms: float | None = None,
        **fields: Any,
    ) -> Match:
        """The first matching record after this one; with ``within_ms`` it must come at most that much later."""
        __tracebackhide__ = True
        result = self.result
        what = _describe(name, type, target, fields)
        anchor = "the start" if self.index < 0 else f"{self.record.name or self.record.type} at t={self.t:.3f}s"
        found = result._search(self.index + 1, _matcher(name, type, target, where, fields))
        if found is None:
            result.fail(f"expected {what} after {anchor}, but there is none", max(self.index, 0)
                        if self.index >= 0 else len(result.records))
        rec = result.records[found]
        if within_ms is not None:
            late_ms = (rec.t - self.t) * 1000
            if late_ms > within_ms + 1e-6:
                result.fail(f"expected {what} within {within_ms:g} ms after {anchor}, "
                            f"but it came {late_ms:.0f} ms later (t={rec.t:.3f}s)", found)
        return Match(result, found, rec.t)

    def then_never(self, name: str | None = None, /, *, within_ms: float | None = None, **kwargs: Any) -> Match:
        """Fail if a matching record follows this one (within ``within_ms`` when given); returns ``self``."""
        __tracebackhide__ = True
        result = self.result
        match = _matcher(name, kwargs.pop("type", None), kwargs.pop("target", None), kwargs.pop("where", None), kwargs)
        for i in range(self.index + 1, len(result.records)):
            rec = result.records[i]
            if within_ms is not None and (rec.t - self.t) * 1000 > within_ms:
                break
            if match(rec):
                span = f" within {within_ms:g} ms" if within_ms is not None else ""
                result.fail(f"expected no {name or 'matching record'}{span} after "
                            f"{self.record.name or self.record.type} at t={self.t:.3f}s, "
                            f"but one came at t={rec.t:.3f}s", i)
        return self

    def __repr__(self) -> str:
        return f"<Match #{self.index} {self.record!r}>" if self.index >= 0 else "<Match start>"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


class _Party:
    def __init__(self, result: TraceResult, unit: str) -> None:
        self.result = result
        self.id = unit

    def heard_text(self) -> str:
        """Everything this party heard from others, as one string."""
        return heard_text(self.result.records, self.id)

    def said_text(self) -> str:
        """Everything this party said, as one string."""
        said = (s.played_text for s in media_spans(self.result.records) if s.source == self.id)
        return " ".join(text for text in said if text)

    def _contains(self, verb: str, haystack: str, text: str) -> None:
        __tracebackhide__ = True
        if _norm(text) not in _norm(haystack):
            self.result.fail(f"{self.id} never {verb} {text!r}; it {verb}: {haystack!r}" if haystack
                             else f"{self.id} never {verb} {text!r}; it {verb} nothing")

    def heard(self, text: str) -> _Party:
        """Assert these words reached this party (case and punctuation ignored)."""
        __tracebackhide__ = True
        self._contains("heard", self.heard_text(), text)
        return self

    def said(self, text: str) -> _Party:
        """Assert this party said these words (case and punctuation ignored)."""
        __tracebackhide__ = True
        self._contains("said", self.said_text(), text)
        return self


class CallView(_Party):
    """The party on one call: what it heard (agent, ``say()``, playback) and said, the digits it sent."""

    def tones(self) -> str:
        """Digits the scenario got from this call (``Call.ToneReceived``), in order."""
        out = []
        for r in self.result.find("Call.ToneReceived", target=self.id):
            tone = (r.get("data") or {}).get("tone", r.get("tone"))
            if isinstance(tone, str):
                out.append(tone)
        return "".join(out)

    def sent_dtmf(self, digits: str) -> CallView:
        """Assert the scenario received these digits from the call, consecutively."""
        __tracebackhide__ = True
        got = self.tones()
        if digits not in got:
            self.result.fail(f"{self.id}: expected DTMF {digits!r} to reach the scenario, got {got!r}")
        return self


class AgentView(_Party):
    """One agents client: what the agent heard and said, and the messages sent to it."""

    def sent(self, event: str, **fields: Any) -> list[TraceRecord]:
        """Messages of wire ``event`` VoxEngine sent to the agent (``start``, ``dtmf``, ``custom``…)."""
        return self.result.find(event, type="agent", target=self.id, direction="sent", **fields)

    def received(self, event: str, **fields: Any) -> list[TraceRecord]:
        """Messages of wire ``event`` the agent sent to VoxEngine (``ack``, ``clear``…)."""
        return self.result.find(event, type="agent", target=self.id, direction="received", **fields)

    def dtmf(self) -> str:
        """Digits sent to the agent, in order."""
        return "".join(str(r.get("dtmf", "")) for r in self.sent("dtmf"))

    def received_dtmf(self, digits: str) -> AgentView:
        """Assert the agent was sent these DTMF digits, consecutively."""
        __tracebackhide__ = True
        got = self.dtmf()
        if digits not in got:
            marker = self.result.records.index(self.sent("dtmf")[-1]) if got else None
            self.result.fail(f"{self.id}: expected the agent to receive DTMF {digits!r}, it got {got!r}", marker)
        return self
