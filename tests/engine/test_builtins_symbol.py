"""Symbol: registry, descriptions, well-known symbols used by the language."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("print(Symbol('a').toString(), Symbol().description, Symbol('d').description)", "Symbol(a) undefined d"),
    ("print(Symbol.for('k') === Symbol.for('k'), Symbol('k') === Symbol('k'), Symbol.keyFor(Symbol('x')))",
     "true false undefined"),
    ("try { new Symbol(); } catch (e) { print(e.name); }", "TypeError"),
    ("var s = Symbol('p'); var o = {}; o[s] = 1; print(o[s], Object.keys(o).length, JSON.stringify(o))", "1 0 {}"),
    ("print(typeof Symbol.iterator, Symbol.iterator.toString())", "symbol Symbol(Symbol.iterator)"),
    ("var o = {[Symbol.toPrimitive](hint) { return hint === 'number' ? 42 : 'str'; }}; print(+o, `${o}`, o + '')",
     "42 str str"),
    ("class Even { static [Symbol.hasInstance](n) { return n % 2 === 0; } } print(2 instanceof Even, 3 instanceof Even)",
     "true false"),
    ("var o = {[Symbol.toStringTag]: 'Tag'}; print(String(o))", "[object Tag]"),
    ("print(Object(Symbol('w')) instanceof Symbol, typeof Object(Symbol('w')))", "true object"),
    ("try { `${Symbol()}`; } catch (e) { print(e.name); }", "TypeError"),
    ("var sp = {length: 2, 0: 'a', 1: 'b', [Symbol.isConcatSpreadable]: true}; print([].concat(sp).join())", "a,b"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_symbol(src: str, want: str) -> None:
    assert run_snippet(src) == want
