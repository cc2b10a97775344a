"""The session trace: one ordered record of everything a run did, in memory and as JSONL.

Every runtime part writes here through ``Trace.record(type, **fields)``; the CLI log, the timeline picture and
the pytest expectations all read the same records. The schema is documented in docs/trace.md.
"""

from __future__ import annotations

import json
import math
from builtins import type as builtins_type
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

__all__ = [
    "TRACE_TYPES",
    "RESERVED_FIELDS",
    "TraceError",
    "TraceRecord",
    "Trace",
    "record_from_json",
]

#: The record types, in the order docs/trace.md describes them.
TRACE_TYPES: tuple[str, ...] = ("event", "log", "warning", "error", "http", "media", "agent")

#: Keys every record has; they cannot be passed as fields.
RESERVED_FIELDS: frozenset[str] = frozenset({"seq", "t", "type"})

# Fields a record of a type must carry (the rest is free-form but should follow docs/trace.md).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "event": ("name", "target"),
    "log": ("text",),
    "warning": ("message",),
    "error": ("message",),
    "http": ("direction",),
    "media": ("action", "source"),
    "agent": ("direction", "event", "target"),
}


class TraceError(ValueError):
    """A record that does not follow the trace schema."""


class TraceRecord:
    """One trace record: ``seq`` (0, 1, 2, …), ``t`` (session seconds), ``type`` and its fields."""

    __slots__ = ("seq", "t", "type", "fields")

    def __init__(self, seq: int, t: float, type: str, fields: Mapping[str, Any]) -> None:
        self.seq = seq
        self.t = t
        self.type = type
        self.fields = dict(fields)

    def get(self, key: str, default: Any = None) -> Any:
        """A field (or ``seq``/``t``/``type``), or ``default`` when absent."""
        if key in RESERVED_FIELDS:
            return getattr(self, key)
        return self.fields.get(key, default)

    def __getitem__(self, key: str) -> Any:
        if key in RESERVED_FIELDS:
            return getattr(self, key)
        return self.fields[key]

    def __contains__(self, key: object) -> bool:
        return key in RESERVED_FIELDS or key in self.fields

    @property
    def name(self) -> str | None:
        """The event name (``Call.Connected``) for events, the wire event for agent records, else ``None``."""
        value = self.fields.get("name")
        if value is None and self.type == "agent":
            value = self.fields.get("event")
        return value if isinstance(value, str) else None

    @property
    def target(self) -> str | None:
        """The call/client id (or ``session``) the record is about, when it has one."""
        value = self.fields.get("target")
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this record: ``seq``, ``t``, ``type`` first, then the fields."""
        return {"seq": self.seq, "t": self.t, "type": self.type, **self.fields}

    def to_json(self) -> str:
        """One JSONL line (without the newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), default=_json_default)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TraceRecord):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        extra = " ".join(f"{k}={v!r}" for k, v in self.fields.items())
        return f"<TraceRecord #{self.seq} t={self.t:.3f} {self.type} {extra}>"


def _json_default(value: object) -> object:
    # Payloads may hold things JSON cannot (bytes, sets, host objects); the trace keeps a readable form.
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


_ATOMS = frozenset({str, int, bool, type(None)})


def _clean(value: Any) -> Any:
    """A JSON-safe copy of a field value (NaN/inf become strings, non-JSON types their ``str``)."""
    if type(value) in _ATOMS or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if type(value) is dict or isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    return _json_default(value)


def record_from_json(obj: Mapping[str, Any]) -> TraceRecord:
    """Rebuild a record from one parsed JSONL object."""
    try:
        seq, t, type_ = obj["seq"], obj["t"], obj["type"]
    except KeyError as exc:
        raise TraceError(f"trace record without {exc.args[0]!r}: {dict(obj)!r}") from None
    if not isinstance(seq, int) or not isinstance(t, (int, float)) or not isinstance(type_, str):
        raise TraceError(f"trace record with bad seq/t/type: {dict(obj)!r}")
    fields = {k: v for k, v in obj.items() if k not in RESERVED_FIELDS}
    return TraceRecord(seq, float(t), type_, fields)


class Trace:
    """The recorder of one session: an in-memory list plus an optional JSONL file written line by line.

    Args:
        clock: returns the session clock in seconds (virtual or real); never wall time read here.
        path: a JSONL file to write; each record is written and flushed as it happens, so a crash loses nothing.
    """

    def __init__(self, clock: Callable[[], float], path: str | Path | None = None) -> None:
        self._clock = clock
        self._records: list[TraceRecord] = []
        self._listeners: list[Callable[[TraceRecord], None]] = []
        self.path = Path(path) if path is not None else None
        self._file: IO[str] | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A JS string may hold a lone surrogate (a server's "\ud800" escape): written as that same JSON escape.
            self._file = self.path.open("w", encoding="utf-8", errors="backslashreplace")

    @property
    def records(self) -> list[TraceRecord]:
        """All records so far, in order (a copy)."""
        return list(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[TraceRecord]:
        return iter(list(self._records))

    def record(self, type: str, /, **fields: Any) -> TraceRecord:
        """Append one record stamped with the session clock and return it.

        Raises:
            TraceError: unknown type, a reserved key among the fields, or a required field missing.
        """
        required = _REQUIRED.get(type)
        if required is None:
            raise TraceError(f"unknown trace record type {type!r}; expected one of {', '.join(TRACE_TYPES)}")
        if not RESERVED_FIELDS.isdisjoint(fields):
            reserved = RESERVED_FIELDS.intersection(fields)
            raise TraceError(f"trace fields may not be named {', '.join(sorted(reserved))}")
        for k in required:
            if fields.get(k) is None:
                missing = [k for k in required if fields.get(k) is None]
                raise TraceError(f"a {type!r} trace record needs {', '.join(missing)}")
        # A session writes a record per event, log line and media action: the record owns the cleaned dict
        # (no second copy in TraceRecord's constructor).
        rec = TraceRecord.__new__(TraceRecord)
        rec.seq = len(self._records)
        rec.t = round(float(self._clock()), 6)
        rec.type = type
        rec.fields = {k: v if builtins_type(v) in _ATOMS else _clean(v) for k, v in fields.items()}
        self._records.append(rec)
        if self._file is not None:
            self._file.write(rec.to_json() + "\n")
            self._file.flush()
        if self._listeners:
            for listener in list(self._listeners):
                listener(rec)
        return rec

    def add_listener(self, listener: Callable[[TraceRecord], None]) -> None:
        """Call ``listener(record)`` for every record from now on (the CLI streams its log this way)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[TraceRecord], None]) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def find(self, type: str | None = None, **fields: Any) -> list[TraceRecord]:
        """Records of ``type`` (any when ``None``) whose fields equal all of ``fields``."""
        return [
            r
            for r in self._records
            if (type is None or r.type == type) and all(r.get(k, _MISSING) == v for k, v in fields.items())
        ]

    def close(self) -> None:
        """Close the JSONL file; the in-memory records stay readable. Safe to call twice."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Trace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_MISSING = object()
