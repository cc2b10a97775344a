"""`voxsim conformance test262 --suite DIR`: run a test262-layout directory by tier, against the expected failures.

The suite is given by path and never vendored. Results per tier; ``--json`` prints
``{"tiers": {"T1": {"passed": N, "total": N}, ...}, "failures": [paths], "regressions": [paths], "fixed": [paths]}``.
A regression is a failing test that is not on the committed expected-failures list; the exit status is 1 when
there is one (so CI notices), 0 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from importlib.resources import files
from pathlib import Path

import click

from .pool import run_pool
from .test262_suite import TIERS, SuiteError, Test262Case, load_manifest, runs_for

__all__ = ["command", "run_cases", "expected_failures", "EXPECTED_FAILURES_NAME"]

EXPECTED_FAILURES_NAME = "test262_expected_failures.txt"

_SUITE: Path | None = None
_CASES: list[Test262Case] = []
_FORK = False           # workers fork a prepared realm per run (see forked.py)
_RUN_TIMEOUT = 10.0


def expected_failures() -> set[str]:
    """The committed list of tests known to fail (it only shrinks)."""
    text = files("voxsim.tools.conformance").joinpath(EXPECTED_FAILURES_NAME).read_text(encoding="utf-8")
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def _run_case(index: int) -> tuple[bool, str]:
    from .forked import execute_forked
    from .test262_exec import execute

    assert _SUITE is not None
    case = _CASES[index]
    for run in runs_for(case):
        outcome = execute_forked(_SUITE, run, _RUN_TIMEOUT) if _FORK else execute(_SUITE, run)
        if not outcome.passed:
            return False, f"{'strict' if run.strict else 'sloppy'}: {outcome.detail}"
    return True, ""


def run_cases(suite: Path, cases: list[Test262Case], jobs: int, timeout: float,
              progress: bool = False) -> dict[str, tuple[bool, str]]:
    """Run cases in a watchdog pool; returns path -> (passed, detail). ``timeout`` is per run; with worker
    processes (``jobs > 1``) each run is judged in a fork of a prepared realm."""
    from .forked import CAN_FORK

    global _SUITE, _CASES, _FORK, _RUN_TIMEOUT
    _SUITE, _CASES = suite, cases
    _FORK, _RUN_TIMEOUT = CAN_FORK and jobs > 1, timeout
    results: dict[str, tuple[bool, str]] = {}
    # A case has at most two runs; the pool's watchdog is the backstop for a worker that itself stops answering.
    stream = run_pool(range(len(cases)), _run_case, jobs, 2 * timeout + 10, lambda i, why: (False, why))
    if progress and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("test262", total=len(cases))
            for index, result in stream:
                results[cases[index].path] = result
                bar.advance(task)
    else:
        for index, result in stream:
            results[cases[index].path] = result
    return results


@click.command(name="test262")
@click.option("--suite", "suite_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A test262-layout directory (harness/, test/, optionally MANIFEST.tsv), e.g. ../shared/test262.")
@click.option("--tier", "tiers", multiple=True, type=click.Choice(TIERS), help="Only these tiers (repeatable).")
@click.option("--filter", "filters", multiple=True, help="Only paths containing this text (repeatable).")
@click.option("--sample", type=int, default=1, show_default=True, help="Run every Nth test only.")
@click.option("--jobs", type=int, default=os.cpu_count() or 1, show_default=True, help="Worker processes.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per run (a test has one or two runs).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--show-failures", is_flag=True, help="List each failure with its reason.")
@click.option("--write-expected", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the failing paths to this file (to update the expected-failures list).")
def command(suite_dir: Path, tiers: tuple[str, ...], filters: tuple[str, ...], sample: int, jobs: int,
            timeout: float, as_json: bool, show_failures: bool, write_expected: Path | None) -> None:
    """Run a test262-layout directory, by tier, against the expected-failures list."""
    try:
        cases = load_manifest(suite_dir.resolve())
    except SuiteError as exc:
        raise click.UsageError(str(exc)) from None
    if tiers:
        cases = [c for c in cases if c.tier in tiers]
    if filters:
        cases = [c for c in cases if any(f in c.path for f in filters)]
    cases = cases[:: max(1, sample)]
    results = run_cases(suite_dir.resolve(), cases, jobs, timeout, progress=not as_json)
    totals: Counter[str] = Counter(c.tier for c in cases)
    passed: Counter[str] = Counter(c.tier for c in cases if results[c.path][0])
    failures = sorted(p for p, (ok, _) in results.items() if not ok)
    known = expected_failures()
    regressions = [p for p in failures if p not in known]
    fixed = sorted(p for p, (ok, _) in results.items() if ok and p in known)
    if write_expected:
        write_expected.write_text("".join(f"{p}\n" for p in failures), encoding="utf-8")
    if as_json:
        click.echo(json.dumps({
            "tiers": {t: {"passed": passed[t], "total": totals[t]} for t in sorted(totals)},
            "failures": failures, "regressions": regressions, "fixed": fixed,
        }))
    else:
        for t in sorted(totals):
            pct = 100.0 * passed[t] / totals[t] if totals[t] else 0.0
            click.echo(f"{t}  {passed[t]:6d} / {totals[t]:6d}  {pct:5.1f}%")
        all_passed, all_total = sum(passed.values()), sum(totals.values())
        click.echo(f"all {all_passed:6d} / {all_total:6d}")
        click.echo(f"{len(regressions)} regressions (failing, not on the expected list), {len(fixed)} fixed")
        if show_failures:
            for p in failures:
                click.echo(f"FAIL {p}: {results[p][1]}")
        else:
            for p in regressions[:20]:
                click.echo(f"REGRESSION {p}: {results[p][1]}")
    raise SystemExit(1 if regressions else 0)
