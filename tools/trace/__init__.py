"""Traces after the run: reading JSONL, what the records mean, text and picture timelines.

The picture (``voxsim.tools.trace.timeline.render_timeline``) is imported on demand: it loads matplotlib.
"""

from __future__ import annotations

from .builder import TraceBuilder
from .model import BargeIn, Lane, Latency, Span, barge_ins, end_time, heard_text, lanes, media_spans, turn_latencies
from .reader import parse_trace_lines, read_trace, write_trace
from .text import format_record, format_timeline

__all__ = [
    "TraceBuilder",
    "BargeIn",
    "Lane",
    "Latency",
    "Span",
    "barge_ins",
    "end_time",
    "heard_text",
    "lanes",
    "media_spans",
    "turn_latencies",
    "parse_trace_lines",
    "read_trace",
    "write_trace",
    "format_record",
    "format_timeline",
]
