"""The coordinator of ``voxsim load``: worker processes, C calls in flight in total until N have ended, one report.

Why the coordinator and not the workers decides which call starts where: it alone knows the total in flight, so a
worker that is slow (or dies) simply gets fewer calls, and a dead worker's unstarted share goes to the others.
Calls are handed to the ready worker with the fewest in flight; the first C start evenly over ``ramp`` seconds
(a burst of C session start-ups at one instant would be measured as lateness of nothing but the burst).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from .calls import LoadConfig
from .worker import worker_main

__all__ = ["LoadError", "Progress", "LoadReport", "run_load"]

#: Seconds ``run_load`` waits for the workers' goodbye after asking them to stop.
_STOP_WAIT = 20.0
#: Seconds a worker may take to import and warm up.
_READY_WAIT = 120.0


class LoadError(RuntimeError):
    """The run could not start: no worker became ready (e.g. the scenario has a SyntaxError)."""


@dataclass
class Progress:
    """A snapshot for the live display (``on_progress``)."""

    calls: int
    completed: int
    failed: int
    in_flight: int
    lateness_p99_ms: float | None  # the worst worker's p99 over its last second
    elapsed: float
    workers: dict[int, int]  # worker index -> pid, live workers only


@dataclass
class LoadReport:
    """The final figures; ``as_json()`` is the ``--json`` document (the issue's keys first)."""

    calls: int
    concurrency: int
    processes: int
    completed: int = 0
    failed: int = 0
    cancelled: int = 0  # in flight when the run was interrupted
    not_started: int = 0
    interrupted: bool = False
    lateness_p50_ms: float | None = None
    lateness_p99_ms: float | None = None
    lateness_max_ms: float | None = None
    ticks: int = 0
    tick_coverage: float | None = None  # ticks / (call seconds × 50): well below 1 means ticks were dropped (a loop
    # more than 200 ms behind skips the missed ticks) or sessions spent long before their call connected
    agent_rtt_p50_ms: float | None = None
    agent_rtt_p99_ms: float | None = None
    rtt_samples: int = 0
    cpu_per_call: float | None = None
    call_seconds_p50: float | None = None  # how long a call lasted (session start to Terminated)
    cpu_share: float | None = None  # CPU seconds of the workers / (wall seconds × processes): below 1 with high
    # lateness means the workers were waiting for a core (other processes), not busy
    cpu_seconds: float = 0.0
    startup_cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    gc_policy: str = ""
    gc_full_collections: int = 0  # full (generation 2) collections in the workers from ready to exit
    gc_full_total_ms: float = 0.0
    gc_full_max_ms: float = 0.0  # the longest one: every live call's media waited for it
    gc_full_max_cpu_ms: float = 0.0  # the same in CPU time (wall time also counts waiting for a busy core)
    gc_young_max_ms: float = 0.0
    max_rss_mb: float = 0.0  # the largest worker's peak resident memory
    errors: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The issue's keys in its order, then the extra ones."""
        first = ("completed", "failed", "lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms", "agent_rtt_p50_ms",
                 "cpu_per_call")
        doc = {key: getattr(self, key) for key in first}
        for key, value in self.__dict__.items():
            doc.setdefault(key, value)
        return doc


@dataclass
class _Worker:
    index: int
    process: Any
    conn: Connection
    pid: int = 0
    ready: bool = False
    alive: bool = True
    in_flight: set[int] = field(default_factory=set)
    cpu_ready: float = 0.0
    cpu_last: float = 0.0
    live_p99: float | None = None
    said_bye: bool = False


class _Run:
    def __init__(self, config: LoadConfig, calls: int, concurrency: int, processes: int, ramp: float,
                 on_progress: Callable[[Progress], None] | None) -> None:
        self.config = config
        self.calls = calls
        self.concurrency = max(1, concurrency)
        self.processes = max(1, processes)
        self.ramp = max(0.0, ramp)
        self.on_progress = on_progress
        self.report = LoadReport(calls, self.concurrency, self.processes, gc_policy=config.gc_policy)
        self.workers: list[_Worker] = []
        self.started = 0
        self.lateness: list[np.ndarray] = []
        self.rtts: list[float] = []
        self.call_seconds: list[float] = []
        self.errors: Counter[str] = Counter()
        self.fatal: str | None = None
        self.t0 = time.monotonic()
        self.first_start: float | None = None

    # -- workers ------------------------------------------------------------------------------------------------------

    def spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no inherited loops, threads or sockets from this process
        for index in range(self.processes):
            ours, theirs = ctx.Pipe(duplex=True)
            process = ctx.Process(target=worker_main, args=(theirs, self.config, index), daemon=True,
                                  name=f"voxsim-load-{index}")
            process.start()
            theirs.close()
            self.workers.append(_Worker(index, process, ours))

    def _live(self) -> list[_Worker]:
        return [w for w in self.workers if w.alive]

    def _handle(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready, worker.pid, worker.cpu_ready = True, int(message[1]), float(message[2])
            worker.cpu_last = worker.cpu_ready
        elif kind == "fatal":
            self.fatal = str(message[1])
        elif kind == "live":
            worker.live_p99, worker.cpu_last = message[1], float(message[2])
        elif kind == "done":
            _, call_id, ok, error, lateness, rtts, seconds, cancelled = message
            worker.in_flight.discard(call_id)
            self.call_seconds.append(float(seconds))
            self.lateness.append(np.frombuffer(lateness, dtype=np.float32))
            self.rtts.extend(rtts)
            if cancelled:  # ended by the stop (Ctrl-C), whatever its state
                self.report.cancelled += 1
            elif ok:
                self.report.completed += 1
            else:
                self.report.failed += 1
                self.errors[str(error)[:200]] += 1
        elif kind == "bye":
            worker.cpu_last, worker.said_bye = float(message[1]), True
            if len(message) > 3:
                gc_stats, rss = message[2], float(message[3])
                report = self.report
                report.gc_full_collections += int(gc_stats["full"])
                report.gc_full_total_ms = round(report.gc_full_total_ms + float(gc_stats["full_total_ms"]), 1)
                report.gc_full_max_ms = round(max(report.gc_full_max_ms, float(gc_stats["full_max_ms"])), 1)
                report.gc_full_max_cpu_ms = round(max(report.gc_full_max_cpu_ms,
                                                      float(gc_stats.get("full_max_cpu_ms", 0.0))), 1)
                report.gc_young_max_ms = round(max(report.gc_young_max_ms, float(gc_stats["young_max_ms"])), 1)
                report.max_rss_mb = max(report.max_rss_mb, rss)

    def _drain(self, worker: _Worker) -> None:
        """Read every message the worker has sent; a closed pipe means it died (its calls failed)."""
        try:
            while worker.conn.poll():
                self._handle(worker, worker.conn.recv())
        except (EOFError, OSError):
            self._dead(worker)

    def _dead(self, worker: _Worker) -> None:
        if not worker.alive:
            return
        worker.alive = False
        worker.process.join(timeout=5)
        if worker.said_bye:
            return
        code = worker.process.exitcode
        reason = f"worker {worker.index} (pid {worker.pid or worker.process.pid}) died (exit code {code})"
        if worker.in_flight:
            self.report.failed += len(worker.in_flight)
            self.errors[reason] += len(worker.in_flight)
            worker.in_flight.clear()

    def poll(self, timeout: float) -> None:
        """Wait up to ``timeout`` for messages or a worker's exit and handle them."""
        live = self._live()
        if not live:
            time.sleep(timeout)
            return
        ready = wait([w.conn for w in live] + [w.process.sentinel for w in live], timeout)
        for worker in live:
            if worker.conn in ready:
                self._drain(worker)
            if worker.process.sentinel in ready and worker.alive:
                self._drain(worker)
                self._dead(worker)

    # -- calls --------------------------------------------------------------------------------------------------------

    def in_flight(self) -> int:
        return sum(len(w.in_flight) for w in self.workers)

    def dispatch(self) -> None:
        now = time.monotonic()
        while self.started < self.calls and self.in_flight() < self.concurrency:
            if self.started < self.concurrency and self.ramp > 0:
                if self.first_start is None:
                    self.first_start = now
                due = self.first_start + self.ramp * self.started / self.concurrency
                if now < due:
                    return
            candidates = [w for w in self.workers if w.alive and w.ready]
            if not candidates:
                return
            worker = min(candidates, key=lambda w: (len(w.in_flight), w.index))
            call_id = self.started + 1
            try:
                worker.conn.send(("start", call_id))
            except (BrokenPipeError, OSError):
                self._dead(worker)
                continue
            worker.in_flight.add(call_id)
            self.started += 1

    def ended(self) -> int:
        return self.report.completed + self.report.failed + self.report.cancelled

    def progress(self) -> None:
        if self.on_progress is None:
            return
        p99s = [w.live_p99 for w in self._live() if w.live_p99 is not None]
        self.on_progress(Progress(self.calls, self.report.completed, self.report.failed, self.in_flight(),
                                  max(p99s) if p99s else None, time.monotonic() - self.t0,
                                  {w.index: w.pid for w in self._live() if w.pid}))

    # -- phases -------------------------------------------------------------------------------------------------------

    def wait_ready(self) -> None:
        deadline = time.monotonic() + _READY_WAIT
        while time.monotonic() < deadline and self.fatal is None:
            live = self._live()
            if not live or all(w.ready for w in live):
                break
            self.poll(0.2)
            self.progress()
        if self.fatal is not None:
            raise LoadError(f"the scenario cannot run: {self.fatal}")
        if not any(w.ready for w in self._live()):
            raise LoadError("no worker process became ready")

    def main(self) -> None:
        self.t0 = time.monotonic()
        while self.ended() < self.calls:
            self.dispatch()
            if not self._live():
                break
            if self.started >= self.calls and self.in_flight() == 0:
                break  # every call ended (the rest were lost with dead workers and already counted)
            self.poll(0.25)
            self.progress()

    def stop(self) -> None:
        """Ask every live worker to stop and collect its last reports and CPU time."""
        for worker in self._live():
            try:
                worker.conn.send(("stop",))
            except (BrokenPipeError, OSError):
                self._dead(worker)
        deadline = time.monotonic() + _STOP_WAIT
        while self._live() and time.monotonic() < deadline:
            for worker in self._live():
                if worker.said_bye:
                    worker.alive = False
                    worker.process.join(timeout=5)
            self.poll(0.2)
            self.progress()
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
            if worker.in_flight:  # killed with calls still in flight
                self.report.failed += len(worker.in_flight)
                self.errors[f"worker {worker.index} did not stop"] += len(worker.in_flight)
                worker.in_flight.clear()
            worker.conn.close()

    def finish(self) -> LoadReport:
        report = self.report
        report.not_started = self.calls - self.started
        report.wall_seconds = round(time.monotonic() - self.t0, 3)
        late = np.concatenate(self.lateness) * 1000 if self.lateness else np.zeros(0)
        report.ticks = int(late.size)
        if late.size:
            report.lateness_p50_ms = round(float(np.percentile(late, 50)), 3)
            report.lateness_p99_ms = round(float(np.percentile(late, 99)), 3)
            report.lateness_max_ms = round(float(late.max()), 3)
        if self.rtts:
            rtts = np.asarray(self.rtts) * 1000
            report.agent_rtt_p50_ms = round(float(np.percentile(rtts, 50)), 1)
            report.agent_rtt_p99_ms = round(float(np.percentile(rtts, 99)), 1)
            report.rtt_samples = len(self.rtts)
        report.cpu_seconds = round(sum(w.cpu_last - w.cpu_ready for w in self.workers if w.ready), 3)
        report.startup_cpu_seconds = round(sum(w.cpu_ready for w in self.workers if w.ready), 3)
        ended = report.completed + report.failed
        report.cpu_per_call = round(report.cpu_seconds / ended, 4) if ended else None
        if self.call_seconds:
            report.call_seconds_p50 = round(float(np.percentile(self.call_seconds, 50)), 2)
            if sum(self.call_seconds) > 0:
                report.tick_coverage = round(report.ticks / (sum(self.call_seconds) * 50), 3)
        if report.wall_seconds > 0:
            report.cpu_share = round(report.cpu_seconds / (report.wall_seconds * self.processes), 3)
        report.errors = dict(self.errors.most_common(10))
        return report


def run_load(config: LoadConfig, calls: int, concurrency: int, processes: int | None = None, *, ramp: float = 2.0,
             on_progress: Callable[[Progress], None] | None = None) -> LoadReport:
    """Run ``calls`` real-time calls of ``config``, ``concurrency`` at a time over ``processes`` workers (default: one
    per core), and return the report. Ctrl-C (KeyboardInterrupt) stops the workers and returns a partial report with
    ``interrupted`` set.

    Raises:
        LoadError: no worker could start (a SyntaxError in the scenario, an unreadable caller script…).
    """
    run = _Run(config, calls, concurrency, processes or os.cpu_count() or 1, ramp, on_progress)
    try:
        run.spawn()
        run.wait_ready()
        run.main()
    except KeyboardInterrupt:
        run.report.interrupted = True
    except BaseException:
        run.stop()
        raise
    try:
        run.stop()
    except KeyboardInterrupt:  # a second Ctrl-C: kill the workers at once
        run.report.interrupted = True
        for worker in run.workers:
            if worker.process.is_alive():
                worker.process.kill()
            run.report.cancelled += len(worker.in_flight)
            worker.in_flight.clear()
    return run.finish()
