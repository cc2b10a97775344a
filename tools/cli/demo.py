"""`voxsim demo`: the first command a new user runs. Zero configuration: the bundled Cartesia inbound scenario against
the local Line agent emulator, on virtual time, with a bundled caller (greeting → request → reply → barge-in →
goodbye → the agent ends the call). Prints the conversation as it happens and leaves the stereo WAV, the JSONL trace
and the timeline picture in one folder.
"""

from __future__ import annotations

import shutil
import sys
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

import click

from . import EXIT_INTERNAL, EXIT_USAGE

__all__ = ["command", "run_demo", "DEMO_SCENARIO", "DEMO_CALLER"]

DEMO_SCENARIO = "cartesia_inbound.js"
DEMO_CALLER = "callers/demo.yaml"


def _bundled(name: str) -> Path:
    return Path(str(files("voxsim.scenarios").joinpath(name)))


def _recording(records: list[Any], out: Path) -> Path | None:
    """Move the call's stereo recording (call.record in the scenario) to ``out/call.wav``."""
    for record in records:
        if record.type == "event" and record.get("name") == "Call.RecordStarted":
            url = str((record.get("data") or {}).get("url", ""))
            source = Path(url.removeprefix("file://"))
            if source.is_file():
                target = out / "call.wav"
                shutil.move(str(source), target)
                return target
    return None


def run_demo(out: Path, *, scenario: Path | None = None, caller: Path | None = None, color: bool | None = None,
             echo: bool = True) -> tuple[int, dict[str, Path]]:
    """Run the demo into ``out``; returns the exit status and the files written (wav, trace, png, svg)."""
    from voxsim.runtime.callers import load_script
    from voxsim.runtime.clock import run
    from voxsim.runtime.trace import TraceError
    from voxsim.tools.trace import read_trace
    from voxsim.tools.trace.timeline import render_timeline

    from .conversation import ConversationPrinter
    from .run import run_scenarios

    scenario = scenario or _bundled(DEMO_SCENARIO)
    script = load_script(caller or _bundled(DEMO_CALLER))
    out.mkdir(parents=True, exist_ok=True)
    recordings = out / "recordings"
    trace_path = out / "trace.jsonl"
    printer = ConversationPrinter(color=color) if echo else None
    status = run(run_scenarios([scenario], caller=script.caller or "+15551234567", destination=None, custom_data="",
                               network_file=None, max_seconds=300.0, trace_path=trace_path, storage_path=None,
                               secrets_path=None, echo=False, cartesia={"mode": "local"}, caller_script=script,
                               record_dir=recordings, listeners=(printer,) if printer else ()),
                 virtual=True)
    written: dict[str, Path] = {"trace": trace_path}
    try:
        records = read_trace(trace_path)
    except (OSError, TraceError):
        return (status or EXIT_INTERNAL), written
    wav = _recording(records, out)
    if wav is not None:
        written["wav"] = wav
        if recordings.is_dir() and not any(recordings.iterdir()):
            recordings.rmdir()
    title = "voxsim demo: Cartesia inbound call on the local agent emulator"
    for fmt in ("png", "svg"):
        written[fmt] = render_timeline(records, out / f"timeline.{fmt}", title=title, fmt=fmt)
    return status, written


@click.command(name="demo", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("voxsim-demo"),
              show_default=True, help="Folder for the WAV, the trace and the timeline pictures.")
@click.option("--caller-script", "caller", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Another caller script for the demo call (default: the bundled scenarios/callers/demo.yaml).")
@click.option("--color/--no-color", default=None, help="Force colors on or off (default: on for a terminal).")
def command(out: Path, caller: Path | None, color: bool | None) -> None:
    """Run the bundled Cartesia inbound demo on the local agent emulator, on virtual time.

    Prints the conversation as it happens and writes OUT/call.wav (stereo: caller left, agent right),
    OUT/trace.jsonl and OUT/timeline.png/.svg.
    """
    from voxsim.runtime.callers import CallerScriptError

    started = time.perf_counter()
    click.echo("voxsim demo: scenarios/cartesia_inbound.js, local Cartesia agent emulator, virtual time\n")
    try:
        status, written = run_demo(out, caller=caller, color=color)
    except CallerScriptError as exc:
        click.echo(f"voxsim demo: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # voxsim's own failure: a short report
        from .run import _bug_report

        _bug_report(exc)
        sys.exit(EXIT_INTERNAL)
    wall = time.perf_counter() - started
    click.echo(f"\nDone in {wall:.1f} s of wall time. Files in {out}/:")
    labels = {"wav": "stereo recording (caller left, agent right)", "trace": "JSONL trace (voxsim timeline --text)",
              "png": "timeline picture", "svg": "timeline picture (SVG)"}
    for key in ("wav", "trace", "png", "svg"):
        if key in written:
            click.echo(f"  {str(written[key]):<32} {labels[key]}")
    click.echo("\nNext: voxsim run scenarios/cartesia_inbound.js --say \"I want to book a table\"   (README: Run a scenario)")
    sys.exit(status)
