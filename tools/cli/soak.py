"""`voxsim soak`: long robustness runs that print a figure (fuzz failures, ...). Exit 1 when a run finds a failure."""

from __future__ import annotations

import json
import sys
import time

import click

__all__ = ["command"]


@click.group(name="soak")
def command() -> None:
    """Robustness soak runs: engine and protocol fuzzing, runaway scenarios, durability under SIGKILL, control URL
    load."""


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


@command.command(name="runaway")
@click.option("--calls", type=click.IntRange(min=0), default=50, show_default=True,
              help="Healthy bridged real-time calls in the same process.")
@click.option("--max-steps", type=click.IntRange(min=1000), default=2_000_000, show_default=True,
              help="The runaway session's step budget per task (settings max_steps).")
@click.option("--max-seconds", type=float, default=5.0, show_default=True,
              help="How long a runaway session that keeps living (a caught JS error) is left before it is ended.")
@click.option("--kind", "kinds", multiple=True, help="Only these runaway kinds (repeatable).")
@click.option("--compare", is_flag=True, help="Run each kind first with the limits before the memory budget.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def runaway(calls: int, max_steps: int, max_seconds: float, kinds: tuple[str, ...], compare: bool,
            as_json: bool) -> None:
    """Runaway scenarios (endless loop, recursion, giant string/array, timer and promise storms) next to healthy
    calls: how each ends, how long it took, and the tick lateness of the healthy calls during it."""
    from voxsim.tools.soak.runaway import RUNAWAYS, measure_runaways

    unknown = sorted(set(kinds) - set(RUNAWAYS))
    if unknown:
        raise click.UsageError(f"unknown --kind {unknown}; choose from {sorted(RUNAWAYS)}")
    report = measure_runaways(calls, max_steps, max_seconds, list(kinds) or None, compare=compare)
    if as_json:
        click.echo(json.dumps(report))
        return
    b = report["baseline"]
    click.echo(f"{calls} bridged calls, runaway max_steps {max_steps}; baseline lateness p50 {b['lateness_p50_ms']} ms, "
               f"p99 {b['lateness_p99_ms']} ms")
    for r in report["runaways"]:
        how = "ended itself" if r["ended_by_itself"] else f"lived on, ended at --max-seconds"
        kind = r["kind"] + (" " + r["variant"] if "variant" in r else "")
        click.echo(f"{kind:21} {how:32} {r['seconds']:7.2f} s  lateness p50 {r['lateness_p50_ms']:8.1f} "
                   f"p99 {r['lateness_p99_ms']:9.1f} max {r['lateness_max_ms']:9.1f} ms  {r['error']}")


@command.command(name="durability")
@click.option("--kill-after", type=float, default=0.9, show_default=True,
              help="Seconds after a seen WAV header patch to SIGKILL the recorded call (0..1 lands anywhere in a patch period).")
