"""`voxsim load`: real-time calls against a scenario over worker processes; a live display and a final report.

Exit status: 0 every call completed, 1 a call failed (or was lost with a dead worker, or never started),
2 bad usage (a missing file, a scenario with a SyntaxError, a bad caller script), 130 interrupted (Ctrl-C: a
partial report is printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import EXIT_OK, EXIT_SCENARIO_ERROR, EXIT_USAGE
from .run import media_flags, media_options

__all__ = ["command", "format_report"]

EXIT_INTERRUPTED = 130


def _ms(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} ms"


def format_report(report: Any) -> str:
    """The readable final report (``LoadReport``)."""
    lines = [
        f"calls: {report.completed} completed, {report.failed} failed"
        + (f", {report.cancelled} cancelled" if report.cancelled else "")
        + (f", {report.not_started} not started" if report.not_started else "")
        + f" of {report.calls} (concurrency {report.concurrency}, {report.processes} "
          f"process{'es' if report.processes != 1 else ''}, "
          f"{report.wall_seconds:.1f} s)" + (" — interrupted" if report.interrupted else ""),
        f"frame lateness: p50 {_ms(report.lateness_p50_ms)}, p99 {_ms(report.lateness_p99_ms)}, "
        f"max {_ms(report.lateness_max_ms)} ({report.ticks:,} ticks"
        + (f", {100 * report.tick_coverage:.0f}% of the 20 ms grid" if report.tick_coverage is not None else "") + ")",
        f"agent round trip (end of caller's words → first audio back): p50 {_ms(report.agent_rtt_p50_ms, 0)}, "
        f"p99 {_ms(report.agent_rtt_p99_ms, 0)} ({report.rtt_samples} turns)",
        f"CPU: {report.cpu_seconds:.1f} s in calls" + (f", {report.cpu_per_call:.3f} s per call"
                                                       if report.cpu_per_call is not None else "")
        + f" (+ {report.startup_cpu_seconds:.1f} s worker start-up)"
        + (f"; {100 * report.cpu_share:.0f}% of {report.processes} core(s)" if report.cpu_share is not None else "")
        + (f"; a call lasted {report.call_seconds_p50:.1f} s (p50)" if report.call_seconds_p50 is not None else ""),
    ]
    if getattr(report, "gc_policy", ""):
        lines.append(f"GC ({report.gc_policy}): {report.gc_full_collections} full collections, longest "
                     f"{report.gc_full_max_ms:.0f} ms ({report.gc_full_max_cpu_ms:.0f} ms CPU), "
                     f"{report.gc_full_total_ms:.0f} ms in all; peak memory {report.max_rss_mb:.0f} MB")
    for error, count in report.errors.items():
        lines.append(f"  {count} × {error}")
    return "\n".join(lines)


class _Display:
    """A one-line rich live display on stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self.live = Live(console=Console(stderr=True), refresh_per_second=4, transient=False)
        self.live.start()

    def update(self, p: Any) -> None:
        from rich.text import Text

        p99 = "—" if p.lateness_p99_ms is None else f"{p.lateness_p99_ms:.1f} ms"
        style = "green" if p.lateness_p99_ms is not None and p.lateness_p99_ms < 5 else "yellow"
        line = Text.assemble(
            (f"{p.completed}", "bold green"), f"/{p.calls} completed  ",
            (f"{p.failed} failed", "bold red" if p.failed else ""), "  ",
            f"{p.in_flight} in flight  ", "lateness p99 ", (p99, style),
            f"  {len(p.workers)} workers  {p.elapsed:.0f} s")
        self.live.update(line)

    def stop(self) -> None:
        self.live.stop()


