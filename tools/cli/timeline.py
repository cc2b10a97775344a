"""`voxsim timeline`: draw the picture of a JSONL trace."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command(name="timeline")
@click.argument("trace", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the picture (.png or .svg). Default: the trace's name with .png.",
)
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), help="Force the format (default: from -o, else png).")
@click.option("--title", help="A title above the picture (default: the trace's file name).")
@click.option("--text", "as_text", is_flag=True, help="Print the trace as a readable text timeline instead.")
def command(trace: Path, output: Path | None, fmt: str | None, title: str | None, as_text: bool) -> None:
    """Draw a trace as a timeline picture: one lane per call and agent, speech, events, barge-ins, latencies."""
    from voxsim.runtime.trace import TraceError
    from voxsim.tools.trace import format_timeline, read_trace, turn_latencies
    from voxsim.tools.trace.timeline import render_timeline

    from . import EXIT_USAGE

    try:
        records = read_trace(trace)
    except (TraceError, UnicodeDecodeError) as exc:
        click.echo(f"voxsim timeline: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    if as_text:
        click.echo(format_timeline(records))
        return
    if output is None:
        output = trace.with_suffix("." + (fmt or "png"))
    elif fmt is None and output.suffix.lower() not in (".png", ".svg"):
        click.echo(f"voxsim timeline: {output}: the picture must end in .png or .svg (or give --format)", err=True)
        raise SystemExit(EXIT_USAGE)
    written = render_timeline(records, output, title=title or trace.name, fmt=fmt)
    latencies = turn_latencies(records)
    summary = f"{len(records)} records"
    if latencies:
        ms = sorted(round(lat.seconds * 1000) for lat in latencies)
        summary += f", {len(ms)} caller turn(s), latency {ms[0]}–{ms[-1]} ms"
    click.echo(f"timeline: {written} ({summary})")
