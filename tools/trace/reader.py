"""Reading a JSONL trace back into records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from voxsim.runtime.trace import TraceError, TraceRecord, record_from_json

__all__ = ["read_trace", "parse_trace_lines", "write_trace"]


def parse_trace_lines(lines: Iterable[str], *, source: str = "<trace>") -> list[TraceRecord]:
    """Parse JSONL lines; blank lines are skipped and a torn *last* line (a run killed mid-write) is ignored.

    Raises:
        TraceError: a line other than the last is not a trace record; the message names the line.
    """
    items = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    records: list[TraceRecord] = []
    for i, (lineno, line) in enumerate(items):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if i == len(items) - 1:
                break
            raise TraceError(f"{source}:{lineno}: not a JSON line ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise TraceError(f"{source}:{lineno}: expected a JSON object, got {type(obj).__name__}")
        try:
            records.append(record_from_json(obj))
        except TraceError as exc:
            raise TraceError(f"{source}:{lineno}: {exc}") from None
    return records


def read_trace(path: str | Path) -> list[TraceRecord]:
    """All records of a JSONL trace file, in file order."""
    p = Path(path)
    with p.open(encoding="utf-8") as fh:
        return parse_trace_lines(fh, source=str(p))


def write_trace(records: Iterable[TraceRecord], path: str | Path) -> Path:
    """Write records as JSONL (the same format ``Trace`` writes); returns the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", errors="backslashreplace") as fh:  # lone surrogates: as Trace writes them
        for rec in records:
            fh.write(rec.to_json() + "\n")
    return p
