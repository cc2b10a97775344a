"""Cases `voxsim soak fuzz` found, minimised: each once leaked a Python exception, recursed without end or hung."""

from __future__ import annotations

import gc
import sys

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
