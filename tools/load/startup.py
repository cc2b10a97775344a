"""The longest loop stall a session start-up causes: sessions started one after another on a real-time loop with a
1 ms loop-lag probe running, built whole (``Session()`` + ``load()``) or in pieces (``Session.create()`` +
``load_async()``, as load workers do), with the loop's control server held for the run (as load workers hold it).

Why: on one loop, every live call's 20 ms media tick waits while a new session is built, compiled and started;
the longest piece bounds the lateness a start-up adds. Run ``python -m voxsim.tools.load.startup [SCENARIO]`` (JSON
on stdout); the window of each session runs from its creation to 100 ms after ``start()`` (the storage open, the
inbound call's alerting and answer). Two figures per session: the probe's wall-clock stall, and the CPU time of the
longest loop turn (what the stall would be on a core of its own; on a busy machine the wall figure also counts
waiting for a core). ``--objects`` counts instead the GC-tracked objects one live call holds
(:func:`count_session_objects`, bridged calls by default).
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["measure_startup_stalls", "count_session_objects"]

#: Seconds the probe keeps watching after ``start()`` returned.
AFTER_START = 0.1


class _TurnTimedLoop(asyncio.SelectorEventLoop):
    """A loop that keeps the thread CPU time of its longest turn (the callbacks of one ``_run_once``; waiting in
    ``select`` costs no CPU)."""

    longest_turn = 0.0

    def _run_once(self) -> None:
        t0 = time.thread_time()
        super()._run_once()  # type: ignore[misc]
        self.longest_turn = max(self.longest_turn, time.thread_time() - t0)


async def _one(source: str, filename: str, work: Path, k: int, pieces: bool, stalls: list[float]) -> dict[str, float]:
    from voxsim.runtime.network import Network
    from voxsim.runtime.session import Session, SessionOptions

    net = Network.from_dict({"caller": {"callerid": "+15551234567"}})
    options = SessionOptions(network=net, storage_path=work / f"storage{k}.sqlite3",
                             settings={"recordings_dir": str(work / "rec")})
    gc.collect()  # a full pass left over from the previous session is not this one's stall
    await asyncio.sleep(0.02)
    stalls.clear()
    loop = asyncio.get_running_loop()
    if isinstance(loop, _TurnTimedLoop):
        loop.longest_turn = 0.0
    cpu0 = time.process_time()
    if pieces:
        session = await Session.create(options)
        await session.load_async(source, filename)
    else:
        session = Session(options)
        session.load(source, filename)
    await session.start(inbound=net.caller)
    await asyncio.sleep(AFTER_START)
    out = {"stall_ms": max(stalls, default=0.0) * 1000, "cpu_ms": (time.process_time() - cpu0) * 1000,
           "turn_cpu_ms": getattr(loop, "longest_turn", 0.0) * 1000}
    session.terminate()
    await session.wait()
    session.close()
    return out


async def _run(source: str, filename: str, sessions: int) -> dict[str, list[dict[str, float]]]:
    loop = asyncio.get_running_loop()
    stalls: list[float] = []
    stop = False

    async def probe() -> None:  # how late a 1 ms sleep wakes up
        while not stop:
            t = loop.time()
            await asyncio.sleep(0.001)
            stalls.append(loop.time() - t - 0.001)

    from voxsim.runtime.http import release_shared_server, shared_server

    await shared_server()  # held for the run, as a load worker does: sessions register with a running server
    probing = asyncio.create_task(probe())
    runs: dict[str, list[dict[str, float]]] = {"whole": [], "pieces": []}
    with tempfile.TemporaryDirectory(prefix="voxsim-startup-") as tmp:
        for k in range(2 * sessions + 2):  # alternate the two ways; the first of each warms caches up
            pieces = bool(k % 2)
            result = await _one(source, filename, Path(tmp), k, pieces, stalls)
            if k >= 2:
                runs["pieces" if pieces else "whole"].append(result)
    stop = True
    await probing
    await release_shared_server()
    return runs


def measure_startup_stalls(scenario: str | Path, sessions: int = 10) -> dict[str, Any]:
    """Start ``sessions`` sessions each way (alternating, after one warm-up each) and report per way the median
    and the largest loop stall (wall), the median and largest CPU time of one loop turn, and the median CPU
    milliseconds of a whole start-up."""
    path = Path(scenario)
    with asyncio.Runner(loop_factory=_TurnTimedLoop) as runner:
        runs = runner.run(_run(path.read_text(encoding="utf-8"), str(path), max(1, sessions)))
    doc: dict[str, Any] = {"scenario": path.name, "sessions": sessions}
    for way, rows in runs.items():
        doc[way] = {"stall_p50_ms": round(statistics.median(r["stall_ms"] for r in rows), 2),
                    "stall_max_ms": round(max(r["stall_ms"] for r in rows), 2),
                    "turn_cpu_p50_ms": round(statistics.median(r["turn_cpu_ms"] for r in rows), 2),
                    "turn_cpu_max_ms": round(max(r["turn_cpu_ms"] for r in rows), 2),
                    "cpu_p50_ms": round(statistics.median(r["cpu_ms"] for r in rows), 2)}
    return doc


def count_session_objects(scenario: str | Path, calls: int = 20, caller_script: str | None = None,
                          call_seconds: float = 6.0, at: float = 4.0) -> dict[str, Any]:
    """GC-tracked objects per live load call: ``calls`` concurrent calls of ``scenario`` (its default caller, as
    ``voxsim load`` runs them) on virtual time; ``at`` seconds in, after a full collection, the objects the process
    tracks beyond what it held before, per call. Why: a full collection walks every one of them, and young ones
    each that was made; fewer per session means shorter collections next to live media."""
    from voxsim.runtime.clock import run

    from .calls import CallFactory, LoadConfig

    async def main() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="voxsim-objects-") as tmp:
            factory = CallFactory(LoadConfig(scenarios=(str(scenario),), caller_script=caller_script,
                                             call_seconds=call_seconds), Path(tmp))
            await factory.run(0)  # warm-up: imports, parse cache, shared placeholders
            gc.collect()
            before = len(gc.get_objects())
            tasks = [asyncio.ensure_future(factory.run(i + 1)) for i in range(calls)]
            await asyncio.sleep(at)
            gc.collect()
            live = len(gc.get_objects()) - before
            outcomes = await asyncio.gather(*tasks)
            await factory.close()
        return {"scenario": Path(scenario).name, "calls": calls, "ok": sum(o.ok for o in outcomes),
                "objects_per_live_call": round(live / calls)}

    return run(main(), virtual=True)


if __name__ == "__main__":
    from importlib.resources import files

    args = sys.argv[1:]
    objects = "--objects" in args
    args = [a for a in args if a != "--objects"]
    default = "bridged_call.js" if objects else "cartesia_inbound.js"
    target = args[0] if args else str(files("voxsim.scenarios").joinpath(default))
    count = int(args[1]) if len(args) > 1 else (20 if objects else 10)
    print(json.dumps(count_session_objects(target, count) if objects else measure_startup_stalls(target, count)))
