"""`voxsim soak`: long robustness runs that print a figure (fuzz failures, ...). Exit 1 when a run finds a failure."""

from __future__ import annotations

import json
import sys
import time

import click

__all__ = ["command"]


@click.group(name="soak")
def command() -> None:
    """Robustness soak runs: fuzzing of the engine (more to come: faults, runaway scenarios, load)."""


@command.command(name="fuzz")
@click.option("--cases", type=click.IntRange(min=1), default=1000, show_default=True, help="Cases to try.")
@click.option("--seed", type=int, default=0, show_default=True, help="Run seed; case i is reproducible from it.")
@click.option("--examples", "max_examples", type=click.IntRange(min=0), default=10, show_default=True,
              help="Failing sources to include in the report.")
@click.option("--json", "as_json", is_flag=True, help='Print {"cases": N, "failures": N, "examples": [...]}.')
def fuzz(cases: int, seed: int, max_examples: int, as_json: bool) -> None:
    """Mutated bundled scenarios and generated programs through parse, compile and a small-budget run.

    Any exception other than SyntaxError, a JS throw or a spent budget (and any hang) is a failure.
    """
    from voxsim.tools.soak.fuzz import run_fuzz

    started = time.perf_counter()
    interactive = not as_json and sys.stderr.isatty()

    def progress(done: int, failed: int) -> None:
        if interactive and (done % 100 == 0 or done == cases):
            click.echo(f"\r{done}/{cases} cases, {failed} failures", err=True, nl=False)

    result = run_fuzz(cases, seed=seed, progress=progress)
    elapsed = time.perf_counter() - started
    if interactive:
        click.echo("", err=True)
    report = result.as_dict(max_examples)
    report["seed"] = seed
    report["seconds"] = round(elapsed, 2)
    if as_json:
        click.echo(json.dumps(report))
    else:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report["outcomes"].items()))
        click.echo(f"fuzz: {report['cases']} cases, {report['failures']} failures in {elapsed:.1f} s ({outcomes})")
        for ex in report["examples"]:
            click.echo(f"--- case {ex['case']} ({ex['stage']}): {ex['error']}\n{ex['source']}\n{ex['trace']}")
    if result.failures:
        raise SystemExit(1)
