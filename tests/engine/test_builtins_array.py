"""Array constructor and the core/iteration methods of Array.prototype (array_extras has its own tests)."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("new Array(3).length + ',' + new Array(1, 2).join('')", "3,12"),
    ("(function () { try { new Array(-1); } catch (e) { return e.name; } })()", "RangeError"),
    ("Array.of(1, 2, 3).length", "3"),
    ("Array.from('abc').join('-')", "a-b-c"),
    ("Array.from(new Set([1, 1, 2])).join()", "1,2"),
    ("Array.from({length: 2, 0: 'x', 1: 'y'}).join()", "x,y"),
    ("[1, 2, 3].map(function (x, i, a) { return x * i + a.length; }).join()", "3,5,9"),
    ("[5, 1, 4].filter(function (x) { return x > 2; }).join()", "5,4"),
    ("[1, 2, 3].reduce(function (a, b) { return a + b; })", "6"),
    ("[[1], [2]].reduce(function (acc, x) { return acc.concat(x); }, []).join()", "1,2"),
    ("[1, 2, 3].find(function (x) { return x > 1; }) + [1, 2, 3].findIndex(function (x) { return x > 5; })", "1"),
    ("[1, , 3].indexOf(undefined) + ',' + [NaN].includes(NaN) + ',' + [NaN].indexOf(NaN)", "-1,true,-1"),
    ("var a = [1, 2, 3]; a.splice(1, 1, 'x', 'y'); a.join()", "1,x,y,3"),
    ("var a = [1, 2]; a.unshift(0); a.join()", "0,1,2"),
    ("[1, 2, 3, 4].slice(1, -1).join()", "2,3"),
    ("[1].concat([2, [3]], 4).length", "4"),
    ("[null, undefined, 1].join('-')", "--1"),
    ("String([1, [2, [3]]])", "1,2,3"),
    ("var a = [1, 2]; a.length = 0; a.length + ',' + a[0]", "0,undefined"),
    ("var a = []; a[2] = 'c'; a.length + ',' + Object.keys(a).join()", "3,2"),
    ("var log = []; [1, , 3].forEach(function (x, i) { log.push(i); }); log.join()", "0,2"),
    ("Array.isArray(Array.prototype)", "true"),
    ("[].concat.call(1, 2).length", "2"),
    ("Array.prototype.map.call('ab', function (c) { return c + c; }).join()", "aa,bb"),
    ("var a = [1, 2, 3]; var r = []; for (var v of a.entries()) r.push(v.join(':')); r.join()", "0:1,1:2,2:3"),
    ("(function () { var s = []; for (var v of [1, 2, 3]) { if (v === 2) break; s.push(v); } return s.join(); })()",
     "1"),
    ("[3, 1, 2].some(function (x) { return x === 1; }) && ![].every(function () { return false; }) === false", "true"),
    ("var a = [1, 2]; a.push(3, 4) + ',' + a.pop() + ',' + a.shift()", "4,4,1"),
    ("(function () { class MyArr extends Array {} var m = MyArr.from([1, 2]); return (m instanceof MyArr) + ',' + "
     "(m.map(function (x) { return x; }) instanceof MyArr); })()", "true,true"),
]


@pytest.mark.parametrize("expr, want", CASES)
def test_array(expr: str, want: str) -> None:
    head, _, last = expr.rpartition(";") if expr.startswith(("var ", "class ")) else ("", "", expr)
    src = f"{head};\nprint({last.strip()})" if head else f"print({expr})"
    assert run_snippet(src) == want


# push honours an inherited index setter (the fast path must step aside), then fails on a frozen length
PUSH_THROUGH_PROTOTYPE = [
    ("var a = [], calls = 0; Object.defineProperty(Array.prototype, '0', { set(v) { Object.freeze(a); calls++; },"
     " configurable: true }); try { a.push(1); print('no error'); } catch (e) { print(e.name); }"
     " print(a.hasOwnProperty(0), a.length, calls);", "TypeError\nfalse 0 1"),
    ("var seen = []; Object.defineProperty(Object.prototype, '2', { set(v) { seen.push(v); }, configurable: true });"
     " var a = [1, 2]; a.push('x', 'y'); delete Object.prototype[2]; print(a.length, a[2], a[3], seen);",
     "4 undefined y x"),
    ("var a = [1]; a.push(2, 3); print(a, a.length);", "1,2,3 3"),
]


@pytest.mark.parametrize("src, want", PUSH_THROUGH_PROTOTYPE)
def test_push_through_prototype(src: str, want: str) -> None:
    assert run_snippet(src) == want
