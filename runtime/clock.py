"""The only time source of the runtime: a session clock on an asyncio loop, virtual or real.

Virtual time is :class:`VirtualEventLoop`: the loop's ``time()`` is a counter that jumps to the next due timer when
nothing is runnable and no I/O is ready, so a five-minute call runs in well under a second of CPU and always in the
same order. Real time is a plain asyncio loop. Everything in the runtime schedules through :class:`Clock` (never
``time.time()``). Loops made by ``looptime`` (its pytest plugin) count as virtual too.
"""

from __future__ import annotations

import asyncio
import selectors
import time as _time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import looptime

__all__ = ["Clock", "VirtualEventLoop", "new_event_loop", "run", "is_virtual"]

T = TypeVar("T")

_US = 1_000_000  # virtual time is kept in integer microseconds, as looptime does, so sums never drift


class VirtualEventLoop(asyncio.SelectorEventLoop):
    """A selector loop whose clock only moves when the loop would otherwise sleep.

    When no callback is ready, the loop polls its selector ``idle_polls`` times (loopback I/O that is on its way
    lands first) and then moves its clock straight to the next timer, inside that one turn. looptime, which this
    replaces for sessions, spends a whole loop turn per poll (``noop_cycles``): at 8 turns it was 13 turns and ~70 µs
    of CPU per 20 ms media tick, here 3 turns. While an executor job runs (a thread, or :class:`net.RealTimeHold`)
    time moves at real pace, since the job finishes in real time. Timers due at the same time run in the order asyncio
    gives them, so a run is deterministic as long as the scenario's peers are in process.
    """

    def __init__(self, start: float = 0.0, idle_polls: int = 2) -> None:
        selector = selectors.DefaultSelector()
        super().__init__(selector)
        self._now_us = round(start * _US)
        self._idle_polls = max(1, idle_polls)
        self._executor_futures: set[asyncio.Future[Any]] = set()
        self._poll: Callable[[float | None], list[tuple[selectors.SelectorKey, int]]] = selector.select
        # the grace polls only ask whether anything is ready: the bare epoll/poll object answers without building keys
        raw: Any = getattr(selector, "_selector", None)
        self._peek: Callable[[], bool] = (lambda: bool(raw.poll(0))) if hasattr(raw, "poll") else (
            lambda: bool(self._poll(0)))
        selector.select = self._select  # type: ignore[method-assign]
        self.jumps = 0  # how often the clock jumped (benchmarks)

    def time(self) -> float:
        return self._now_us / _US

    def run_in_executor(self, executor: Any, func: Any, *args: Any) -> asyncio.Future[Any]:  # type: ignore[override]
        future = super().run_in_executor(executor, func, *args)
        self._executor_futures.add(future)
        future.add_done_callback(self._executor_futures.discard)
        return future

    def _select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout == 0 or self._peek():
            return self._poll(0)
        ready: list[tuple[selectors.SelectorKey, int]] = []
        if self._executor_futures and any(not f.done() for f in self._executor_futures):
            # A thread (or a real-time peer behind a hold) finishes in real time: wait for it, moving in step.
            t0 = _time.perf_counter()
            ready = self._poll(timeout)
            if timeout is not None:
                self._now_us += round(min(timeout, _time.perf_counter() - t0) * _US) if ready else round(timeout * _US)
            return ready
        if timeout is None:
            return self._poll(None)  # no timer at all: only I/O (a thread's call_soon_threadsafe) can wake the loop
        peek = self._peek
        for _ in range(self._idle_polls - 1):
            if peek():
                return self._poll(0)
        step = round(timeout * _US)
        if 0 < timeout < 1 / _US:
            step += 1  # a sub-microsecond wait must still move the clock, or the loop would spin on it
        self._now_us += step
        self.jumps += 1
        return ready


def new_event_loop(virtual: bool) -> asyncio.AbstractEventLoop:
    """A new event loop: virtual (starting at t=0) when ``virtual``, else the default asyncio loop."""
    if virtual:
        return VirtualEventLoop(start=0.0)
    return asyncio.new_event_loop()


def is_virtual(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop`` runs on compacted (virtual) time."""
    if isinstance(loop, VirtualEventLoop):
        return True
    return isinstance(loop, looptime.LoopTimeEventLoop) and loop.looptime_on


def run(main: Coroutine[Any, Any, T], *, virtual: bool = True) -> T:
    """Run ``main`` to completion on a fresh loop of the chosen kind (the entry point of ``voxsim run`` and tests)."""
    with asyncio.Runner(loop_factory=lambda: new_event_loop(virtual)) as runner:
        return runner.run(main)


class Clock:
    """A session's view of its loop's time: seconds since the session started, timers, sleeps.

    Several sessions may share one loop; each has its own origin.
    """

    __slots__ = ("loop", "origin", "epoch")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, *, epoch: float | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()
        self.origin = self.loop.time()
        # The Unix time at session start: read once here (the one wall-clock read), or fixed for reproducible runs.
        self.epoch = _time.time() if epoch is None else float(epoch)

    def unix_time(self) -> float:
        """Unix seconds on the session clock (``epoch`` + elapsed session time): for Date, storage ttl, logs."""
        return self.epoch + self.now()

    @property
    def virtual(self) -> bool:
        """True when the loop's time is compacted."""
        return is_virtual(self.loop)

    def now(self) -> float:
        """Seconds since the session started, on the session clock."""
        return self.loop.time() - self.origin

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> asyncio.TimerHandle:
        """Run ``callback(*args)`` after ``delay`` seconds of session time (negative delays count as 0)."""
        return self.loop.call_later(max(0.0, delay), callback, *args)

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> asyncio.TimerHandle:
        """Run ``callback(*args)`` at session time ``when``."""
        return self.loop.call_at(self.origin + when, callback, *args)

    def call_soon(self, callback: Callable[..., object], *args: Any) -> asyncio.Handle:
        """Run ``callback(*args)`` on the next loop iteration."""
        return self.loop.call_soon(callback, *args)

    async def sleep(self, delay: float) -> None:
        """Sleep ``delay`` seconds of session time."""
        await asyncio.sleep(max(0.0, delay))
