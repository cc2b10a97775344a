"""Array lengths scenario code can reach: spreads are checked by their total, index writes cannot grow an array's
dense part past ``max_array_length`` (a RangeError naming it, as ``push``), and sparse writes stay valid JS."""

from __future__ import annotations

import resource

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.engine.budget import MB, Budget
from voxsim.engine.errors import BudgetExceeded
from voxsim.engine.realm import Realm
from voxsim.engine.values import JSArray, dense_limit

Budget()  # raises the recursion limit once, before hypothesis records it

LIMIT = 1000


def realm(limit: int = LIMIT, max_memory: int | None = 4 * MB, max_steps: int = 2_000_000) -> Realm:
    return Realm(Budget(max_steps=max_steps, max_array_length=limit, max_memory=max_memory))


def outcome(r: Realm, src: str) -> str:
    """Run ``src`` (which sets ``a``); the error it threw as ``Name: message``, or ``ok``."""
    r.run_task(r.compile_script(f"var out = 'ok', a; try {{ {src} }} catch (e) {{ out = e.name + ': ' + e.message }}",
                                "gaps.js").run)
    return str(r.global_object.get("out"))


def range_error(out: str, limit: int = LIMIT) -> bool:
    return out.startswith("RangeError: Invalid array length: ") and f"max_array_length ({limit})" in out


SPREADS = [
    "a = [...b, ...b]",
    "a = [...b, 1, ...b]",
    "a = (function () { return arguments.length })(...b, ...b)",
    "a = Math.max(...b, ...b)",
    "a = new Array(...b, ...b)",
    "a = []; a.push(...b, ...b)",
    "a = [].concat(b, b)",
    "a = b.concat(b)",
    "a = []; a.push(...[...b, ...b])",
    "a = [...new Set(b.map((x, i) => i)), ...b]",  # a generic iterable first, then a plain array
    "a = [...b, ...new Set(b.map((x, i) => i))]",
]


@pytest.mark.parametrize("src", SPREADS)
def test_two_spreads_are_checked_by_their_total(src: str) -> None:
    r = realm()
    assert range_error(outcome(r, f"var b = Array({LIMIT // 2 + 1}).fill(0); {src}"))
    # at the limit itself it is fine
    r = realm()
    assert outcome(r, f"var b = Array({LIMIT // 2 - (', 1, ' in src)}).fill(0); {src}") == "ok"


def test_an_endless_generator_spread_stops_at_the_limit_not_the_steps() -> None:
    r = realm()
    out = outcome(r, "function* g() { for (;;) yield 1 } a = [...g()]")
    assert range_error(out) and r.budget.used < 20_000
    # a generic spread's iterator is closed when the RangeError ends it
    r = realm()
    out = outcome(r, "var closed = 0; const it = { [Symbol.iterator]() { return this }, next() { return { value: 1 } },"
                     " return() { closed++; return {} } }; a = [...it]")
    assert range_error(out) and r.global_object.get("closed") == 1.0


def test_an_endless_generator_spread_is_charged_as_it_goes() -> None:
    r = realm(limit=1 << 22, max_memory=MB, max_steps=10_000_000)
    with pytest.raises(BudgetExceeded) as info:
        r.run_task(r.compile_script("function* g() { for (;;) yield 1 } var a = [...g()]", "gaps.js").run)
    assert info.value.kind == "memory"
    assert r.budget.used < 1_000_000  # 1 MB at 8 B a slot: ~131 K elements (4-5 steps each), not 10 M steps


def test_spreads_keep_holes_getters_and_order() -> None:
    r = realm()
    r.run_task(r.compile_script("""
        var h = [1, , 3]; var o = [0, 1]; Object.defineProperty(o, 1, { get() { return 'g' } });
        var a = [...h, ...o, 'x', ...'ab'];
        var s = JSON.stringify(a), has = 1 in a;
        var n = ((...xs) => xs.length)(...h, ...h);""", "gaps.js").run)
    g = r.global_object.get
    assert g("s") == '[1,null,3,0,"g","x","a","b"]' and g("has") is True and g("n") == 6.0


