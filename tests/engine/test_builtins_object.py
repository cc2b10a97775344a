"""Object and Object.prototype, as a table of snippets (expression → printed result)."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("Object.keys({b: 1, a: 2, 1: 3}).join()", "1,b,a"),
    ("JSON.stringify(Object.entries({x: 1}))", '[["x",1]]'),
    ("Object.values({x: 1, y: 'z'}).join()", "1,z"),
    ("Object.getPrototypeOf(Object.create(null))", "null"),
    ("Object.isFrozen(Object.freeze({a: 1}))", "true"),
    ("Object.isSealed(Object.seal({a: 1}))", "true"),
    ("Object.isExtensible(Object.preventExtensions({}))", "false"),
    ("(function () { 'use strict'; var o = Object.freeze({a: 1}); try { o.a = 2; } catch (e) { return e.name; } })()",
     "TypeError"),
    ("Object.getOwnPropertyDescriptor({get a() { return 1; }}, 'a').set", "undefined"),
    ("Object.getOwnPropertyNames(Object.defineProperties({}, {a: {value: 1}, b: {value: 2, enumerable: true}})).join()",
     "a,b"),
    ("Object.assign({a: 1}, {b: 2}, 'xy').b + Object.assign({}, 'xy')[1]", "2y"),
    ("Object.is(NaN, NaN) + ',' + Object.is(0, -0)", "true,false"),
    ("Object.fromEntries(new Map([['k', 1]])).k", "1"),
    ("Object.hasOwn({q: 1}, 'q')", "true"),
    ("({}).toString.call([])", "[object Array]"),
    ("Object.prototype.toString.call(function () {})", "[object Function]"),
    ("({[Symbol.toStringTag]: 'Custom'}).toString()", "[object Custom]"),
    ("({a: 1}).propertyIsEnumerable('a')", "true"),
    ("Object.prototype.isPrototypeOf.call(Array.prototype, [])", "true"),
    ("var o = {}; o.__proto__ = Array.prototype; o instanceof Array", "true"),
    ("typeof Object('s')", "object"),
    ("Object(1) instanceof Number", "true"),
    ("(function () { try { Object.defineProperty(1, 'a', {}); } catch (e) { return e.name; } })()", "TypeError"),
    ("(function () { try { Object.setPrototypeOf(Object.preventExtensions({}), {}); } catch (e) { return e.name; } })()",
     "TypeError"),
    ("var o = {}; Object.defineProperty(o, 'x', {get: function () { return 42; }}); o.x", "42"),
    ("var o = {}; o.__defineGetter__('g', function () { return 'g'; }); o.g + typeof o.__lookupGetter__('g')",
     "gfunction"),
]


@pytest.mark.parametrize("expr, want", CASES)
def test_object(expr: str, want: str) -> None:
    assert run_snippet(f"print({expr})" if not expr.startswith("var ") else
                       expr.rsplit(";", 1)[0] + "; print(" + expr.rsplit(";", 1)[1] + ")") == want
