"""A load worker process: one real-time event loop running the calls its coordinator hands it over a pipe.

Why processes: a session's JS, media ticks and the agent emulator all run on one event loop, so one process uses at
most one core; ``voxsim load`` runs one worker per core. The pipe carries small tuples (pickled):

coordinator → worker: ``("start", call_id)``, ``("stop",)`` (end every live call, report, exit).

worker → coordinator: ``("ready", pid, cpu_s)`` once imports and a warm-up session are done (or
``("fatal", message)`` when the scenario cannot even be compiled), ``("done", call_id, ok, error, lateness_bytes,
rtts, seconds, cancelled)`` per call (lateness: float32 seconds per 20 ms tick), ``("live", p99_ms, cpu_s,
in_flight)`` every second (p99 of the newest ticks of up to ``LIVE_CALLS`` live calls, None when there were none),
and ``("bye", cpu_s, gc_stats, max_rss_mb)`` (``gc_stats``: the :class:`~.gcpolicy.GcStats` fields as a dict, from
ready to bye).

The worker holds the loop's shared control server for its whole run (the sessions come and go; without the hold the
first call after an idle moment would start it again, certificate and all, on the media loop), and applies
``config.gc_policy`` after its warm-up.
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import shutil
import signal
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from voxsim.runtime.hostturns import HostTurns

from .calls import CallFactory, CallOutcome, LoadConfig
from .gcpolicy import GcWatch, apply_gc_policy

__all__ = ["worker_main", "LIVE_INTERVAL"]

#: Seconds between ``live`` reports.
LIVE_INTERVAL = 1.0
#: Ticks of each sampled call the ``live`` p99 looks at per report (the newest ones).
LIVE_SAMPLE = 10
#: Calls sampled per ``live`` report, taken in turn from the live ones.
LIVE_CALLS = 50
#: How long the worker's warm-up call stays connected (seconds).
WARM_UP_CALL_SECONDS = 2.0
#: Seconds the worker gives live calls to end after ``stop`` before cancelling them.
STOP_GRACE = 10.0


def worker_main(conn: Connection, config: LoadConfig, index: int) -> None:
    """The process entry point (``multiprocessing`` target). Ctrl-C is the coordinator's to handle: the worker
    ignores SIGINT and waits for ``stop``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from voxsim.runtime.clock import run

    base = Path(config.work_dir) if config.work_dir else Path(tempfile.mkdtemp(prefix="voxsim-load-"))
    work_dir = base / f"worker-{index}"
    try:
        run(_Worker(conn, config, work_dir).serve(), virtual=False)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        if not config.work_dir:
            shutil.rmtree(base, ignore_errors=True)
        conn.close()


class _Worker:
    def __init__(self, conn: Connection, config: LoadConfig, work_dir: Path) -> None:
        self.conn = conn
        self.config = config
        self.work_dir = work_dir
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.stopping = False

    def send(self, message: tuple[Any, ...]) -> None:
        try:
            self.conn.send(message)
        except (BrokenPipeError, EOFError, OSError):  # the coordinator is gone: nothing left to report to
            self.stopping = True
            self._stop.set()

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            factory = CallFactory(self.config, self.work_dir)
            await _warm_up(factory)
        except Exception as exc:
            self.send(("fatal", f"{type(exc).__name__}: {exc}"))
            return
        self.factory = factory
        from voxsim.runtime.http import release_shared_server, shared_server

        await shared_server(self.config.settings.get("http"))
        apply_gc_policy(self.config.gc_policy)
        if self.config.gc_policy == "lean":
            factory.enable_teardown()
        watch = GcWatch().start()
        self.send(("ready", os.getpid(), time.process_time()))
        loop.add_reader(self.conn.fileno(), self._on_readable)
        sampler = loop.create_task(self._sample())
        try:
            await self._stop.wait()
        finally:
            loop.remove_reader(self.conn.fileno())
            sampler.cancel()
        self.stopping = True
        for session in list(factory.live.values()):
            session.terminate()
        if self.tasks:
            await asyncio.wait(list(self.tasks.values()), timeout=STOP_GRACE)
        for task in list(self.tasks.values()):
            task.cancel()
        await factory.close()
        await release_shared_server()
        stats = watch.stop()
        max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        self.send(("bye", time.process_time(), dict(stats.__dict__), round(max_rss_mb, 1)))

    def _on_readable(self) -> None:
        try:
            while self.conn.poll():
                message = self.conn.recv()
                if message[0] == "start":
                    call_id = int(message[1])
                    self.tasks[call_id] = asyncio.get_running_loop().create_task(self._call(call_id))
                elif message[0] == "stop":
                    self._stop.set()
        except (EOFError, OSError):  # the coordinator died
            self._stop.set()

    async def _call(self, call_id: int) -> None:
        try:
            outcome: CallOutcome = await self.factory.run(call_id)
        except asyncio.CancelledError:
            outcome = CallOutcome(call_id, False, "cancelled at stop")
        finally:
            self.tasks.pop(call_id, None)
        self.send(("done", call_id, outcome.ok, outcome.error, outcome.lateness.astype(np.float32).tobytes(),
                   outcome.rtts, outcome.seconds, self.stopping))

    async def _sample(self) -> None:
        turns = HostTurns.for_loop(asyncio.get_running_loop())
        first = 0
        while True:
            await asyncio.sleep(LIVE_INTERVAL)
            await turns.turn()  # a piece of host work like a call's start or end, not run back to back with one
            # The live p99 is a display: the newest LIVE_SAMPLE ticks of LIVE_CALLS calls, in turn. Every tick of
            # 200 calls held the loop ~1.5 ms each second, and the newest ticks of all 200 still ~2 ms (200
            # sessions' memory walked, numpy's percentile): a stall of the very media being measured. The report's
            # figures come from each call's whole lateness at its end.
            live = list(self.factory.live.values())
            count = min(LIVE_CALLS, len(live))
            recent: list[float] = []
            for i in range(first, first + count):
                graph = getattr(live[i % len(live)].extensions.get("media"), "graph", None)
                if graph is not None:
                    recent.extend(graph.lateness[-LIVE_SAMPLE:])
            first += count
            p99 = _nearest_rank(recent, 0.99) * 1000 if recent else None
            self.send(("live", p99, time.process_time(), len(self.tasks)))


def _nearest_rank(values: list[float], q: float) -> float:
    """The ``q`` quantile by nearest rank: a sort of 500 floats, not numpy's percentile (~0.3 ms for its checks)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def _warm_up(factory: CallFactory) -> None:
    """Run one short call of the scenario before the clock starts counting (a SyntaxError raises): imports, caches,
    filters and the scripts' speech are then made, so the first calls of the run do not make them inside it (each a
    stall of every live call), and ``--gc lean``'s snapshot holds them."""
    import importlib

    from voxsim.runtime.session import Session, SessionOptions

    for name in ("voxsim.runtime.modules.cartesia", "voxsim.tools.trace.model"):  # what the first call would import
        importlib.import_module(name)
    factory.speak_ahead()  # the scripts' phrases into the TTS cache: no synthesis inside the run
    session = Session(SessionOptions(network=factory.network))
    try:
        for source, filename in factory.sources:
            session.load(source, filename)
    finally:
        session.terminate()
        await session.wait()
        session.close()
    await factory.run(0, hangup_after=WARM_UP_CALL_SECONDS)  # its outcome is not counted
