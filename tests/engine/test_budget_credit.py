"""Built-in and ``+`` charges are credited back when the string or array is dropped: a task that builds and drops
big values runs on within the memory budget, one that keeps them is still stopped."""

from __future__ import annotations

import pytest

from voxsim.engine.budget import MB, Budget
from voxsim.engine.errors import BudgetExceeded
from voxsim.engine.realm import Realm

Budget()


def realm(max_memory: int | None = 4 * MB) -> Realm:
    return Realm(Budget(max_steps=5_000_000, max_memory=max_memory))


def run(r: Realm, src: str) -> None:
    r.run_task(r.compile_script(src, "credit.js").run)


BUILD_AND_DROP = [
    "var s = 'x'.repeat(100000)",                                   # repeat
    "var s = ['x'.repeat(50000), 'y'.repeat(50000)].join('')",       # join
    "var s = b + b",                                                 # +
    "var s = `${b}${b}`",                                            # template
    "var s = JSON.stringify([b, b])",                                # JSON.stringify
    "var s = b.padEnd(100000, 'z')",                                 # padEnd
    "var s = b.concat(b)",                                           # String.prototype.concat
    "var s = (b + b).replace(/x/, 'y')",                             # replace
    "let s = 'x'.repeat(70000); s += 'y'; s += 'z'.repeat(70000)",   # appends move the charge
    "var o = {}; o.s = b + b; o.s += b + b",                         # a member's +=
    "var a = [...c, ...c]",                                          # spread
    "var a = c.concat(c)",                                           # concat
    "var a = [...c, ...c].map(x => x)",                              # map (charge_result)
    "var a = new Array(70000)",                                      # new Array(n)
]


@pytest.mark.parametrize("body", BUILD_AND_DROP)
def test_a_long_build_and_drop_loop_stays_within_budget(body: str) -> None:
    r = realm()
    # 60 rounds of ~100 KB strings or 15 of 80 K-slot arrays: 5-6 MB charged in one task, never more than ~2 values
    # alive at once
    rounds = 15 if "var a" in body else 60
    run(r, f"var b = 'x'.repeat(50000), c = Array(40000).fill(0); for (let i = 0; i < {rounds}; i++) {{ {body} }}")
    assert r.budget.swept > 0  # (it did go over the cap, and was credited)
    assert r.budget.memory <= 4 * MB


@pytest.mark.parametrize("body", [
    "keep.push('x'.repeat(100000))",
    "keep.push(b + b)",
    "keep.push(JSON.stringify([b, b]))",
    "keep.push([...c, ...c])",
    "keep.push(c.concat(c))",
    "let s = 'x'.repeat(70000); s += 'z'.repeat(70000); keep.push(s)",
    "const a = [...c, ...c]; a.self = a",  # a cycle: stays charged, as before
])
def test_a_runaway_keeping_what_it_builds_is_still_stopped(body: str) -> None:
    r = realm()
    with pytest.raises(BudgetExceeded) as info:
        run(r, f"var keep = [], b = 'x'.repeat(50000), c = Array(40000).fill(0); for (;;) {{ {body} }}")
    assert info.value.kind == "memory"
    assert r.budget.used < 2_500_000  # the memory account ended it, not the 5 M steps


def test_one_handler_an_hour_long_builds_and_drops_each_second() -> None:
    """The account is per task: an hour of timer ticks (3,600 tasks) each making a 100 KB string and dropping it
    never adds up; within one task the held values are what counts."""
    r = realm()
    run(r, "var sent = 0; function tick() { const s = 'x'.repeat(100000) + '!'; sent += s.length }")
    tick = r.global_object.get("tick")
    for _ in range(3600):
        r.run_task(lambda: r.call(tick, None, []))
        assert r.budget.memory <= 250_000  # this tick's repeat and +
    assert r.global_object.get("sent") == 3600.0 * 100_001


def test_held_values_are_credited_only_once_dropped() -> None:
    r = realm(MB)
    run(r, "var a = 'x'.repeat(300000), b = 'y'.repeat(300000), c = 'z'.repeat(300000)")
    assert r.budget.memory == 900_000 and len(r.budget.held) == 3
    with pytest.raises(BudgetExceeded):  # all three alive: a fourth goes over, nothing to credit
        r.budget.charge(300_000)
    r2 = realm(MB)
    run(r2, "var a = 'x'.repeat(300000); a = null; var b = 'y'.repeat(300000); b = null; var c = 'z'.repeat(300000);"
            "var d = 'w'.repeat(300000)")  # a and b were credited when d went over
    assert r2.budget.memory == 600_000 and r2.budget.swept == 600_000


def test_without_a_memory_cap_nothing_is_held() -> None:
    r = realm(None)
    run(r, "var s = 'x'.repeat(100000) + 'y'.repeat(100000); var a = Array(100000)")
    assert r.budget.held == {}


def test_appending_to_a_held_string_keeps_it_in_place_and_charged() -> None:
    r = realm()
    run(r, "function f() { let s = 'x'.repeat(100000); for (let i = 0; i < 20000; i++) s += 'y'; return s }"
           "var n = f().length")
    assert r.global_object.get("n") == 120_000.0
    assert r.budget.memory == 100_000  # the repeat's charge followed the string (dropped, not yet swept)
