"""The trace as readable text: one line per record, with a ``>>>`` marker for assertion messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from voxsim.runtime.trace import TraceRecord

__all__ = ["format_record", "format_timeline"]

_MAX_VALUE = 60
_SKIP_KEYS = {"name", "target", "type", "seq", "t", "direction", "event", "action", "source", "text", "message"}


def _short(value: Any, limit: int = _MAX_VALUE) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _extras(rec: TraceRecord, skip: set[str] = _SKIP_KEYS) -> str:
    parts = [f"{k}={_short(v, 40)}" for k, v in rec.fields.items() if k not in skip]
    return ("  " + " ".join(parts)) if parts else ""


def _data(rec: TraceRecord) -> str:
    """An event payload without what the line already says (ids, the name) and without empty values."""
    data = rec.get("data")
    if not isinstance(data, dict):
        return ""
    parts = [
        f"{k}={_short(v, 40)}"
        for k, v in data.items()
        if k not in ("name", "id", "call", "client") and v not in (None, "", {}, [])
    ]
    return ("  " + " ".join(parts)) if parts else ""


def format_record(rec: TraceRecord) -> str:
    """One line: time, lane, and what happened (``Call.Connected``, ``agent <- clear``, ``speaks "Hi"``…)."""
    lane = rec.target or rec.get("source") or "session"
    what: str
    if rec.type == "event":
        what = f"{rec.name}{_extras(rec, _SKIP_KEYS | {'data', 'call'})}{_data(rec)}"
    elif rec.type == "log":
        what = f"log: {_short(rec.get('text'), 100)}"
    elif rec.type in ("warning", "error"):
        stack = rec.get("stack")
        first = f"  {_short(str(stack).strip().splitlines()[0], 60)}" if stack else ""
        what = f"{rec.type.upper()}: {_short(rec.get('message'), 100)}{first}"
    elif rec.type == "http":
        arrow = "->" if rec.get("direction") == "out" else "<-"
        bits = [str(rec.get(k)) for k in ("phase", "method", "url", "path", "status") if rec.get(k) is not None]
        body = rec.get("body")
        what = f"HTTP {arrow} {' '.join(bits)}" + (f"  {_short(body)}" if body else "")
    elif rec.type == "media":
        lane = str(rec.get("source"))
        to = f" -> {rec.get('target')}" if rec.get("target") else ""
        if rec.get("action") == "start":
            words = f' "{_short(rec.get("text"))}"' if rec.get("text") else ""
            what = f"speaks{words}{to}"
        else:
            reason = rec.get("reason") or "end"
            flag = "  BARGE-IN" if reason == "clear" else ""
            what = f"stops ({reason}){to}{flag}"
    elif rec.type == "agent":
        arrow = "->" if rec.get("direction") == "sent" else "<-"
        what = f"agent {arrow} {rec.get('event')}{_extras(rec)}"
    else:
        what = f"{rec.type}{_extras(rec, {'type', 'seq', 't'})}"
    if len(what) > 160:
        what = what[:159] + "…"
    return f"{rec.t:9.3f}s  {lane:<12} {what}"


def format_timeline(
    records: Sequence[TraceRecord],
    *,
    marker: int | None = None,
    before: int = 8,
    after: int = 4,
    tail: int | None = None,
) -> str:
    """Records as lines; with ``marker`` (an index into ``records``) only a window around it, marked ``>>>``.

    ``marker == len(records)`` marks the end of the trace (nothing matched after the last record). Without a
    marker, ``tail`` keeps only the last ``tail`` records.
    """
    if not records:
        return "    (the trace is empty)"
    lo, hi = 0, len(records)
    if marker is None and tail is not None:
        lo = max(0, len(records) - tail)
    if marker is not None:
        lo = max(0, marker - before)
        hi = min(len(records), marker + after + 1)
    lines: list[str] = []
    if lo > 0:
        lines.append(f"    … {lo} earlier record(s)")
    for i in range(lo, hi):
        prefix = ">>> " if i == marker else "    "
        lines.append(prefix + format_record(records[i]))
    if marker is not None and marker >= len(records):
        lines.append(">>> (end of trace)")
    if hi < len(records):
        lines.append(f"    … {len(records) - hi} later record(s)")
    return "\n".join(lines)
