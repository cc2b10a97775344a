"""Runaway scenarios next to healthy calls in one process: does the runaway end, how fast, and what it costs others.

Why: sessions share one event loop per process. A scenario stuck in a loop, recursing, growing a string or an array,
arming timers by the thousand, chaining promises, keeping big strings or arrays made by built-ins or piling up
objects one at a time must end with a clear error while the other sessions' media stays on its 20 ms grid. This runs
``calls`` bridged calls (the media graph, on the wall clock) and, one after another, a session per runaway kind; it
reports for each kind how the session ended, after how long, and the tick lateness of the bridged calls during the
incident.

``compare=True`` runs each kind twice in the same process, first with the limits as they were before the memory
budget (``BEFORE_SETTINGS``: no memory cap, the engine's 2^28 / 2^25 string and array limits, a pause after every
slice), then with the session defaults, so before/after figures share the box's load; and it first times a
legitimate ~1 s task alone on the loop with and without the pause after every slice (``long_task``; its
``heap_reads`` / ``heap_read_ms`` are what watching the heap cost it).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media.units import MediaGraph
from voxsim.runtime.session import Session, SessionOptions
from voxsim.runtime.timeslice import SliceScheduler

__all__ = ["RUNAWAYS", "BEFORE_SETTINGS", "LONG_TASK", "measure_runaways"]

# Each runs from a timer, i.e. as a JS task on the shared loop, as a listener would.
RUNAWAYS: dict[str, str] = {
    "loop": "setTimeout(() => { while (true) {} }, 0);",
    "recursion": "function r(n) { return r(n + 1) + 1 } setTimeout(() => r(0), 0);",
    "giant_string": "setTimeout(() => { let s = 'x'; for (;;) s += s; }, 0);",
    "giant_array": "setTimeout(() => { const a = []; for (;;) a.push(a.length); }, 0);",
    "index_append": "setTimeout(() => { const a = []; for (;;) a[a.length] = 1; }, 0);",
    "gapped_index": "setTimeout(() => { const a = []; for (let i = 0; ; i += 1000) a[i] = 1; }, 0);",
    "timer_storm": "setTimeout(() => { for (let i = 0; ; i++) setTimeout(() => {}, 1 + i % 50); }, 0);",
    "promise_storm": "setTimeout(() => { const f = () => Promise.resolve().then(f); f(); }, 0);",
    "async_storm": "setTimeout(() => { const f = async () => { await null; f(); f(); }; f(); }, 0);",
    "array_doubling": "setTimeout(() => { let a = [1]; for (;;) a = a.concat(a); }, 0);",
    "spread_doubling": "setTimeout(() => { let a = [1]; for (;;) a = [...a, ...a]; }, 0);",
    "repeat_strings": "setTimeout(() => { const keep = []; for (let i = 0; ; i++) keep.push(String(i).repeat(1e5)); }, 0);",
    "object_chain": "setTimeout(() => { let o = {}; for (;;) o = {next: o}; }, 0);",
    "map_growth": "setTimeout(() => { const m = new Map(); for (let i = 0; ; i++) m.set(i, {i}); }, 0);",
}

#: Session settings that give the limits before the memory budget (the "before" rows of ``compare``); the pause
#: after every slice (``SliceScheduler.idle_resume = False``) goes with them.
BEFORE_SETTINGS: dict[str, Any] = {"max_memory_mb": None, "max_string_length": 1 << 28, "max_array_length": 1 << 25}


def _stats(late_s: Sequence[float]) -> dict[str, float]:
    late = np.array(late_s if len(late_s) else [0.0]) * 1000
    return {"lateness_p50_ms": round(float(np.percentile(late, 50)), 3),
            "lateness_p99_ms": round(float(np.percentile(late, 99)), 3),
            "lateness_max_ms": round(float(late.max()), 3), "ticks": int(len(late_s))}


async def _warm_up() -> None:
    """One session created, run and ended before measuring: the first one imports the runtime's modules and fills
    the parser's caches (seconds on a loaded box), which is start-up cost, not the runaway's."""
    session = Session(SessionOptions(idle_timeout=0.01))
    try:
        session.load("setTimeout(() => {}, 0);", "warm_up.js")
        await session.start()
        await session.wait(max_seconds=1.0)
    finally:
        session.close()


async def _one(kind: str, source: str, graph: MediaGraph, settings: dict[str, Any],
               max_seconds: float, idle_resume: bool = True) -> dict[str, Any]:
    session = Session(SessionOptions(settings=dict(settings)))
    SliceScheduler.for_loop(session.loop).idle_resume = idle_resume
    try:
        session.load(source, f"runaway_{kind}.js")
        before = len(graph.lateness)
        started = time.perf_counter()
        await session.start()
        await asyncio.sleep(0.2)  # let the timer fire
        ended = session.terminated
        if not ended:
            ended = await session.wait(max_seconds=max_seconds)
        elapsed = time.perf_counter() - started
        errors = [str(e) for e in session.errors]
        return {"kind": kind, "terminated": session.terminated, "ended_by_itself": bool(ended),
                "seconds": round(elapsed, 3), "error": errors[0][:200] if errors else None,
                "errors": len(errors), **_stats(graph.lateness[before:])}
    finally:
        session.close()


#: A legitimate task of ~1 s CPU: on an idle loop its wall time should be about its CPU time.
LONG_TASK = ("setTimeout(() => { let t = 0; for (let i = 0; i < LOOPS; i++) t += i % 7; Logger.write('sum ' + t); "
             "VoxEngine.terminate(); }, 0);")


async def _long_task(idle_resume: bool, loops: int) -> dict[str, Any]:
    """``LONG_TASK`` alone on the loop: wall and CPU seconds from start to end, and how its slices resumed."""
    session = Session(SessionOptions())
    scheduler = SliceScheduler.for_loop(session.loop)
    scheduler.idle_resume = idle_resume
    paused, immediate = scheduler.paused, scheduler.immediate
    try:
        session.load(LONG_TASK.replace("LOOPS", str(int(loops))), "long_task.js")
        wall, cpu = time.perf_counter(), time.process_time()
        await session.start()
        await session.wait(max_seconds=60)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        budget = session.realm.budget
    finally:
        session.close()
    return {"idle_resume": idle_resume, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "wall_per_cpu": round(wall / cpu, 2) if cpu else None, "paused": scheduler.paused - paused,
            "immediate": scheduler.immediate - immediate, "heap_reads": budget.heap_reads,
            "heap_read_ms": round(budget.heap_read_seconds * 1000, 2)}


async def _one_and_cleanup(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """``_one``, then a full collection timed on its own (``cleanup_gc_ms``): what the runaway left in reference
    cycles is its cost, not a stall inside the next row's window."""
    row = await _one(*args, **kwargs)
    started = time.perf_counter()
    gc.collect()
    row["cleanup_gc_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return row


def measure_runaways(calls: int = 50, max_steps: int = 2_000_000, max_seconds: float = 5.0,
                     kinds: list[str] | None = None, settings: dict[str, Any] | None = None,
                     compare: bool = False, long_task_loops: int = 1_500_000) -> dict[str, Any]:
    """Run each runaway kind next to ``calls`` bridged real-time calls; see the module docstring.

    ``settings`` go to each runaway session (e.g. ``{"slice_seconds": None}`` turns time slicing off,
    ``{"max_task_seconds": 2}``); ``max_steps`` is added to them. With ``compare`` each kind runs with
    ``BEFORE_SETTINGS`` first (its row has ``"variant": "before"``), then as asked (``"after"``)."""
    from voxsim.tools.bench.media import _bridges

    session_settings = {**(settings or {}), "max_steps": max_steps}

    async def main() -> dict[str, Any]:
        await _warm_up()
        long_task = ([await _long_task(False, long_task_loops), await _long_task(True, long_task_loops)]
                     if compare else [])
        graph = MediaGraph(Clock())
        graph.record_lateness = True
        _bridges(graph, calls)
        await asyncio.sleep(0.5)
        baseline = _stats(graph.lateness[5:])
        results = []
        for kind in kinds or list(RUNAWAYS):
            if compare:
                before = await _one_and_cleanup(kind, RUNAWAYS[kind], graph,
                                                {**session_settings, **BEFORE_SETTINGS}, max_seconds,
                                                idle_resume=False)
                results.append({**before, "variant": "before"})
                await asyncio.sleep(0.2)
            row = await _one_and_cleanup(kind, RUNAWAYS[kind], graph, session_settings, max_seconds)
            results.append({**row, "variant": "after"} if compare else row)
            await asyncio.sleep(0.2)
        graph.stop()
        report = {"calls": calls, "max_steps": max_steps, "settings": session_settings, "baseline": baseline,
                  "runaways": results}
        if compare:  # a legit long task alone on the loop, before the calls start: the pause after every slice vs not
            report["long_task"] = long_task
        return report

    return run(main(), virtual=False)