@click.option("--writers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Processes writing one ApplicationStorage file at once.")
@click.option("--puts", type=click.IntRange(min=1), default=300, show_default=True,
              help="Acknowledged puts per writer before the SIGKILL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def durability(kill_after: float, writers: int, puts: int, as_json: bool) -> None:
    """SIGKILL a child running a recorded real-time call and ApplicationStorage writers; report the audio lost and
    the acknowledged puts lost. Exit 1 if more than 1 s of audio or any acknowledged put was lost."""
    from voxsim.tools.soak.durability import kill_recorded_call, kill_storage_writers

    wav = kill_recorded_call(kill_after=kill_after)
    storage = kill_storage_writers(writers=writers, min_acks=puts)
    report = {"recording": wav, "storage": storage}
    if as_json:
        click.echo(json.dumps(report))
    else:
        click.echo(f"recording: valid={wav['valid']} {wav['wav_seconds']} s in the WAV of {wav['recorded_seconds']} s "
                   f"recorded, lost {wav['lost_seconds']} s (SIGKILL)")
        click.echo(f"storage: {storage['writers']} writers, {storage['acknowledged']} acknowledged puts, "
                   f"{storage['lost']} lost (SIGKILL)")
    if not wav["valid"] or wav["lost_seconds"] > 1.0 or storage["lost"]:
        raise SystemExit(1)


@command.command(name="protocol")
@click.option("--target", type=click.Choice(["cartesia", "http"]), required=True,
              help="cartesia: mutated server frames at the Cartesia client; http: raw requests at the control URL.")
@click.option("--cases", type=click.IntRange(min=1), default=200, show_default=True, help="Cases to try.")
@click.option("--seed", type=int, default=0, show_default=True, help="Run seed; case i is reproducible from it.")
@click.option("--examples", "max_examples", type=click.IntRange(min=0), default=10, show_default=True,
              help="Failing cases to include in the report.")
@click.option("--json", "as_json", is_flag=True, help='Print {"cases": N, "failures": N, "examples": [...]}.')
def protocol(target: str, cases: int, seed: int, max_examples: int, as_json: bool) -> None:
    """Protocol fuzz: random and mutated Cartesia server frames at the bundled inbound scenario (virtual time), or
    random methods, paths, headers, bodies and framing at the control URL of two live sessions.

    A Python exception, an error logged by voxsim, a session that does not end (cartesia) or stops answering (http),
    or a malformed or missing response is a failure.
    """
    interactive = not as_json and sys.stderr.isatty()

    def progress(done: int, failed: int) -> None:
        if interactive and (done % 10 == 0 or done == cases):
            click.echo(f"\r{done}/{cases} cases, {failed} failures", err=True, nl=False)

    if target == "cartesia":
        from voxsim.tools.soak.protocol import run_cartesia_fuzz

        result = run_cartesia_fuzz(cases, seed=seed, progress=progress)
    else:
        from voxsim.tools.soak.protocol_http import run_http_fuzz

        result = run_http_fuzz(cases, seed=seed, progress=progress)
    if interactive:
        click.echo("", err=True)
    report = result.as_dict(max_examples)
    if as_json:
        click.echo(json.dumps(report))
    else:
        seen = ", ".join(f"{k} {v}" for k, v in report["seen"].items())
        click.echo(f"protocol {target}: {report['cases']} cases, {report['failures']} failures in "
                   f"{report['seconds']:.1f} s (seen: {seen})")
        for ex in report["examples"]:
            click.echo(json.dumps(ex, ensure_ascii=False)[:2000])
    if result.failures:
        raise SystemExit(1)


@command.command(name="http")
@click.option("--rps", type=click.FloatRange(min=1), default=1000, show_default=True, help="Requests per second.")
@click.option("--seconds", type=click.FloatRange(min=0.1), default=30, show_default=True, help="How long.")
@click.option("--sessions", type=click.IntRange(min=1), default=1, show_default=True,
              help="Sessions the requests are spread over (round robin).")
@click.option("--clients", type=click.IntRange(min=1), default=1, show_default=True,
              help="Load client processes (the sessions' server runs in this one).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def http(rps: float, seconds: float, sessions: int, clients: int, as_json: bool) -> None:
    """Load the control URL: every request must give exactly one HttpRequest event and one response (p99 latency).
    Exit 1 if any request was lost, duplicated or answered for another."""
    from voxsim.tools.soak.http_load import measure_http_load

    report = measure_http_load(rps, seconds, sessions, clients=clients)
    if as_json:
        click.echo(json.dumps(report))
    else:
        click.echo(f"{report['sent']} requests at {report['achieved_rps']}/s over {sessions} session(s): "
                   f"{report['answered']} answered, {report['lost']} lost, {report['duplicates']} duplicated, "
                   f"{report['http_request_events']} HttpRequest events; latency p50 {report['latency_p50_ms']} ms, "
                   f"p99 {report['latency_p99_ms']} ms, max {report['latency_max_ms']} ms; server CPU "
                   f"{report['server_cpu_us_per_request']} µs/request, "
                   f"client {report['client_cpu_us_per_request']} µs/request")
    bad = (report["lost"] or report["duplicates"] or report["mismatched"] or report["internal_errors"]
           or report["http_request_events"] != report["sent"])
    if bad:
        raise SystemExit(1)
