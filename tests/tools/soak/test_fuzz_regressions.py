"""Cases `voxsim soak fuzz` found, minimised: each once leaked a Python exception, recursed without end or hung."""

from __future__ import annotations

import gc
import sys
import time

import pytest

from voxsim.engine.script import run_snippet
from voxsim.tools.soak.fuzz import check_source


def printed(src: str) -> list[str]:
    return run_snippet(src).splitlines()


# -- seed 3 case 8018: optional chains under delete leaked the compiler's internal ShortCircuit


@pytest.mark.parametrize("src, want", [
    ("var o = {}; print(delete o.slice?.(1))", "true"),
    ("var o = null; print(delete o?.a)", "true"),
    ("var o = null; print(delete o?.a.b.c)", "true"),
    ("var o = {a: null}; print(delete o.a?.b)", "true"),
    ("var o = {a: {b: 1}}; print(delete o?.a.b, 'b' in o.a)", "true false"),
    ("var o; print(typeof o?.a.b)", "undefined"),
    ("var o; print(void o?.a.b)", "undefined"),
    ("var o; print(!o?.a.b, -o?.a.b, `${o?.a.b}`, o?.a.b ?? 5)", "true NaN undefined 5"),
    ("var o; print([o?.a.b].length, o?.a?.[o?.b.c], o?.[1]?.())", "1 undefined undefined"),
    ("var f = {g() { return this }}; print((f?.g)() === f, (f.h?.g)?.())", "true undefined"),
])
def test_optional_chain_under_operators(src: str, want: str) -> None:
    assert printed(src) == [want]


@pytest.mark.parametrize("src", [
    "var o; o?.a++", "var o; new o?.b", "var o; o?.a = 1", "var o; o?.a.b = 1", "var o; o?.a`x`",
    "var o; [o?.a] = [1]", "var o; o?.a += 1",
    "class C { #p = 1; static m(o) { return delete o?.#p } }",
    "class C { #p = 1; static m(o) { return delete o?.a.#p } }",
])
def test_optional_chain_early_errors(src: str) -> None:
    assert check_source(src) == "syntax"


def test_short_circuited_parenthesised_callee_is_a_type_error() -> None:
    out = printed("var o; try { (o?.f)() } catch (e) { print(e instanceof TypeError) }")
    assert out == ["true"]


# -- seed 7 case 9377: a BigInt literal as a property key reached to_string as a Python object (endless recursion)


def test_bigint_literal_property_keys() -> None:
    src = ("var o = {10n: 1, 0x10n: 2}; class C { 3n = 'f'; 4n() { return 'm' } }; var {10n: t} = o;"
           "print(o[10], o[16], new C()[3], new C()[4](), t, Object.keys(o).join())")
    assert printed(src) == ["1 2 f m 1 10,16"]
    assert check_source("var y = `${[]?.[class {10n}]}`;") == "ok"


def test_conversion_of_a_non_js_value_fails_loudly() -> None:
    from voxsim.engine.operations import to_number, to_string
    with pytest.raises(TypeError, match="not a JS value"):
        to_string(object())
    with pytest.raises(TypeError, match="not a JS value"):
        to_number(object())


def test_js_level_conversion_cycles_are_range_errors() -> None:
    out = printed("var o = {}; o.toString = Object.prototype.toLocaleString;"
                  "try { String(o) } catch (e) { print(e.name) }"
                  "var p = {toString() { return String(this) }}; try { '' + p } catch (e) { print(e.name) }")
    assert out == ["RangeError", "RangeError"]


# -- an abandoned `iterate` generator closed by the GC printed "Exception ignored in: <generator object iterate>"


@pytest.mark.parametrize("ret", ["throw 5", "return 1", "return this.return()"])
def test_abandoned_iteration_closes_quietly(ret: str, monkeypatch) -> None:
    unraisable: list = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    src = ("var closed = 0; var it = {[Symbol.iterator]() { return {next() { return {value: 1, done: false} },"
           f"return() {{ closed++; {ret} }}}} }}}};"
           "try { Object.fromEntries(it) } catch (e) { print(e.name) }"
           "try { Object.groupBy(it, () => { throw 1 }) } catch (e) { print(e) }"
           "print(closed > 0)")
    out = printed(src)
    gc.collect()
    assert unraisable == []
    assert out[:1] == ["TypeError"] and out[-1] == "true"


def test_abandoned_iteration_with_a_runaway_return_ends_the_task(monkeypatch) -> None:
    unraisable: list = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    src = ("var it = {[Symbol.iterator]() { return {next() { return {value: 1, done: false} }, return() { for (;;); }} }};"
           "try { Object.fromEntries(it) } catch (e) { } for (;;);")
    assert check_source(src) == "budget"
    gc.collect()
    assert unraisable == []


# -- seed 4 case 3547: built-ins looping over `length` in Python spent no steps (a 20,000-step case ran > 10 s)


@pytest.mark.parametrize("src", [
    "var a = [1]; for (const v of a) { a.push(Reflect.ownKeys(a)); }",  # the case, minimised: quadratic, no steps
    "var a = []; a.length = 4294967295; a.indexOf(1)",
    "var a = []; a.length = 4294967295; a.splice(0)",
    "var a = []; a.length = 4294967295; a.join()",
    "var a = []; a.length = 4294967295; a.forEach(x => x)",
    "var a = []; a.length = 4294967295; Array.from(a)",
    "var a = []; a.length = 4294967295; JSON.stringify(a)",
    "var a = []; a.length = 4294967295; [...a.keys()]",
    "var o = {length: 9e15}; Array.prototype.lastIndexOf.call(o, 1)",
    "var o = {length: 9e15}; Array.prototype.fill.call(o, 1)",
    "[1].concat({length: 9e15, [Symbol.isConcatSpreadable]: true})",
    "Math.max.apply(null, {length: 1e9})",
    "Reflect.apply(Math.max, null, {length: 4294967295})",
    "var a = Array(15000).fill(1); for (;;) [...a]",
    "var s = 'x'.repeat(15000); for (;;) Object.assign({}, s)",
    "var s = 'x'.repeat(15000); for (;;) ({...s})",
    "var s = 'x'.repeat(15000); for (;;) new Set(s)",
])
def test_builtin_loops_spend_steps(src: str) -> None:
    t0 = time.perf_counter()
    assert check_source(src) == "budget"
    assert time.perf_counter() - t0 < 5


def test_small_builtin_loops_still_run() -> None:
    assert printed("var a = Array(1000).fill(2); print(a.indexOf(3), a.join('').length, [...a].length,"
                   " Math.max.apply(null, a), JSON.stringify(a.slice(0, 2)))") == ["-1 1000 1000 2 [2,2]"]


def test_parse_int_beyond_pythons_digit_limit() -> None:
    assert printed("print(parseInt('9'.repeat(60000)), parseInt('z'.repeat(5000), 36),"
                   " parseInt('1' + '0'.repeat(5000), 2) > 1e300)") == ["Infinity Infinity true"]
