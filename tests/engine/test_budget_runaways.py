"""The memory budget's newer charge points: big strings and arrays made by built-ins, and objects piling up one at a
time (the watched heap). Each runaway kind ends its task with ``memory budget exceeded`` naming the limit, or with
a RangeError naming ``max_string_length`` / ``max_array_length``; legitimate code near the limits runs through."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.engine.budget import BLOCK_BYTES, HEAP_CHECK_STEPS, HEAP_FACTOR, MB, Budget
from voxsim.engine.errors import BudgetExceeded, JSThrow
from voxsim.engine.operations import BIG_ARRAY, BIG_STRING, SLOT_BYTES, charge_array, charge_string
from voxsim.engine.realm import Realm

Budget()  # raises the recursion limit once, before hypothesis records it

STEPS = 5_000_000


def run(realm: Realm, src: str) -> None:
    realm.run_task(realm.compile_script(src, "runaway.js").run)


def realm(max_memory: int | None = 4 * MB, **kw: int) -> Realm:
    return Realm(Budget(max_steps=STEPS, max_memory=max_memory, **kw))


def ends_by_memory(r: Realm, src: str) -> BudgetExceeded:
    with pytest.raises(BudgetExceeded) as info:
        run(r, src)
    assert info.value.kind == "memory", info.value
    assert "the limit is" in str(info.value) and " MB" in str(info.value)
    return info.value


# -- big strings made by built-ins


STRING_RUNAWAYS = [
    "for (let i = 0;; i++) keep.push(String(i % 10).repeat(100000));",
    "for (let i = 0;; i++) keep.push('x'.padEnd(100000, String(i)));",
    "for (let i = 0;; i++) keep.push('x'.padStart(100000, String(i)));",
    "const a = Array(35000).fill('yy'); for (;;) keep.push(a.join(''));",
    "const s = 'ab'.repeat(50000); for (;;) keep.push(s.replace('a', 'c'));",
    "const s = 'ab'.repeat(50000); for (;;) keep.push(s.replaceAll('a', 'cc'));",
    "const s = 'ab'.repeat(50000); for (;;) keep.push(s.replace(/a/, 'c'));",
    "const s = 'ab'.repeat(50000); for (;;) keep.push(''.concat(s, s));",
    "const s = 'ab'.repeat(50000); for (;;) keep.push(s.slice(1));",
    "const s = 'ab'.repeat(50000); for (;;) keep.push(s.toUpperCase());",
    "const o = {s: 'ab'.repeat(50000)}; for (;;) keep.push(JSON.stringify(o));",
]


@pytest.mark.parametrize("src", STRING_RUNAWAYS)
def test_big_strings_from_built_ins_are_charged(src: str) -> None:
    r = realm(MB)
    ends_by_memory(r, "const keep = []; " + src)
    assert r.budget.used < STEPS // 2  # a few dozen big strings, long before the step budget
    run(r, "var ok = 1")  # the realm stays usable with a fresh account
    assert r.global_object.get("ok") == 1.0 and r.budget.memory == 0


@pytest.mark.parametrize("src", [
    "'x'.repeat(1001)", "'x'.padEnd(1001)", "'x'.padStart(1001, 'ab')", "Array(1002).join('-')",
    "'x'.repeat(600).concat('y'.repeat(600))", "'ab'.repeat(400).replaceAll('a', 'aaa')",
    "String.raw`${'x'.repeat(600)}${'y'.repeat(600)}`", "JSON.stringify('x'.repeat(999))",
])
def test_too_long_a_string_from_a_built_in_is_a_range_error_naming_the_limit(src: str) -> None:
    r = realm(None, max_string_length=1000)
    run(r, f"var out; try {{ {src}; out = 'no error'; }} catch (e) {{ out = e.name + ': ' + e.message; }}")
    out = r.global_object.get("out")
    assert out.startswith("RangeError: Invalid string length: ") and "max_string_length (1000)" in out, out


def test_strings_at_the_length_limit_and_small_ones_are_free() -> None:
    r = realm(4 * MB, max_string_length=1 << 18)
    run(r, """var n = 'x'.repeat(1 << 18).length + 'y'.padEnd(1 << 18, 'ab').length + Array((1 << 17) + 1).join('.').length;
              var small = ''; for (let i = 0; i < 2000; i++) small = ('a'.repeat(i % 50) + small.slice(0, 100)).toUpperCase();""")
    assert r.global_object.get("n") == 5 * (1 << 17)
    assert r.budget.memory == 5 * (1 << 17)  # the three big ones, nothing for the small ones


# -- big arrays made by built-ins


ARRAY_RUNAWAYS = [
    "let a = [1]; for (;;) a = a.concat(a);",
    "let a = [1]; for (;;) a = [...a, ...a];",
    "const a = Array(66000).fill(0); for (;;) keep.push(a.slice());",
    "const a = Array(66000).fill(0); for (;;) keep.push(a.map(x => x));",
    "const a = Array(66000).fill(0); for (;;) keep.push(a.filter(x => true));",
    "for (;;) keep.push(Array.from({length: 66000}));",
    "const a = Array(66000).fill(0); for (;;) keep.push([a, a].flat());",
    "const s = 'x'.repeat(66000); for (;;) keep.push(s.split(''));",
    "const o = {}; for (let i = 0; i < 66000; i++) o['k' + i] = i; for (;;) keep.push(Object.keys(o));",
    "const a = Array(66000).fill(0); for (;;) keep.push(a.toReversed());",
]


@pytest.mark.parametrize("src", ARRAY_RUNAWAYS)
def test_big_arrays_from_built_ins_are_charged(src: str) -> None:
    r = realm(MB // 2)
    ends_by_memory(r, "const keep = []; " + src)
    run(r, "var ok = 1")
    assert r.global_object.get("ok") == 1.0


@pytest.mark.parametrize(("src", "longest"), [
    ("a = a.concat(a);", 1 << 13),  # refused before the copy
    ("a = Array.from(a).concat(a.slice());", 1 << 13),
    ("a = [...a, ...a];", 1 << 13),  # the literal's total is checked, before the second copy
])
def test_without_a_memory_cap_doubling_arrays_stop_at_max_array_length(src: str, longest: int) -> None:
    r = realm(None, max_array_length=1 << 13)
    run(r, f"var out, a = [1]; try {{ for (;;) {src} }} catch (e) {{ out = e.name + ': ' + e.message; }}")
    out = r.global_object.get("out")
    assert out.startswith("RangeError: Invalid array length: ") and f"max_array_length ({1 << 13})" in out, out
    assert r.global_object.get("a").length == longest


def test_arrays_near_the_limits_are_fine() -> None:
    r = realm(4 * MB, max_array_length=1 << 17)
    run(r, """const a = Array(1 << 16).fill(1); const b = a.concat(a); var n = b.length;
              let t = 0; for (let i = 0; i < 3000; i++) t += [1, 2, 3].concat([i]).slice(1).map(x => x).length;
              var m = t;""")
    assert r.global_object.get("n") == float(1 << 17) and r.global_object.get("m") == 9000.0
    assert r.budget.memory == ((1 << 16) + (1 << 17)) * SLOT_BYTES  # only a's holes and b: small arrays are free


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 3 * BIG_STRING), limit=st.integers(1, 3 * BIG_STRING))
def test_charge_string_model(n: int, limit: int) -> None:
    b = Budget(max_string_length=limit, max_memory=None)
    if n > limit:
        with pytest.raises(Exception, match="max_string_length"):
            charge_string(b, n)
        assert b.memory == 0
    else:
        charge_string(b, n)
        assert b.memory == (n if n > BIG_STRING else 0)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 3 * BIG_ARRAY), limit=st.integers(1, 3 * BIG_ARRAY))
def test_charge_array_model(n: int, limit: int) -> None:
    b = Budget(max_array_length=limit, max_memory=None)
    if n > limit:
        with pytest.raises(Exception, match="max_array_length"):
            charge_array(b, n)
        assert b.memory == 0
    else:
        charge_array(b, n)
        assert b.memory == (n * SLOT_BYTES if n >= BIG_ARRAY else 0)


@settings(max_examples=25, deadline=None)
@given(pieces=st.lists(st.integers(0, 5000), max_size=6), limit=st.integers(100, 12000))
def test_built_in_lengths_match_a_model(pieces: list[int], limit: int) -> None:
    # repeat / concat / join / spread accept a result iff it fits within the limits, whatever its size
    r = realm(None, max_string_length=limit, max_array_length=limit)
    run(r, f"""var out = [];
        for (const n of {pieces}) {{
            for (const f of [() => 'x'.repeat(n).length, () => 'ab'.concat('c'.repeat(n)).length,
                             () => Array(n + 1).join('.').length, () => [...Array(n)].concat([1, 2]).length]) {{
                try {{ out.push(f()); }} catch (e) {{ out.push(e.name); }}
            }}
        }}""")
    want: list[object] = []
    for n in pieces:
        for size, lim in ((n, limit), (n + 2, limit), (n, limit), (n + 2, limit)):
            want.append(float(size) if size <= lim else "RangeError")
    got = r.global_object.get("out")
    assert [got.get(str(i)) for i in range(len(want))] == want


# -- objects piling up one at a time: the watched heap


HEAP_RUNAWAYS = [
    "let o = {}; for (;;) o = {next: o};",
    "let f = null; for (;;) { const g = f; f = () => g; }",
    "const m = new Map(); for (let i = 0;; i++) m.set(i, i);",
    "const s = new Set(); for (let i = 0;; i++) s.add({i});",
    "const o = {}; for (let i = 0;; i++) o['k' + i] = i;",
    "const a = []; for (let i = 0;; i++) a[i] = [i];",
    "let p = []; for (;;) p = [p, 1];",
]


@pytest.mark.parametrize("timer", [False, True], ids=["steps", "timer"])
@pytest.mark.parametrize("src", HEAP_RUNAWAYS)
def test_objects_piling_up_end_by_the_watched_heap(src: str, timer: bool) -> None:
    import time
    budget = Budget(max_steps=STEPS, max_memory=MB, timer=time.monotonic if timer else None,
                    max_seconds=60.0 if timer else None)
    r = Realm(budget)
    err = ends_by_memory(r, src)
    assert "of new objects held by one task" in str(err) and f"the limit is {HEAP_FACTOR:g} MB" in str(err)
    assert budget.used < 500_000, budget.used  # ~4 MB of objects, far from the step budget
    del r
    gc.collect()


def test_making_and_dropping_objects_is_not_held() -> None:
    # 20 x the watched heap's cap allocated over the task, but never more than a few hundred objects held at once
    r = realm(64 * 1024)  # a 256 KB cap: ~4 K blocks
    run(r, """let t = 0;
        for (let i = 0; i < 15000; i++) { const o = {a: i, b: [i, i], c: () => i}; t += o.b.length; }
        const m = new Map(); for (let i = 0; i < 10000; i++) { m.set(i, {i}); m.delete(i - 100); }
        var out = t + m.size;""")
    assert r.global_object.get("out") == 30_100.0


def test_keeping_a_bounded_structure_under_the_cap_is_fine() -> None:
    r = realm(1 * MB)  # 4 MB of watched heap: ~65 K blocks
    run(r, "var keep = []; for (let i = 0; i < 5000; i++) keep.push({i, s: 'v' + i});")
    assert r.global_object.get("keep").length == 5000


def test_each_task_watches_its_own_growth() -> None:
    r = realm(MB)
    for _ in range(6):  # each task keeps ~1/2 of the cap: fine per task, though the realm holds 3 x the cap
        run(r, "globalThis.keep = globalThis.keep || []; for (let i = 0; i < 12000; i++) keep.push({i});")
        assert r.budget.heap_grown < r.budget.max_heap_blocks
    assert r.global_object.get("keep").length == 72_000


def test_others_allocating_while_the_task_is_suspended_are_not_counted() -> None:
    now = [0.0]

    def timer() -> float:
        return now[0]

    elsewhere: list[object] = []
    budget = Budget(max_steps=10**9, slice_steps=10, slice_seconds=0.001, timer=timer, max_memory=64 * 1024)
    cap = budget.max_heap_blocks
    assert cap == HEAP_FACTOR * 64 * 1024 // BLOCK_BYTES

    def suspend() -> None:  # another session runs meanwhile and keeps what it made
        elsewhere.extend({"n": i} for i in range(cap))

    budget.suspend = suspend
    budget.reset()
    for _ in range(40):
        now[0] += 0.0011
        budget.left = -1
        budget.spent()
    assert len(elsewhere) > 10 * cap and budget.heap_grown < cap // 4
    mine: list[object] = []
    with pytest.raises(BudgetExceeded, match="new objects"):  # the task's own growth is, across slices
        for _ in range(200):
            mine.extend({"n": i} for i in range(cap // 20))
            now[0] += 0.0011
            budget.left = -1
            budget.spent()
    assert budget.heap_grown > cap and cap // 8 < len(mine) < 2 * cap  # a dict and its int: 2-3 blocks


def test_without_a_memory_cap_the_heap_is_not_watched() -> None:
    r = Realm(Budget(max_steps=50_000))
    with pytest.raises(BudgetExceeded) as info:
        run(r, "let o = {}; for (;;) o = {next: o};")
    assert info.value.kind == "step"


@pytest.mark.parametrize("read_cost", [0.0, 0.0005])
def test_reads_of_the_heap_take_a_small_share_of_the_task(monkeypatch: pytest.MonkeyPatch, read_cost: float) -> None:
    import voxsim.engine.budget as budget_module
    now, reads = [0.0], [0]
    real = budget_module._allocated_blocks

    def slow_read() -> int:  # a big process: each read walks many arenas
        reads[0] += 1
        now[0] += read_cost
        return real()

    monkeypatch.setattr(budget_module, "_allocated_blocks", slow_read)
    budget = Budget(max_steps=10**9, slice_steps=10, slice_seconds=0.002, timer=lambda: now[0], max_memory=MB)
    budget.suspend = lambda: None
    budget.reset()
    for _ in range(1000):  # a checkpoint every 0.3 ms: 0.3 s of running time, ~150 slices
        now[0] += 0.0003
        budget.left = -1
        budget.spent()
    assert budget.heap_reads == reads[0] and budget.heap_read_seconds == pytest.approx(reads[0] * read_cost)
    if read_cost:
        assert reads[0] * read_cost < 0.04 * now[0], reads  # spaced out: ~2 % of the time (4 % with slack)
    else:
        assert reads[0] >= 2 * 140, reads  # cheap reads: every slice is a window (opened at resume, closed before)


def slow_reads(monkeypatch: pytest.MonkeyPatch, now: list[float], read_cost: float) -> list[int]:
    import voxsim.engine.budget as budget_module
    reads = [0]
    real = budget_module._allocated_blocks

    def slow_read() -> int:
        reads[0] += 1
        now[0] += read_cost
        return real()

    monkeypatch.setattr(budget_module, "_allocated_blocks", slow_read)
    return reads


def test_with_slow_reads_a_runaway_is_then_watched_every_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    slow_reads(monkeypatch, now, 0.0005)  # windows every ~5th slice at first
    budget = Budget(max_steps=10**9, slice_steps=10, slice_seconds=0.002, timer=lambda: now[0], max_memory=64 * 1024)
    budget.suspend = lambda: None
    budget.reset()
    keep: list[object] = []
    with pytest.raises(BudgetExceeded, match="new objects"):
        for _ in range(5000):
            keep.extend({"n": i} for i in range(1000, 1050))  # ~100-150 blocks a checkpoint
            now[0] += 0.0003
            budget.left = -1
            budget.spent()
    # ended on measured growth a window or two after the sampled windows' rate passed the cap: windows are 50 x
    # their reads' cost apart (50 ms, ~25 slices, ~20 K blocks here); unwatched it would run all 5000 checkpoints
    assert budget._heap_dense and len(keep) < 12 * budget.max_heap_blocks, len(keep)


def test_with_slow_reads_a_burst_then_nothing_runs_on(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    slow_reads(monkeypatch, now, 0.0005)
    budget = Budget(max_steps=10**9, slice_steps=10, slice_seconds=0.002, timer=lambda: now[0], max_memory=64 * 1024)
    budget.suspend = lambda: None
    budget.reset()
    keep: list[object] = []
    for k in range(600):
        if 20 <= k < 40:  # ~1/2 of the cap kept within a few slices, then nothing more
            keep.extend({"n": i} for i in range(1000, 1040))
        now[0] += 0.0003
        budget.left = -1
        budget.spent()
    assert budget.heap_grown < budget.max_heap_blocks


def test_others_garbage_freed_meanwhile_does_not_hide_a_runaway() -> None:
    budget = Budget(max_steps=10**9, slice_steps=10, max_memory=64 * 1024)  # no timer: a read every HEAP_CHECK_STEPS
    cap = budget.max_heap_blocks
    others = [{"n": i} for i in range(1000, 1000 + 3 * cap)]  # an ended session's objects, collected meanwhile
    budget.reset()
    budget.left = -HEAP_CHECK_STEPS
    budget.spent()
    del others[:]
    mine: list[object] = []
    with pytest.raises(BudgetExceeded, match="new objects"):
        for _ in range(500):
            mine.extend({"n": i} for i in range(1000, 1000 + cap // 20))
            budget.left = -HEAP_CHECK_STEPS
            budget.spent()
    assert len(mine) < cap, len(mine)  # not 3 x the cap later (the freed blocks are no reserve)