INDEX_WRITES = [
    "a = []; for (;;) a[a.length] = 1",                       # the append loop
    "a = []; for (let i = 0; ; i++) a[i] = 1",
    "a = []; for (let i = 0; ; i += 1000) a[i] = 1",           # gaps under the dense reach: 8 KB a step before
    "a = []; for (let i = 0; ; i += 1000) Reflect.set(a, i, 1)",
    "a = []; for (let i = 0; ; i++) Object.defineProperty(a, i, { value: 1, writable: true, enumerable: true,"
    " configurable: true })",
    "a = []; a.length = 1e6; a.fill(1)",
    "a = Array(2000).fill(1)",
    "a = Array.from({ length: 2000 }, (x, i) => i)",
    "a = Array.from((function* () { for (;;) yield 1 })())",
    "a = [1]; for (;;) a.splice(0, 0, 1, 2, 3)",
    "a = [1]; for (;;) a.unshift(1, 2)",
    "a = []; for (;;) a[a.length] += 1",                      # compound assignment: the reference path
]


@pytest.mark.parametrize("src", INDEX_WRITES)
def test_index_writes_stop_at_max_array_length(src: str) -> None:
    r = realm()
    out = outcome(r, src)
    assert range_error(out), out  # (not the step budget: that would end the task, uncaught)
    a = r.global_object.get("a")
    assert not isinstance(a, JSArray) or len(a.elems) <= LIMIT  # never a dense part past the limit


def test_the_append_loop_does_not_reach_the_memory_of_the_machine() -> None:
    """Before: `a[i] = x` with gaps of 1000 grew the list 8 KB a step (20 M steps: ~160 GB); now it stops at the
    limit, having allocated at most the limit's slots."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r = realm(limit=1 << 20, max_steps=200_000)
    out = outcome(r, "a = []; for (let i = 0; ; i += 1000) a[i] = 1")
    assert range_error(out, 1 << 20)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KB: under 64 MB more


def test_sparse_writes_far_past_the_dense_part_are_valid_js() -> None:
    r = realm(limit=2000)  # (Object.keys(c) makes an array of 1001)
    r.run_task(r.compile_script("""
        var a = []; a[4294967294] = 1; var n1 = a.length, v1 = a[4294967294];
        var b = []; b.length = 4294967295; var n2 = b.length;
        var c = Array(1000).fill(0); c[5000] = 2; var n3 = c.length, v3 = c[5000], k3 = Object.keys(c).length;
        var d = []; d[4294967295] = 1; var n4 = d.length, v4 = d['4294967295'];   // not an index: a property
        var e; try { [].length = 4294967296 } catch (x) { e = x.name }
        """, "gaps.js").run)
    g = r.global_object.get
    assert (g("n1"), g("v1"), g("n2")) == (4294967295.0, 1.0, 4294967295.0)
    assert (g("n3"), g("v3"), g("k3")) == (5001.0, 2.0, 1001.0)
    assert (g("n4"), g("v4"), g("e")) == (0.0, 1.0, "RangeError")
    assert len(g("a").elems) == 0 and len(g("b").elems) == 0 and len(g("c").elems) == 1000


def test_each_realm_keeps_its_own_limit() -> None:
    small, big = realm(limit=100), realm(limit=10_000)
    assert range_error(outcome(small, "a = []; for (;;) a[a.length] = 1"), 100)
    assert outcome(big, "a = []; for (let i = 0; i < 5000; i++) a[i] = i") == "ok"
    assert dense_limit[0] == 10_000
    assert range_error(outcome(small, "a = []; for (let i = 0; i < 5000; i++) a[i] = i"), 100)
    assert dense_limit[0] == 100


@settings(max_examples=40, deadline=None)
@given(limit=st.integers(1, 3000), writes=st.lists(st.integers(0, 6000), max_size=30))
def test_index_writes_match_a_model(limit: int, writes: list[int]) -> None:
    """A model of the rule: a write at ``i`` succeeds when it is within the dense part, or far enough past it to be
    sparse (1024 or more past its end), or grows the dense part to at most ``limit`` elements."""
    r = realm(limit=limit)
    r.run_task(r.compile_script("var a = [], fails = 0; function w(i) { try { a[i] = i } catch (e) { "
                                "if (!(e instanceof RangeError)) throw e; fails++ } }", "gaps.js").run)
    w = r.global_object.get("w")
    dense, sparse, fails = 0, set(), 0
    for i in writes:
        r.run_task(lambda: r.call(w, None, [float(i)]))
        if i < dense:
            continue
        if i >= dense + 1024:
            sparse.add(i)
            continue
        if i >= limit:
            fails += 1
            continue
        dense = i + 1
        while dense in sparse:  # sparse entries that now touch the dense part join it
            sparse.discard(dense)
            dense += 1
    a = r.global_object.get("a")
    assert r.global_object.get("fails") == float(fails)
    assert len(a.elems) == dense <= max(limit, 0) or (dense == 0 and not a.elems)
    assert a.length == (max([dense] + [i + 1 for i in sparse]))
