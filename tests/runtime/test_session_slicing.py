"""Time-sliced JS tasks in sessions: on real time a runaway yields the loop to other sessions between slices, tasks of
its session queue behind it in order, ``sync`` callers get their value, terminate() ends a suspended task; virtual time
never slices."""

from __future__ import annotations

import asyncio
from typing import Any

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session, SessionOptions, run_scenario


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


async def _max_lateness(stop: asyncio.Event, period: float = 0.01) -> float:
    """Worst lateness of a ``period`` sleep on this loop until ``stop`` (a stand-in for a media tick)."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(period)
        worst = max(worst, loop.time() - before - period)
    return worst


def test_a_runaway_does_not_stall_a_neighbour_session_on_real_time() -> None:
    async def main() -> tuple[Session, Session, float, float]:
        runaway = Session(SessionOptions(settings={"max_steps": 10**9, "max_task_seconds": 0.8}))
        runaway.load("setTimeout(() => { while (true) {} }, 0);", "runaway.js")
        neighbour = Session(SessionOptions(idle_timeout=0.3))
        neighbour.load("setTimeout(() => Logger.write('on time'), 100);", "neighbour.js")
        stop = asyncio.Event()
        probe = asyncio.ensure_future(_max_lateness(stop))
        await runaway.start()
        armed_at = neighbour.clock.now()
        await neighbour.start()
        await neighbour.wait(max_seconds=5)
        fired_at = neighbour.trace.find("log")[0].t - armed_at
        await runaway.wait(max_seconds=10)
        stop.set()
        return runaway, neighbour, fired_at, await probe

    runaway, neighbour, fired_at, worst = run(main(), virtual=False)
    # Before time slicing the neighbour's 100 ms timer fired only when the runaway ended (>= 0.8 s) and a 10 ms sleep
    # was late by the runaway's whole running time.
    assert logs(neighbour) == ["on time"]
    assert fired_at < 0.3, fired_at
    assert worst < 0.3, worst
    assert runaway.terminated
    assert any("time budget exceeded" in e for e in runaway.errors), runaway.errors


def test_tasks_of_a_busy_session_queue_behind_the_suspended_one_in_order() -> None:
    async def main() -> tuple[Session, list[Any]]:
        session = Session(SessionOptions(idle_timeout=60.0, settings={"slice_seconds": 0.001}))
        session.load("""
            setTimeout(() => { let t = 0; for (let i = 0; i < 300000; i++) t += i; Logger.write('long ' + t); }, 0);
            setTimeout(() => Logger.write('second'), 0);
            globalThis.later = () => { Logger.write('third'); return 3; };
        """, "busy.js")
        await session.start()
        got: list[Any] = []
        for _ in range(200):
            await asyncio.sleep(0.001)
            if session.realm.suspended:
                break
        assert session.realm.suspended
        later = session.realm.global_object.get("later")
        got.append(session.call_js(later, None, []))  # queued: JS runs to completion
        assert session.js_busy
        await session.js_idle()
        got.append(session.call_js(later, None, []))  # idle again: runs at once
        session.terminate()
        await session.wait()
        return session, got

    session, got = run(main(), virtual=False)
    assert logs(session) == ["long 44999850000", "second", "third", "third"]
    assert got == [None, 3.0]
    assert session.errors == []


def test_sync_callers_get_their_value_after_the_suspended_task() -> None:
    async def main() -> tuple[Session, Any]:
        session = Session(SessionOptions(idle_timeout=60.0, settings={"slice_seconds": 0.001}))
        session.load("""
            setTimeout(() => { let t = 0; for (let i = 0; i < 300000; i++) t += 1; Logger.write('long ' + t); }, 0);
            globalThis.transform = (n) => { Logger.write('transform'); return n + '1'; };
        """, "sync.js")
        await session.start()
        for _ in range(200):
            await asyncio.sleep(0.001)
            if session.realm.suspended:
                break
        assert session.realm.suspended
        value = session.call_js(session.realm.global_object.get("transform"), None, ["555"], sync=True)
        assert not session.js_busy
        session.terminate()
        await session.wait()
        return session, value

    session, value = run(main(), virtual=False)
    assert value == "5551"
    assert logs(session) == ["long 300000", "transform"]
    assert session.errors == []


def test_terminate_from_outside_ends_a_suspended_runaway() -> None:
    async def main() -> tuple[Session, float]:
        session = Session(SessionOptions(settings={"max_steps": 10**9, "max_task_seconds": 30}))
        session.load("setTimeout(() => { for (;;) {} }, 0);", "runaway.js")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await session.start()
        await session.wait(max_seconds=0.2)
        return session, loop.time() - started

    session, elapsed = run(main(), virtual=False)
    assert session.terminated and elapsed < 3, elapsed
    assert any("task budget exceeded" in e and "terminated" in e for e in session.errors), session.errors


def test_virtual_time_never_slices() -> None:
    source = """
        VoxEngine.addEventListener(AppEvents.Started, () => {
            let t = 0; for (let i = 0; i < 200000; i++) t += i; Logger.write('sum ' + t);
        });
        setTimeout(() => { Logger.write('timer'); VoxEngine.terminate(); }, 0);
    """
    session = run_scenario(source, options=SessionOptions(settings={"slice_seconds": 0.0001}))
    assert session.realm.budget.slice_seconds is None and session.realm.budget.timer is None
    assert logs(session) == ["sum 19999900000", "timer"]


def test_an_http_request_is_answered_after_the_suspended_task_by_its_listener() -> None:
    import aiohttp

    async def main() -> tuple[Session, Any, bool]:
        session = Session(SessionOptions(idle_timeout=60.0, settings={"slice_seconds": 0.001}))
        session.load("""
            var done = 0;
            VoxEngine.addEventListener(AppEvents.HttpRequest, () => ({done: done}));
            setTimeout(() => { let t = 0; for (let i = 0; i < 300000; i++) t += 1; done = t; }, 0);
        """, "http.js")
        await session.start()
        for _ in range(200):
            await asyncio.sleep(0.001)
            if session.realm.suspended:
                break
        was_suspended = session.realm.suspended
        async with aiohttp.ClientSession() as client:
            async with client.post(session.access_url, data="ping") as resp:
                answer = await resp.json()
        session.terminate()
        await session.wait()
        return session, answer, was_suspended

    session, answer, was_suspended = run(main(), virtual=False)
    assert was_suspended
    assert answer == {"done": 300000}  # the listener ran after the task, and its value is the answer
    assert session.errors == []
