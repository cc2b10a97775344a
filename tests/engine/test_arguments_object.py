"""The arguments object: mapped to the parameters in sloppy functions with simple parameter lists, unmapped
otherwise; ``callee`` is the function (sloppy) or a throwing accessor (unmapped)."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("param write shows", "function t(a){ a = 2; return arguments[0] } print(t(1))", "2"),
    ("index write shows", "function t(a){ arguments[0] = 3; return a } print(t(1))", "3"),
    ("no argument, no mapping", "function t(a){ arguments[0] = 3; return a } print(t())", "undefined"),
    ("only passed indices", "function t(a, b){ b = 2; return arguments.length + ':' + arguments[1] } print(t(1))",
     "1:undefined"),
    ("delete ends mapping", "function t(a){ delete arguments[0]; arguments[0] = 5; return a } print(t(1))", "1"),
    ("non-writable ends mapping", "function t(a){ Object.defineProperty(arguments, '0', {writable: false});"
                                  " a = 9; return arguments[0] } print(t(1))", "1"),
    ("define value writes param", "function t(a){ Object.defineProperty(arguments, '0', {value: 7}); return a }"
                                  " print(t(1))", "7"),
    ("accessor ends mapping", "function t(a){ Object.defineProperty(arguments, '0', {get(){ return 8 }}); a = 4;"
                              " return arguments[0] } print(t(1))", "8"),
    ("descriptor value is current", "function t(a){ a = 4; var d = Object.getOwnPropertyDescriptor(arguments, '0');"
                                    " return d.value + ',' + d.writable } print(t(1))", "4,true"),
    ("duplicate params map the last", "function t(a, a){ arguments[1] = 5; return a } print(t(1, 2))", "5"),
    ("spread sees current values", "function t(a, b){ a = 9; return [...arguments].join() } print(t(1, 2))", "9,2"),
    ("strict is unmapped", "function t(a){ 'use strict'; arguments[0] = 3; return a } print(t(1))", "1"),
    ("defaults are unmapped", "function t(a = 0){ arguments[0] = 3; return a } print(t(1))", "1"),
    ("rest is unmapped", "function t(a, ...r){ a = 3; return arguments[0] } print(t(1))", "1"),
    ("sloppy callee", "function t(a){ return arguments.callee === t } print(t())", "true"),
    ("strict callee throws", "function t(){ 'use strict'; return arguments.callee } "
                             "try { t() } catch (e) { print(e.name) }", "TypeError"),
    ("unmapped sloppy callee throws", "function t(a = 1){ return arguments.callee } "
                                      "try { t() } catch (e) { print(e.name) }", "TypeError"),
    ("arrow uses outer", "function t(a){ return (() => { arguments[0] = 2; return a })() } print(t(1))", "2"),
    ("toString tag", "function t(){ return Object.prototype.toString.call(arguments) } print(t())",
     "[object Arguments]"),
    ("frozen arguments", "function t(a){ Object.freeze(arguments); a = 5; return arguments[0] } print(t(1))", "1"),
]


@pytest.mark.parametrize("name,src,want", CASES, ids=[c[0] for c in CASES])
def test_arguments(name: str, src: str, want: str) -> None:
    assert run_snippet(src) == want


def test_functions_without_arguments_build_none() -> None:
    from voxsim.engine.parser import parse_script
    from voxsim.engine.scope import analyze
    program = parse_script("function f(a){ return a + 1 }")
    fs = analyze(program).scope_of(program.body[0])
    assert fs is not None and "arguments" not in fs.specials
