"""Destructuring assignment: the spec's evaluation order (target reference before the value is read, key
conversion at PutValue) and IteratorClose on a generator's return."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

LOGGERS = """
var log = [];
function source() { log.push("source"); return { get p() { log.push("get"); } }; }
function target() { log.push("target"); return { set q(v) { log.push("set"); } }; }
function sourceKey() { log.push("skey"); return { toString() { log.push("skey-str"); return "p"; } }; }
function targetKey() { log.push("tkey"); return { toString() { log.push("tkey-str"); return "q"; } }; }
var it = { [Symbol.iterator]() { return { next() { log.push('next'); return { done: false, value: 1 }; },
                                          return() { log.push('ret'); return {}; } }; } };
"""

CASES = [
    (LOGGERS + "({[sourceKey()]: target()[targetKey()]} = source()); print(log.join());",
     "source,skey,skey-str,target,tkey,get,tkey-str,set"),
    (LOGGERS + "[target()[targetKey()]] = it; print(log.join());", "target,tkey,next,tkey-str,set,ret"),
    (LOGGERS + "[...target()[targetKey()]] = [1, 2]; print(log.join());", "target,tkey,tkey-str,set"),
    # super[k] = v: the key expression runs before the right-hand side, ToPropertyKey after it
    ("function E() {} class C extends class {} { m() { super[(() => { throw new E(); })()] = "
     "(() => { throw new Error('rhs'); })(); } } try { new C().m(); } catch (e) { print(e instanceof E); }",
     "true"),
    ("var k = { toString() { throw new Error('key'); } }; class C extends class {} { m() { super[k] = "
     "(() => { throw new RangeError('rhs'); })(); } } try { new C().m(); } catch (e) { print(e.name); }",
     "RangeError"),
    ("class D { #x = 1; static n(o) { var r; [o.#x, r] = [7, 8]; return o.#x + r; } } print(D.n(new D()));", "15"),
    ("var o = {}; [o.a, o['b'], ...o.c] = [1, 2, 3, 4]; ({ x: o.d = 9, y: o.e = 10 } = { y: 3 });"
     "print(o.a, o.b, o.c, o.d, o.e);", "1 2 3,4 9 3"),
    ("class E extends class {} { m() { [super.z] = [4]; return this.z; } } print(new E().m());", "4"),
    ("try { [null.x] = [1]; } catch (e) { print(e.name); }", "TypeError"),
    # a generator's return() passing through array destructuring closes the iterator; return()'s result is checked
    ("var n = 0, r = 0; var iter = { [Symbol.iterator]() { return { next() { n++; return { done: false }; },"
     " return() { r++; return null; } }; } };"
     "function* g() { for ([ {} = yield ] of [iter]) {} } var gi = g(); gi.next();"
     "try { gi.return(); print('no error'); } catch (e) { print(e.name, n, r); }", "TypeError 1 1"),
    ("var r = 0; var iter = { [Symbol.iterator]() { return { next() { return { done: false }; },"
     " return() { r++; throw new RangeError('from return'); } }; } };"
     "function* g() { var x; [x, ...{}[yield]] = iter; } var gi = g(); gi.next();"
     "try { gi.return(); } catch (e) { print(e.name, r); }", "RangeError 1"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_patterns(src: str, want: str) -> None:
    assert run_snippet(src) == want
