"""SliceScheduler: a suspended task resumes at once when nothing else wants the loop, pauses when a callback is ready
or a timer is due, and sessions' long legitimate tasks no longer take twice their CPU time on an idle loop."""

from __future__ import annotations

import asyncio
import time

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session, SessionOptions
from voxsim.runtime.timeslice import SliceScheduler


def _slices(scheduler: SliceScheduler, n: int, slice_s: float, done: asyncio.Future[None]) -> None:
    """A stand-in for a suspended JS task: ``n`` slices of ``slice_s`` busy CPU, each queued through the scheduler."""
    left = [n]

    def slice_() -> None:
        end = time.perf_counter() + slice_s
        while time.perf_counter() < end:
            pass
        left[0] -= 1
        if left[0]:
            scheduler.schedule(slice_)
        elif not done.done():
            done.set_result(None)

    slice_()


def test_an_idle_loop_resumes_at_once_and_the_old_rule_always_pauses() -> None:
    async def main(idle_resume: bool) -> SliceScheduler:
        loop = asyncio.get_running_loop()
        scheduler = SliceScheduler(loop)
        scheduler.idle_resume = idle_resume
        done: asyncio.Future[None] = loop.create_future()
        _slices(scheduler, 20, 0.002, done)
        await done
        return scheduler

    fast = asyncio.run(main(True))
    assert fast.slices == 19 and fast.paused == 0 and fast.immediate == 19, fast
    old = asyncio.run(main(False))
    assert old.slices == 19 and old.paused == 19 and old.immediate == 0, old


def test_a_ready_callback_or_a_due_timer_makes_the_slice_pause() -> None:
    async def main() -> tuple[SliceScheduler, float]:
        loop = asyncio.get_running_loop()
        scheduler = SliceScheduler(loop)
        done: asyncio.Future[None] = loop.create_future()
        worst = 0.0
        ticks = 0

        def tick(due: float) -> None:  # a media tick every 10 ms
            nonlocal worst, ticks
            worst = max(worst, loop.time() - due)
            ticks += 1
            if not done.done():
                loop.call_at(due + 0.01, tick, due + 0.01)

        loop.call_at(loop.time() + 0.01, tick, loop.time() + 0.01)
        _slices(scheduler, 60, 0.002, done)
        await done
        return scheduler, worst

    scheduler, worst = asyncio.run(main())
    assert scheduler.paused >= 5 and scheduler.immediate >= 5, scheduler
    # A slice is 2 ms: a tick waits at most for the slice under way (loose bound: the box is shared).
    assert worst < 0.05, worst
    # scheduler internals: a ready callback counts as busy, an empty loop as idle
    async def probe() -> tuple[bool, bool, bool]:
        loop = asyncio.get_running_loop()
        s = SliceScheduler(loop)
        idle = s._others_want_loop(0.002)
        loop.call_soon(lambda: None)
        ready = s._others_want_loop(0.002)
        await asyncio.sleep(0)
        handle = loop.call_later(0.001, lambda: None)
        due = s._others_want_loop(0.002)
        handle.cancel()
        return idle, ready, due

    assert asyncio.run(probe()) == (False, True, True)


def test_a_long_legit_task_on_an_idle_loop_is_not_paused_between_slices() -> None:
    async def main() -> tuple[Session, SliceScheduler]:
        session = Session(SessionOptions(idle_timeout=60))
        session.load("setTimeout(() => { let t = 0; for (let i = 0; i < 400000; i++) t += i % 7; "
                     "Logger.write('sum ' + t); VoxEngine.terminate(); }, 0);", "long.js")
        await session.start()
        await session.wait(max_seconds=30)
        return session, SliceScheduler.for_loop(session.loop)

    session, scheduler = run(main(), virtual=False)
    assert [r["text"] for r in session.trace.find("log")] == ["sum 1199997"]
    assert scheduler.slices >= 3, scheduler  # it did run in slices
    # Nothing else is due on this loop (the idle timer is a minute away): no slice pauses after the first.
    assert scheduler.paused <= 1 and scheduler.immediate >= scheduler.slices - 1, scheduler