@click.command(name="load", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--calls", type=click.IntRange(min=1), default=100, show_default=True, help="Calls to complete.")
@click.option("--concurrency", type=click.IntRange(min=1), default=10, show_default=True,
              help="Calls in flight at once, over all processes.")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Worker processes (one event loop each)  [default: one per core]")
@click.option("--agent", "agent_spec", metavar="FILE|MODULE:ATTR",
              help="The agent emulator's brain (default: agents/<scenario>.yaml, else the built-in script).")
@click.option("--caller-script", "caller_script", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="What each caller does (README: Caller scripts); default: callers/<scenario>.yaml beside the "
                   "scenario if there is one, else waits for the greeting, says one line, waits for the answer, "
                   "hangs up.")
@click.option("--input-format", "input_format",
              type=click.Choice(["pcm_16000", "mulaw_8000", "pcm_24000", "pcm_44100"]), default=None,
              help="The connector's audio format towards the agent  [default: the connector's, pcm_16000]")
@click.option("--ramp", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Seconds over which the first CONCURRENCY calls start.")
@click.option("--call-seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="The caller hangs up this many seconds after its call connects  [default: when its script ends]")
@click.option("--gc", "gc_policy", type=click.Choice(["default", "freeze", "tuned", "lean"]), default="tuned",
              show_default=True,
              help="Workers' garbage collection after warm-up: CPython's default; freeze the warm-up's objects "
                   "(gc.freeze); freeze and run full passes 10x less often; or 'lean': freeze, full passes 100x less often, "
                   "and cut each ended session's reference cycles so it is freed at once (docs/performance.md, "
                   "Load mode).")
@click.option("--max-call-seconds", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="A call still up after this long is ended and counted as failed.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"completed", "failed", "lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms", '
                   '"agent_rtt_p50_ms", "cpu_per_call", ...} as one JSON object.')
@click.option("--progress/--no-progress", default=None,
              help="Live progress on stderr  [default: when stderr is a terminal]")
@media_flags
def command(scenarios: tuple[Path, ...], calls: int, concurrency: int, processes: int | None,
            agent_spec: str | None, caller_script: Path | None, input_format: str | None, ramp: float,
            call_seconds: float | None, gc_policy: str, max_call_seconds: float, as_json: bool,
            progress: bool | None, media_map: Path | None = None, media_dir: Path | None = None,
            strict_media: bool = False) -> None:
    """Run CALLS real-time calls against SCENARIO files, CONCURRENCY at a time, over worker processes.

    Each call is an inbound call with a scripted caller against the local Cartesia agent emulator (one per
    worker); the report gives calls completed/failed, 20 ms frame lateness p50/p99/max, the agent round trip
    and CPU seconds per call. Exit 1 when a call failed.
    """
    from voxsim.runtime.callers import CallerScriptError, load_script
    from voxsim.tools.load import LoadConfig, LoadError, run_load

    if caller_script is not None:
        try:
            load_script(caller_script)
        except CallerScriptError as exc:
            raise click.BadParameter(str(exc), param_hint="--caller-script") from None
    if agent_spec is not None:
        from voxsim.tools.agent import ScriptError, load_brain_factory

        try:
            load_brain_factory(agent_spec)
        except (ScriptError, OSError) as exc:
            raise click.BadParameter(str(exc), param_hint="--agent") from None
    config = LoadConfig(scenarios=tuple(str(p.resolve()) for p in scenarios), agent=agent_spec,
                        caller_script=str(caller_script) if caller_script else None,
                        max_call_seconds=max_call_seconds, call_seconds=call_seconds, gc_policy=gc_policy,
                        settings={**({"cartesia": {"input_format": input_format}} if input_format else {}),
                                  **media_options(media_map, media_dir, strict_media)})
    display = _Display() if (progress if progress is not None else sys.stderr.isatty()) else None
    try:
        report = run_load(config, calls, concurrency, processes, ramp=ramp,
                          on_progress=display.update if display else None)
    except LoadError as exc:
        if display:
            display.stop()
        click.echo(f"voxsim load: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if display:
        display.stop()
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo(format_report(report))
    if report.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_SCENARIO_ERROR if report.failed or report.not_started else EXIT_OK)
