"""Budgets: endless loops end the task with BudgetExceeded (not catchable), recursion and sizes are RangeErrors."""

from __future__ import annotations

import pytest

from voxsim.engine.budget import Budget
from voxsim.engine.errors import BudgetExceeded, JSThrow
from voxsim.engine.realm import Realm
from voxsim.engine.script import run_snippet


def run(realm: Realm, src: str) -> None:
    realm.run_task(realm.compile_script(src, "budget.js").run)


@pytest.mark.parametrize("src", [
    "while (true) {}",
    "for (;;) { try { } catch (e) {} }",
    "try { while (true) {} } catch (e) {} finally { }",
    "function f() { for (;;) {} } try { f(); } catch (e) {}",
    "do {} while (1)",
    "for (var k in {a: 1}) { while (true) {} }",
    "function r() { r2(); } function r2() { try { r(); } catch (e) { r(); } } r()",
])
def test_endless_code_ends_with_budget_exceeded(src: str) -> None:
    r = Realm(Budget(max_steps=20_000))
    with pytest.raises(BudgetExceeded):
        run(r, src)
    # the realm stays usable: the next task gets a fresh allowance
    run(r, "var ok = 1 + 1")
    assert r.global_object.get("ok") == 2.0


def test_budget_exceeded_inside_async_and_promise_jobs() -> None:
    r = Realm(Budget(max_steps=20_000))
    with pytest.raises(BudgetExceeded):
        run(r, "Promise.resolve().then(function () { for (;;) {} })")
    with pytest.raises(BudgetExceeded):
        run(r, "(async function () { await 1; while (true) {} })()")


def test_recursion_is_a_catchable_range_error() -> None:
    out = run_snippet("""
        function down(n) { return down(n + 1) + 1; }
        try { down(0); } catch (e) { print(e instanceof RangeError, e.message); }
        var o = { get x() { return this.x; } };
        try { o.x; } catch (e) { print(e.name); }
        print('still running');
    """)
    assert out == "true Maximum call stack size exceeded\nRangeError\nstill running"


def test_uncaught_recursion_surfaces_as_jsthrow() -> None:
    r = Realm(Budget(max_depth=200))
    with pytest.raises(JSThrow) as info:
        run(r, "function f() { f(); } f()")
    assert "Maximum call stack size exceeded" in str(info.value)


def test_string_and_array_limits() -> None:
    r = Realm(Budget(max_string_length=10_000, max_array_length=5_000))
    run(r, """
        var errs = [];
        try { var s = 'x'; while (true) s += s; } catch (e) { errs.push(e.name + ':' + e.message); }
        try { var s2 = 'y'; while (true) s2 = s2 + s2; } catch (e) { errs.push(e.name); }
        try { var a = []; while (true) a.push(1, 2, 3); } catch (e) { errs.push(e.name); }
        var out = errs.join(',');
    """)
    assert r.global_object.get("out") == "RangeError:Invalid string length,RangeError,RangeError"
