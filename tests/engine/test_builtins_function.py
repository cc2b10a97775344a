"""Function, Function.prototype and the function objects the compiler makes."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("function f(a, b) {}\nprint(f.length, f.name)", "2 f"),
    ("var g = function () {};\nprint(g.name)", "g"),
    ("var o = {m() {}, get p() { return 1; }};\nprint(o.m.name, Object.getOwnPropertyDescriptor(o, 'p').get.name)",
     "m get p"),
    ("function add(a, b) { return a + b; }\nprint(add.call(null, 1, 2), add.apply(null, [3, 4]))", "3 7"),
    ("function t() { return this.v; }\nprint(t.bind({v: 5})(), t.bind({v: 1}).name, t.bind(null, 1).length)",
     "5 bound t 0"),
    ("function P(x) { this.x = x; }\nvar B = P.bind(null, 9);\nprint(new B().x, new B() instanceof P)", "9 true"),
    ("print(Function('return 1 + 1')(), new Function('a', 'b', 'return a - b')(5, 2))", "2 3"),
    ("print((function (a = 1, b) {}).length, ((...r) => 0).length)", "0 0"),
    ("function f() {}\nprint(f.prototype.constructor === f, typeof (() => 1).prototype)", "true undefined"),
    ("print(String(function  spaced ( a ) { return a }))", "function  spaced ( a ) { return a }"),
    ("print(class A { m() {} }.toString())", "class A { m() {} }"),
    ("print(Object.prototype.hasOwnProperty.toString())", "function hasOwnProperty() { [native code] }"),
    ("function f() { return arguments.length + ':' + Array.prototype.join.call(arguments); }\nprint(f(1, 2, 3))",
     "3:1,2,3"),
    ("print(Function.prototype(), typeof Function.prototype)", "undefined function"),
    ("function* g() {}\nprint(Object.getPrototypeOf(g) === Object.getPrototypeOf(function* () {}), g.prototype "
     "instanceof Object)", "true true"),
    ("async function a() {}\nprint(Object.prototype.toString.call(a), a() instanceof Promise)",
     "[object AsyncFunction] true"),
    ("print((function () { 'use strict'; return this; })())", "undefined"),
    ("print((function () { return typeof this; }).call(5))", "object"),
    ("print([1, 2].map(function (x) { return this.k * x; }, {k: 3}).join())", "3,6"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_function(src: str, want: str) -> None:
    assert run_snippet(src) == want
