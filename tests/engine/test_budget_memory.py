"""The memory account: promise storms and big strings end the task with ``memory budget exceeded``; the account is
credited as promises settle and jobs run, starts afresh with each task, and big strings are checked before the copy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.engine.budget import MB, Budget
from voxsim.engine.errors import BudgetExceeded, JSThrow
from voxsim.engine.operations import BIG_STRING
from voxsim.engine.realm import Realm


Budget()  # raises the recursion limit once, before hypothesis records it


def run(realm: Realm, src: str) -> None:
    realm.run_task(realm.compile_script(src, "memory.js").run)


def realm(max_memory: int | None = 2 * MB, **kw: int) -> Realm:
    return Realm(Budget(max_steps=5_000_000, max_memory=max_memory, **kw))


@pytest.mark.parametrize("src", [
    "const f = () => Promise.resolve().then(f); f();",                       # a chain of pending promises
    "for (;;) Promise.resolve().then(() => {});",                            # a job queue growing in one loop
    "const f = () => { Promise.resolve().then(f); Promise.resolve().then(f); }; f();",  # doubling jobs
    "const f = async () => { await null; f(); f(); }; f();",
    "const ps = []; for (;;) ps.push(new Promise(r => {}).then(() => {}));",  # reactions that never run
])
def test_promise_storms_end_with_memory_budget_exceeded(src: str) -> None:
    r = realm(MB)
    with pytest.raises(BudgetExceeded) as info:
        run(r, src)
    assert info.value.kind == "memory"
    assert str(info.value).startswith("memory budget exceeded: ~") and " MB" in str(info.value)
    assert r.budget.used < 100_000  # ended by the memory account, long before the steps
    run(r, "var ok = 1")  # the realm stays usable, with a fresh account
    assert r.global_object.get("ok") == 1.0 and r.budget.memory == 0


def test_without_a_cap_the_storm_runs_to_the_step_budget() -> None:
    r = Realm(Budget(max_steps=30_000))
    with pytest.raises(BudgetExceeded) as info:
        run(r, "const f = () => Promise.resolve().then(f); f();")
    assert info.value.kind == "step" and r.budget.memory > 10 * 1000


@settings(max_examples=25, deadline=None)
@given(links=st.integers(0, 300), awaits=st.integers(0, 30), fanout=st.integers(1, 5))
def test_the_account_returns_to_zero_once_everything_settled(links: int, awaits: int, fanout: int) -> None:
    r = realm(None)
    run(r, f"""
        let n = 0;
        const f = () => n++ < {links} ? Promise.resolve(n).then(f) : 0;
        f();
        (async () => {{ for (let i = 0; i < {awaits}; i++) await new Promise(res => res(i)); }})();
        const p = new Promise(res => Promise.resolve().then(res));
        for (let i = 0; i < {fanout}; i++) p.then(() => 1).catch(() => 2).finally(() => 3);
        Promise.all([p, Promise.reject(1).catch(e => e)]).then(v => v);
    """)
    assert len(r.jobs) == 0 and r.budget.memory == 0


def test_each_task_starts_its_account_afresh() -> None:
    r = realm(64 * 1024)
    # reactions left waiting by earlier tasks (never settled) are not charged to later ones
    for _ in range(5):
        run(r, "globalThis.keep = globalThis.keep || []; for (let i = 0; i < 30; i++) "
               "keep.push(new Promise(() => {}).then(() => {}));")
        assert 0 < r.budget.memory <= 64 * 1024
    # a later task that settles what an earlier one left pending is credited (the account may go below 0)
    run(r, "var settle; globalThis.w = new Promise(r => { settle = r }); for (let i = 0; i < 30; i++) w.then(() => 1);")
    run(r, "settle(1)")
    assert r.budget.memory < 0


def test_string_doubling_stops_before_the_copy_and_keeps_the_value() -> None:
    for decl in ("let s = 'x';", "var s = 'x';"):  # a local slot and a global property
        r = realm(None, max_string_length=1 << 20)
        run(r, f"""{decl} var err = '';
            function grow() {{ let t = 'y'; try {{ for (;;) t += t; }} catch (e) {{ return [t.length, e.name]; }} }}
            try {{ for (;;) s += s; }} catch (e) {{ err = e.name + ':' + s.length; }}
            var inner = grow().join();""")
        assert r.global_object.get("err") == f"RangeError:{1 << 20}"  # the variable keeps its last value
        assert r.global_object.get("inner") == f"{1 << 20},RangeError"


@pytest.mark.parametrize("expr", ["a.push(s + i)", "a.push(i + s)", "o.x = s; o.x += i; a.push(o.x)",
                                  "a.push(`${s}${i}`)", "a.push(s + {toString() { return '' + i }})"])
def test_big_strings_kept_on_reach_the_memory_budget(expr: str) -> None:
    r = realm(8 * MB)
    with pytest.raises(BudgetExceeded) as info:
        run(r, f"const s = 'x'.repeat(1 << 20); const a = []; const o = {{}}; for (let i = 0; ; i++) {{ {expr} }}")
    assert info.value.kind == "memory"


def test_appending_charges_only_what_grows() -> None:
    # Small pieces appended to a long string are free (the string is bounded by max_string_length, and the loop
    # keeps its speed); a big piece is charged for what it adds when the old string is released, for the whole copy
    # when it is shared (charging the whole string each time would cost building 8 M characters in 100 K pieces
    # ~300 MB by the account).
    r = realm(1 * MB)
    run(r, "var n = (() => { let s = ''; for (let i = 0; i < 40000; i++) s += 'abcdefghij'; return s })().length;")
    assert r.global_object.get("n") == 400_000.0 and r.budget.memory == 0
    for build in ("let s = ''; for (let i = 0; i < 80; i++) s += p;", "const o = {s: ''}; for (let i = 0; i < 80; i++) "
                  "o.s += p; const s = o.s;", "var g = ''; for (let i = 0; i < 80; i++) g += p; const s = g;"):
        r = realm(16 * MB)
        run(r, f"var n = (() => {{ const p = 'x'.repeat(100000); {build} return s }})().length;")
        assert r.global_object.get("n") == 8_000_000.0
        # 8 M appended ("" + p: the empty string is shared) and the 100 K of p itself (repeat is charged)
        assert 8_000_000 <= r.budget.memory <= 8_200_000
    r = realm(16 * MB)
    with pytest.raises(BudgetExceeded, match="memory"):  # a big string copied again and again (it is shared)
        run(r, "const a = []; let s = 'x'.repeat(100000); for (;;) { let t = s; t += s; a.push(t) }")


def test_short_strings_are_free_and_sizes_stay_range_errors() -> None:
    r = realm(1024)
    run(r, "let s = ''; for (let i = 0; i < 5000; i++) s = s + 'ab'; var n = s.length")
    assert r.budget.memory == 0 and r.global_object.get("n") == 10_000.0
    r = realm(None, max_string_length=1000)
    with pytest.raises(JSThrow, match="Invalid string length"):
        run(r, "'x'.repeat(600) + 'y'.repeat(600)")


def test_template_literals_keep_to_the_string_length() -> None:
    r = realm(None, max_string_length=1 << 16)
    with pytest.raises(JSThrow, match="Invalid string length"):
        run(r, "let s = 'x'; for (;;) s = `${s}${s}`;")


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 120_000), max_size=8), shared=st.booleans(),
       where=st.sampled_from(["local", "global", "member"]))
def test_appends_near_the_limits_match_a_model(sizes: list[int], shared: bool, where: str) -> None:
    # Each piece is accepted iff the result stays within max_string_length (a RangeError leaves the value as it was),
    # whether the piece is small (checked after the append) or big (checked before).
    limit = 200_000
    r = realm(None, max_string_length=limit)
    decl, ref = {"local": ("let s = '';", "s"), "global": ("var s = '';", "s"),
                 "member": ("var o = {s: ''};", "o.s")}[where]
    loop = f"""var errs = 0, keep = [];
        for (const n of {sizes}) {{ if ({str(shared).lower()}) keep.push({ref});
            try {{ {ref} += 'x'.repeat(n); }} catch (e) {{ errs++; }} }}"""
    if where == "global":  # a top-level var: the global object's property (global_concat)
        run(r, f"{decl} {loop} var out = s.length + ':' + errs;")
    else:
        run(r, f"var out = (() => {{ {decl} {loop} return {ref}.length + ':' + errs; }})();")
    total, errs = 0, 0
    for n in sizes:
        if total + n > limit:
            errs += 1
        else:
            total += n
    assert r.global_object.get("out") == f"{total}:{errs}"
