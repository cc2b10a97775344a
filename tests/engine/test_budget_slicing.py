"""Time-sliced tasks: exact step accounting across chunks, the running-time cap, and suspending a task out of its
greenlet (plain code, generators, async functions, promise jobs) and resuming it through ``realm.schedule``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.engine.budget import Budget
from voxsim.engine.errors import BudgetExceeded
from voxsim.engine.realm import SUSPENDED, Realm


def fake_timer(step: float) -> Callable[[], float]:
    """A deterministic clock advancing ``step`` seconds per reading."""
    now = [0.0]

    def timer() -> float:
        now[0] += step
        return now[0]

    return timer


def spend(budget: Budget, limit: int) -> int:
    """What compiled code does on each back-edge/call; returns how many steps were allowed."""
    n = 0
    try:
        while n < limit:
            budget.left -= 1
            if budget.left < 0:
                budget.spent()
            n += 1
    except BudgetExceeded:
        pass
    return n


@settings(max_examples=40, deadline=None)
@given(max_steps=st.integers(0, 6_000), slice_steps=st.integers(1, 2_000), tick=st.sampled_from([None, 1e-5, 1e-3]))
def test_exactly_max_steps_whatever_the_chunking(max_steps: int, slice_steps: int, tick: float | None) -> None:
    timer = None if tick is None else fake_timer(tick)
    budget = Budget(max_steps=max_steps, slice_steps=slice_steps, timer=timer)
    assert spend(budget, max_steps + 10) == max_steps
    budget.reset()
    assert spend(budget, max_steps + 10) == max_steps


def test_running_time_cap_ends_the_task_and_keeps_ending_it() -> None:
    budget = Budget(max_steps=10**9, max_seconds=0.5, timer=fake_timer(0.001))
    with pytest.raises(BudgetExceeded) as info:
        while True:
            budget.left -= 1
            if budget.left < 0:
                budget.spent()
    assert info.value.kind == "time" and "ran more than 0.5 s" in str(info.value)
    budget.left -= 1  # a finally block of the ended task reaching a checkpoint
    with pytest.raises(BudgetExceeded):
        budget.spent()
    budget.reset()
    assert spend(budget, 1000) == 1000


def test_js_cannot_catch_the_time_cap() -> None:
    realm = Realm(Budget(max_steps=10**9, max_seconds=0.05))
    script = realm.compile_script("var n = 0; try { while (true) n++; } catch (e) { n = -1 } finally { n = -2 }")
    with pytest.raises(BudgetExceeded) as info:
        realm.run_task(script.run)
    assert info.value.kind == "time"
    realm.run_task(realm.compile_script("var after = 1").run)
    assert realm.global_object.get("after") == 1.0


class Sliced:
    """A realm whose tasks suspend every millisecond of fake time; ``pump()`` plays the event loop."""

    def __init__(self, max_steps: int = 10**8, max_seconds: float | None = None) -> None:
        self.pending: list[Callable[[], None]] = []
        self.realm = Realm(Budget(max_steps=max_steps, slice_steps=2000, slice_seconds=0.001, max_seconds=max_seconds,
                                  timer=fake_timer(0.0002)))
        self.realm.schedule = self.pending.append
        self.outcomes: list[tuple[bool, Any]] = []

    def start(self, src: str) -> Any:
        script = self.realm.compile_script(src, "sliced.js")
        return self.realm.run_task(script.run, on_done=lambda ok, value: self.outcomes.append((ok, value)))

    def pump(self) -> int:
        turns = 0
        while self.pending:
            self.pending.pop(0)()
            turns += 1
        return turns

    def get(self, name: str) -> Any:
        return self.realm.global_object.get(name)


def test_a_long_task_is_suspended_and_resumed_to_the_same_result() -> None:
    s = Sliced()
    assert s.start("var t = 0; for (var i = 0; i < 200000; i++) t += i; t") is SUSPENDED
    assert s.realm.suspended and not s.realm.in_task
    with pytest.raises(RuntimeError, match="suspended"):
        s.realm.run_task(lambda: None)
    assert s.pump() > 3
    assert s.outcomes == [(True, 19999900000.0)]
    assert not s.realm.suspended
    assert s.realm.run_task(s.realm.compile_script("1 + 1").run) == 2.0


def test_short_tasks_and_tasks_without_on_done_never_suspend() -> None:
    s = Sliced()
    assert s.start("var x = 0; for (var i = 0; i < 10; i++) x += i; x") == 45.0
    script = s.realm.compile_script("var t = 0; for (var i = 0; i < 100000; i++) t += i; t")
    assert s.realm.run_task(script.run) == 4999950000.0  # no on_done: the caller needs the value now
    assert not s.pending and not s.outcomes


def test_suspends_inside_generators_async_functions_and_promise_jobs() -> None:
    s = Sliced()
    result = s.start("""
        function* g() { let i = 0; for (;;) { i++; if (i % 5000 === 0) yield i; } }
        var it = g(), last = 0;
        for (let k = 0; k < 10; k++) last = it.next().value;
        async function h() { let t = 0; for (let j = 0; j < 30000; j++) { t += j; if (j % 1000 === 0) await null; }
                             return t; }
        h().then(v => { globalThis.hv = v; });
        Promise.resolve().then(() => { let u = 0; for (let j = 0; j < 30000; j++) u += 2; globalThis.pv = u; });
        last
    """)
    assert result is SUSPENDED
    s.pump()
    assert s.outcomes == [(True, 50000.0)]
    assert s.get("hv") == 449985000.0 and s.get("pv") == 60000.0


def test_a_promise_storm_ends_by_steps_and_its_jobs_do_not_outlive_it() -> None:
    s = Sliced(max_steps=20_000)
    assert s.start("var n = 0; const f = () => { n++; return Promise.resolve().then(f); }; f();") is SUSPENDED
    s.pump()
    [(ok, exc)] = s.outcomes
    assert not ok and isinstance(exc, BudgetExceeded) and exc.kind == "step"
    n = s.get("n")
    assert 0 < n < 10_000  # each job costs a step too
    s.realm.run_task(s.realm.compile_script("var after = 1").run)
    assert s.get("n") == n and s.get("after") == 1.0 and len(s.realm.jobs) == 0


def test_finish_task_runs_the_rest_at_once() -> None:
    s = Sliced()
    assert s.start("var t = 0; for (var i = 0; i < 100000; i++) t += 1; t") is SUSPENDED
    s.realm.finish_task()
    assert s.outcomes == [(True, 100000.0)] and not s.realm.suspended
    s.pump()  # the cancelled resume finds nothing to do
    assert s.outcomes == [(True, 100000.0)]


def test_abort_task_ends_a_suspended_runaway_at_its_next_slice() -> None:
    s = Sliced()
    assert s.start("while (true) {}") is SUSPENDED
    s.realm.abort_task("stop it")
    s.pump()
    [(ok, exc)] = s.outcomes
    assert not ok and isinstance(exc, BudgetExceeded) and exc.kind == "task" and "stop it" in str(exc)


def test_running_time_cap_on_a_sliced_task() -> None:
    s = Sliced(max_seconds=0.01)
    assert s.start("for (;;) {}") is SUSPENDED
    s.pump()
    [(ok, exc)] = s.outcomes
    assert not ok and exc.kind == "time"


def test_two_realms_suspended_at_once_each_finish_with_their_own_result() -> None:
    a, b = Sliced(), Sliced()
    assert a.start("var t = 0; for (var i = 0; i < 50000; i++) t += 1; t") is SUSPENDED
    assert b.start("var t = 0; for (var i = 0; i < 80000; i++) t += 2; t") is SUSPENDED
    while a.pending or b.pending:
        for s in (a, b):
            if s.pending:
                s.pending.pop(0)()
    assert a.outcomes == [(True, 50000.0)] and b.outcomes == [(True, 160000.0)]


def test_a_js_error_after_a_suspension_reaches_on_done() -> None:
    s = Sliced()
    s.start("for (var i = 0; i < 50000; i++) {} null.x")
    s.pump()
    [(ok, exc)] = s.outcomes
    assert not ok and "Cannot read properties of null" in str(exc)


def test_a_task_is_not_suspended_while_another_realm_runs_inline_inside_it() -> None:
    # outer JS -> host -> inner realm's task (inline, e.g. one session dialling another) -> host -> outer JS that
    # loops: suspending there would leave the inner realm's task open while its session thinks it is idle.
    outer, inner = Sliced(), Sliced()
    inner.realm.define_global("callOuter", inner.realm.new_host_function(
        "callOuter", lambda: outer.realm.call(outer.realm.global_object.get("spin"), None, []), 0))
    inner_script = inner.realm.compile_script("callOuter()")

    def call_inner() -> Any:
        return inner.realm.run_task(inner_script.run, on_done=lambda ok, value: None)

    outer.realm.define_global("callInner", outer.realm.new_host_function("callInner", call_inner, 0))
    result = outer.start("var k = 0; function spin() { for (var j = 0; j < 60000; j++) k++; return k; } callInner()")
    assert result == 60000.0 and not outer.pending and not inner.pending
    assert not inner.realm.in_task and not outer.realm.suspended
