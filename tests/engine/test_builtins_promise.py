"""Promise: constructor, then/catch/finally, combinators, job ordering, subclassing."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("var log = []; Promise.resolve().then(function () { log.push(1); }); log.push(0);\n"
     "Promise.resolve().then(function () { log.push(2); }).then(function () { print(log.join()); });", "0,1,2"),
    ("new Promise(function (r) { r(Promise.resolve('nested')); }).then(print);", "nested"),
    ("Promise.reject(new Error('e')).catch(function (e) { return e.message + '!'; }).then(print);", "e!"),
    ("Promise.resolve(1).then(2).then(print);", "1"),
    ("var p = Promise.resolve(); print(p.then() instanceof Promise, Promise.resolve(p) === p);", "true true"),
    ("new Promise(function () { throw new TypeError('in executor'); }).catch(function (e) { print(e.name); });",
     "TypeError"),
    ("var p = new Promise(function (r) { r(1); r(2); }); p.then(print);", "1"),
    ("var p = Promise.resolve(); var q = p.then(function () { return q; }); q.catch(function (e) { print(e.name); });",
     "TypeError"),
    ("Promise.all([]).then(function (v) { print(v.length); });", "0"),
    ("Promise.all([Promise.reject('no'), 1]).catch(print);", "no"),
    ("Promise.race([]).then(print); print('race pending');", "race pending"),
    ("Promise.any([]).catch(function (e) { print(e.constructor.name, e.errors.length); });", "AggregateError 0"),
    ("Promise.resolve(1).finally(function () { return 2; }).then(print);", "1"),
    ("Promise.reject(1).finally(function () {}).catch(function (v) { print('still', v); });", "still 1"),
    ("class P extends Promise {} var p = P.resolve(1); print(p instanceof P, p.then(function () {}) instanceof P);",
     "true true"),
    ("print(Object.prototype.toString.call(Promise.resolve()), typeof Promise.prototype.then);",
     "[object Promise] function"),
    ("try { Promise(); } catch (e) { print(e.name); }", "TypeError"),
    ("Promise.reject(new Error('unhandled'));", "Unhandled rejection: Error: unhandled"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_promise(src: str, want: str) -> None:
    assert run_snippet(src) == want
