"""The result of one scenario run in a test: the trace assertions plus what the run left behind."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from voxsim.runtime.trace import TraceRecord

from .expect import TraceResult

__all__ = ["SessionResult"]


class SessionResult(TraceResult):
    """A finished session: ``expect``/``no_errors``/``caller``/``agent`` over its trace, and its files.

    Attributes:
        trace_path: the JSONL trace of the run.
        run_dir: the run's folder (trace, recordings, storage).
        errors: messages of uncaught scenario errors (also ``error`` records in the trace).
        internal_errors: voxsim's own failures (the fixture raises on these).
        ended_by_itself: False when ``max_seconds`` ran out and the fixture terminated the session.
        duration: session seconds from start to Terminated.
    """

    def __init__(
        self,
        records: Sequence[TraceRecord],
        *,
        trace_path: Path,
        run_dir: Path,
        errors: Sequence[str] = (),
        internal_errors: Sequence[BaseException] = (),
        ended_by_itself: bool = True,
        duration: float = 0.0,
    ) -> None:
        super().__init__(records)
        self.trace_path = trace_path
        self.run_dir = run_dir
        self.errors = list(errors)
        self.internal_errors = list(internal_errors)
        self.ended_by_itself = ended_by_itself
        self.duration = duration

    @property
    def recordings(self) -> list[Path]:
        """WAV files the run wrote under its folder, sorted by name."""
        return sorted(self.run_dir.rglob("*.wav"))

    def render_timeline(self, out: str | Path | None = None) -> Path:
        """Draw the timeline picture (PNG unless ``out`` ends in .svg) next to the trace by default."""
        from voxsim.tools.trace.timeline import render_timeline

        return render_timeline(self.records, out or self.trace_path.with_suffix(".png"), title=self.trace_path.name)

    def __repr__(self) -> str:
        return f"<SessionResult {len(self.records)} records, {self.duration:.3f}s, {len(self.errors)} error(s)>"
