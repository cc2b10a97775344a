"""Write synthetic traces by hand: for tests of tools that read traces, and for examples in the docs."""

from __future__ import annotations

from typing import Any

from voxsim.runtime.trace import Trace, TraceRecord

__all__ = ["TraceBuilder"]


class TraceBuilder:
    """A ``Trace`` on a hand-moved clock, with shorthands for the common records.

    >>> b = TraceBuilder()
    >>> _ = b.at(0.1).event("Call.Connected", "call-1")
    >>> [r.name for r in b.records]
    ['Call.Connected']
    """

    def __init__(self, path: str | None = None) -> None:
        self.now = 0.0
        self.trace = Trace(lambda: self.now, path)

    @property
    def records(self) -> list[TraceRecord]:
        return self.trace.records

    def at(self, t: float) -> TraceBuilder:
        """Move the clock to ``t`` seconds (it may not go back)."""
        if t < self.now:
            raise ValueError(f"the clock cannot go back from {self.now} to {t}")
        self.now = t
        return self

    def event(self, name: str, target: str = "session", **fields: Any) -> TraceRecord:
        return self.trace.record("event", name=name, target=target, **fields)

    def agent(self, direction: str, event: str, target: str, **fields: Any) -> TraceRecord:
        return self.trace.record("agent", direction=direction, event=event, target=target, **fields)

    def http(self, direction: str, **fields: Any) -> TraceRecord:
        return self.trace.record("http", direction=direction, **fields)

    def log(self, text: str, **fields: Any) -> TraceRecord:
        return self.trace.record("log", text=text, **fields)

    def error(self, message: str, **fields: Any) -> TraceRecord:
        return self.trace.record("error", message=message, **fields)

    def warning(self, message: str, **fields: Any) -> TraceRecord:
        return self.trace.record("warning", message=message, **fields)

    def speech(
        self,
        source: str,
        target: str | None,
        text: str | None,
        *,
        until: float,
        reason: str = "end",
        kind: str = "speech",
    ) -> tuple[TraceRecord, TraceRecord]:
        """A media span from now to ``until``; the clock ends at ``until``."""
        fields: dict[str, Any] = {"source": source, "kind": kind}
        if target is not None:
            fields["target"] = target
        words = {"text": text} if text is not None else {}
        start = self.trace.record("media", action="start", **words, **fields)
        self.at(until)
        stop = self.trace.record("media", action="stop", reason=reason, **fields)
        return start, stop
