"""setTimeout/setInterval on the session clock: ordering, clearing, the 100-timer limit, terminate."""

from __future__ import annotations

import pytest

from voxsim.runtime.session import Session, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS


def logs(session: Session) -> list[tuple[float, str]]:
    return [(r.t, r["text"]) for r in session.trace.find("log")]


def test_timers_fire_in_due_then_creation_order() -> None:
    session = run_scenario("""
        setTimeout(() => Logger.write('b'), 200);
        setTimeout(() => Logger.write('a'), 100);
        setTimeout(() => Logger.write('c'), 200);
        setTimeout(() => Logger.write('d'), 200);
        setTimeout((x, y) => Logger.write('args ' + x + y), 300, 1, 2);
        setTimeout(() => { Logger.write('outer'); setTimeout(() => Logger.write('inner'), 0); }, 400);
        setTimeout(() => Logger.write('zero'));
        VoxEngine.addEventListener(AppEvents.Started, () => setTimeout(() => VoxEngine.terminate(), 1000));
    """)
    assert logs(session) == [(0.0, "zero"), (0.1, "a"), (0.2, "b"), (0.2, "c"), (0.2, "d"), (0.3, "args 12"),
                             (0.4, "outer"), (0.4, "inner")]
    assert session.errors == []


def test_clear_and_intervals() -> None:
    session = run_scenario("""
        let n = 0;
        const t = setTimeout(() => Logger.write('never'), 50);
        clearTimeout(t);
        clearTimeout(12345);
        const iv = setInterval(() => { n++; Logger.write('tick ' + n); if (n === 3) clearInterval(iv); }, 1000);
        setTimeout(() => VoxEngine.terminate(), 10000);
    """)
    assert logs(session) == [(1.0, "tick 1"), (2.0, "tick 2"), (3.0, "tick 3")]
    assert session.trace.find("event", name="Application.Terminated")[0].t == 10.0


def test_timer_ids_are_numbers_and_limit_is_100() -> None:
    session = run_scenario("""
        const ids = [];
        for (let i = 0; i < 100; i++) ids.push(setTimeout(() => {}, 5000));
        Logger.write(typeof ids[0] + ' ' + ids[0] + ' ' + ids[99]);
        try { setTimeout(() => {}, 1); Logger.write('no limit'); } catch (e) { Logger.write('limit: ' + e.message); }
        clearTimeout(ids[0]);
        setTimeout(() => Logger.write('after clear'), 1);
        setTimeout(() => {}, 'x');
    """, max_seconds=2)
    texts = [text for _, text in logs(session)]
    assert texts[0] == "number 1 100"
    assert texts[1].startswith("limit: Too many timers")
    assert "after clear" in texts
    assert session.errors and "Too many timers" in session.errors[0]  # the last setTimeout is over the limit again


def test_timers_die_with_the_session() -> None:
    session = run_scenario("""
        setInterval(() => Logger.write('tick'), 1000);
        setTimeout(() => { VoxEngine.terminate(); Logger.write('after terminate'); setTimeout(() => Logger.write('late'), 1); }, 2500);
    """)
    assert [text for _, text in logs(session)] == ["tick", "tick", "after terminate"]


def test_non_function_callback_is_a_type_error() -> None:
    session = run_scenario("""
        try { setTimeout('Logger.write(1)', 10); } catch (e) { Logger.write(e.name + ': ' + e.message); }
        VoxEngine.terminate();
    """)
    assert logs(session) == [(0.0, "TypeError: setTimeout: the callback must be a function")]


def test_real_time_timers_really_wait() -> None:
    import time

    started = time.perf_counter()
    session = run_scenario("setTimeout(() => { Logger.write('done'); VoxEngine.terminate(); }, 150);", virtual=False)
    elapsed = time.perf_counter() - started
    assert [text for _, text in logs(session)] == ["done"]
    assert 0.14 <= elapsed < 5.0
    assert 0.14 <= logs(session)[0][0] < 5.0


def test_date_follows_the_session_clock() -> None:
    from voxsim.runtime.session import SessionOptions

    session = run_scenario("""
        Logger.write(new Date().toISOString());
        setTimeout(() => { Logger.write(new Date().toISOString() + ' ' + Date.now()); VoxEngine.terminate(); }, 30000);
    """, options=SessionOptions(epoch=1_700_000_000.0))
    assert logs(session) == [(0.0, "2023-11-14T22:13:20.000Z"), (30.0, "2023-11-14T22:13:50.000Z 1700000030000")]
