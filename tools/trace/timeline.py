"""The timeline picture of a trace (PNG or SVG): one lane per call and agent.

Each lane shows, top to bottom: what its party says (speech spans with their words), what it hears from others,
and its events. Barge-ins are drawn in red across the lanes involved, and each caller turn is annotated with the
latency from the end of the caller's words to the first agent audio the caller hears.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from voxsim.runtime.trace import TraceRecord

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from .model import SESSION, Lane, Span, barge_ins, end_time, lanes, media_spans, turn_latencies

__all__ = ["FORMATS", "render_timeline"]

FORMATS = ("png", "svg")

_LANE_H = 2.0
_VOICE = {"call": "#1f77b4", "agent": "#2ca02c", "other": "#9467bd"}
_TONE = "#bcbd22"
_RED = "#d62728"
_HTTP = "#ff7f0e"
_FONT = 7.0
_CHAR_IN = _FONT / 72 * 0.62  # average character width in inches at _FONT points


def _short_name(name: str) -> str:
    for prefix in ("Cartesia.Agents.", "Cartesia.Events.WebSocket", "Cartesia.Events.", "Application.", "Call."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _fit(text: str, width_s: float, s_per_char: float) -> str:
    room = int(width_s / s_per_char) - 1
    if room < 3:
        return ""
    return text if len(text) <= room else text[: room - 1] + "…"


def render_timeline(
    records: Sequence[TraceRecord],
    out: str | Path,
    *,
    title: str | None = None,
    fmt: str | None = None,
) -> Path:
    """Draw the timeline of ``records`` to ``out``; the format comes from ``fmt`` or the file suffix.

    Returns:
        The path written.

    Raises:
        ValueError: the format is neither png nor svg.
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".") or "png").lower()
    if fmt not in FORMATS:
        raise ValueError(f"timeline format must be png or svg, not {fmt!r}")

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import blended_transform_factory

    lane_list = lanes(records)
    index = {lane.id: i for i, lane in enumerate(lane_list)}
    spans = media_spans(records)
    t_end = max(end_time(records), 1.0)
    x_max = t_end * 1.03 + 0.2

    width_in = max(10.0, min(32.0, 6.0 + 0.7 * t_end))
    height_in = 1.2 + 1.15 * len(lane_list)
    plot_w_in = width_in * 0.86
    s_per_char = x_max / plot_w_in * _CHAR_IN

    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": _FONT + 1}):
        fig = Figure(figsize=(width_in, height_in), dpi=100)
        ax = fig.add_axes((0.11, 0.9 / height_in, 0.86, 1 - 1.5 / height_in))
        ax.set_xlim(0, x_max)
        ax.set_ylim(-_LANE_H * len(lane_list), 0)
        ax.set_xlabel("session time (s)")
        ticks: list[float] = []
        tick_labels: list[str] = []
        b: float | None  # a lane's base y (None: the lane is not drawn)
        for i, lane in enumerate(lane_list):
            b = -_LANE_H * i
            ax.text(0.003, b - 0.04, _lane_label(lane), transform=blended_transform_factory(ax.transAxes, ax.transData),
                    ha="left", va="top", fontsize=_FONT + 1.5, fontweight="bold", color="#333333", zorder=7)
            rows = [(b - 1.35, "events")] if lane.kind == "session" else [
                (b - 0.39, "says"), (b - 0.89, "hears"), (b - 1.35, "events")]
            for y, label in rows:
                ticks.append(y)
                tick_labels.append(label)
        ax.set_yticks(ticks)
        ax.set_yticklabels(tick_labels, color="#666666", fontsize=_FONT)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for i in range(len(lane_list)):
            if i % 2:
                ax.axhspan(-_LANE_H * (i + 1), -_LANE_H * i, color="#f6f6f6", zorder=0)
            ax.axhline(-_LANE_H * i, color="#999999", linewidth=0.6)

        def base(lane_id: str | None) -> float | None:
            i = index.get(lane_id or "")
            return None if i is None else -_LANE_H * i

        kinds = {lane.id: lane.kind for lane in lane_list}

        def voice_color(span: Span) -> str:
            if span.kind == "tone":
                return _TONE
            return _VOICE.get(kinds.get(span.source, "other"), _VOICE["other"])

        def bar(y0: float, s_start: float, s_end: float, color: str, text: str, cut: bool, heard: bool = False) -> None:
            w = max(s_end - s_start, x_max * 0.002)
            ax.add_patch(
                Rectangle(
                    (s_start, y0),
                    w,
                    0.42,
                    facecolor=color,
                    alpha=0.45 if heard else 0.9,
                    edgecolor=_RED if cut else color,
                    linewidth=2.0 if cut else 0.5,
                    hatch="///" if cut else None,
                    zorder=2,
                )
            )
            label = _fit(text, w, s_per_char)
            if label:
                ax.text(s_start + s_per_char * 0.5, y0 + 0.21, label, va="center", ha="left",
                        fontsize=_FONT, color="#111111" if heard else "white", zorder=3, clip_on=True)
            if cut:
                ax.text(s_end, y0 + 0.21, " ✂ cut", va="center", ha="left", fontsize=_FONT + 1,
                        color=_RED, fontweight="bold", zorder=4)

        # Row 1: the lane's own voice; row 2: what the lane hears from others.
        for s in spans:
            b = base(s.source)
            if b is not None:
                bar(b - 0.6, s.start, s.end, voice_color(s), s.text or s.kind or "audio", s.cut)
            hb = base(s.target)
            if hb is not None and s.target != s.source:
                words = s.played_text or (s.source if s.source in kinds else (s.kind or s.source))
                bar(hb - 1.1, s.start, s.end, voice_color(s), words, s.cut, heard=True)

        # Caller talking over the agent: shade the overlap on the call lane.
        for s in spans:
            if kinds.get(s.source) != "call" or s.kind == "tone":
                continue
            for h in spans:
                if h.target == s.source and h.source != s.source and h.kind != "tone":
                    lo, hi = max(s.start, h.start), min(s.end, h.end)
                    b = base(s.source)
                    if hi > lo and b is not None:
                        ax.add_patch(Rectangle((lo, b - 1.15), hi - lo, 1.0, facecolor=_RED, alpha=0.35,
                                               edgecolor="none", zorder=2.5))

        for bi in barge_ins(records):
            ys = [y for y in (base(bi.agent), base(bi.call)) if y is not None]
            if not ys:
                ys = [0.0]
            top, bottom = max(ys), min(ys) - _LANE_H
            ax.plot([bi.t, bi.t], [bottom, top], color=_RED, linewidth=2.2, zorder=5)
            # The label sits in the events row of the upper lane, where speech bars never are.
            ax.text(bi.t + s_per_char, top - 1.75, "BARGE-IN: caller talked over the agent, agent audio cleared",
                    color="white", fontsize=_FONT + 1, fontweight="bold", ha="left", va="center", zorder=6,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": _RED, "edgecolor": _RED})

        label_end: dict[float, float] = {}  # lane base -> where the last latency label ends
        for lat in turn_latencies(records):
            b = base(lat.call)
            if b is None:
                continue
            y = b - 0.65
            ax.annotate("", xy=(lat.response_start, y), xytext=(lat.utterance_end, y),
                        arrowprops={"arrowstyle": "<->", "color": "#444444", "linewidth": 0.9}, zorder=4)
            label = f"{lat.seconds * 1000:.0f} ms"
            mid = (lat.utterance_end + lat.response_start) / 2
            half = (len(label) + 1) * s_per_char / 2
            if mid - half < label_end.get(b, -1e9):
                continue  # too close to the previous label on a dense picture: the arrow alone stays
            label_end[b] = mid + half
            ax.text(mid, y + 0.03, label, ha="center", va="bottom", fontsize=_FONT, color="#222222", zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": "#ffffcc", "edgecolor": "#999999",
                          "linewidth": 0.4})

        _draw_marks(ax, records, base, s_per_char, x_max)

        ax.legend(
            handles=[
                Patch(facecolor=_VOICE["call"], label="caller/callee speech"),
                Patch(facecolor=_VOICE["agent"], label="agent speech"),
                Patch(facecolor=_VOICE["other"], label="say()/playback"),
                Patch(facecolor=_TONE, label="tones"),
                Patch(facecolor=_VOICE["agent"], edgecolor=_RED, hatch="///", label="cut by barge-in"),
                Patch(facecolor=_RED, alpha=0.3, label="talking over each other"),
                Patch(facecolor=_HTTP, label="HTTP"),
            ],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=7,
            fontsize=_FONT,
            frameon=False,
        )
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=_FONT + 3)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format=fmt)
    return out


def _lane_label(lane: Lane) -> str:
    if lane.kind == "session":
        return "session"
    return f"{lane.kind} {lane.id}"


def _draw_marks(
    ax: Axes,
    records: Sequence[TraceRecord],
    base: Callable[[str | None], float | None],
    s_per_char: float,
    x_max: float,
) -> None:
    """Events, HTTP, warnings and errors as markers with staggered labels under each lane."""
    levels: dict[tuple[float, int], list[tuple[float, float]]] = {}  # (lane base, level) -> label extents
    marks: list[tuple[float, float, str, str, str]] = []  # t, lane base, label, color, marker
    for r in records:
        color, label, marker = "#555555", "", "v"
        lane_id = r.target or SESSION
        if r.type == "event":
            label = _short_name(r.name or "")
            data = r.get("data") if isinstance(r.get("data"), dict) else {}
            # The one payload field that tells these events apart on a picture.
            detail = {"Call.ToneReceived": "tone", "Call.Failed": "code", "Call.Disconnected": "reason",
                      "Call.TransferFailed": "code"}.get(r.name or "")
            if detail and data.get(detail) not in (None, ""):
                label = f"{label} {data[detail]}"
            if r.name == "Cartesia.Agents.Clear":
                color = _RED
            elif r.name in ("Call.Failed", "Call.TransferFailed"):
                color = _RED
        elif r.type == "http":
            color, marker = _HTTP, "s"
            outgoing = r.get("direction") == "out"
            if r.get("phase") == "response":
                status = r.get("status")
                label = f"HTTP {'←' if outgoing else '→'} {status if status is not None else ''}".strip()
            else:
                # Outgoing requests are told apart by URL, callbacks into the session by their body (the action).
                body = r.get("body")
                url = re.sub(r"^\w+://", "", str(r.get("url") or r.get("path") or ""))
                what = url if outgoing or not isinstance(body, str) or not body else body
                label = f"HTTP {'→' if outgoing else '←'} {r.get('method') or ''} {what}".replace("  ", " ")[:48]
        elif r.type == "error":
            color, marker, label = _RED, "X", f"ERROR {r.get('message')}"[:48]
        elif r.type == "warning":
            color, marker, label = _HTTP, "^", f"warning {r.get('message')}"[:48]
        elif r.type == "agent" and r.get("event") in ("dtmf", "custom", "close"):
            arrow = "→" if r.get("direction") == "sent" else "←"
            label = f"{arrow}{r.get('event')} {r.get('dtmf') or r.get('reason') or ''}".strip()
        else:
            continue
        b = base(lane_id)
        if b is None:
            b = base(SESSION)
        if b is None:
            continue
        last = marks[-1] if marks else None
        # Marks at the same instant on the same lane share one label ("Terminating, Terminated").
        if last is not None and last[1] == b and last[3] == color and abs(last[0] - r.t) < 1e-3:
            marks[-1] = (last[0], b, f"{last[2]}, {label}", color, last[4])
        else:
            marks.append((r.t, b, label, color, marker))
    for t, b, label, color, marker in marks:
        ax.plot([t], [b - 1.3], marker=marker, color=color, markersize=5, zorder=5)
        width = (len(label) + 1) * s_per_char
        right = t + width > x_max  # near the right edge the label runs leftwards
        x0, x1 = (t - width, t) if right else (t, t + width)
        level = 0
        while level < 3 and any(a < x1 and x0 < b_ for a, b_ in levels.get((b, level), [])):
            level += 1
        levels.setdefault((b, level), []).append((x0, x1))
        ax.text(t, b - 1.48 - 0.16 * level, label, fontsize=_FONT, color=color, ha="right" if right else "left",
                va="center", zorder=5, fontweight="bold" if color == _RED else "normal")
