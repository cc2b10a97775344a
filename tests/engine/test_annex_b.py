"""Annex B.3.3/B.3.4: in sloppy code a function declared in a block also gets a var binding in the enclosing
function or script, set when the declaration is evaluated, unless a lexical binding of the name is in the way."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("block function is var too", "function t(){ { function g(){} } return typeof g } print(t())", "function"),
    ("undefined before the block", "function t(){ var r = [typeof g]; { r.push(typeof g); function g(){} }"
                                   " r.push(typeof g); return r.join() } print(t())",
     "undefined,function,function"),
    ("not evaluated, stays undefined", "function t(){ if (false) { function g(){} } return typeof g } print(t())",
     "undefined"),
    ("if clause", "if (true) function f(){ return 1 } print(typeof f)", "function"),
    ("if clause in function", "function t(){ if (true) function f(){} else function h(){} return typeof f + typeof h }"
                              " print(t())", "functionundefined"),
    ("switch case", "function t(){ switch (1) { case 1: function s(){} } return typeof s } print(t())", "function"),
    ("global", "print(typeof h); { function h(){} } print(typeof h)", "undefined\nfunction"),
    ("global let blocks it", "let q = 1; { function q(){} } print(q)", "1"),
    ("function let blocks it", "function t(){ let q = 1; { function q(){} } return q } print(t())", "1"),
    ("outer block let blocks it", "function t(){ { let q = 1; { function q(){} } } return typeof q } print(t())",
     "undefined"),
    ("parameter blocks it", "function t(a){ { function a(){} } return typeof a } print(t(1))", "number"),
    ("for-let blocks it", "function t(){ for (let f of [1]) { function f(){} } return typeof f } print(t())",
     "undefined"),
    ("simple catch parameter does not", "function t(){ try { throw 1 } catch (e) { { function e(){} } } "
                                        "return typeof e } print(t())", "function"),
    ("strict code", "'use strict'; { function h(){} } print(typeof h)", "undefined"),
    ("generators are not hoisted", "function t(){ { function* g(){} } return typeof g } print(t())", "undefined"),
    ("later assignment in block", "function t(){ { function g(){ return 1 } g = 2 } return typeof g } print(t())",
     "function"),
    ("inner binding is the block's", "function t(){ var out; { function g(){ return 1 } out = g } "
                                     "return out === g } print(t())", "true"),
    ("an outer block function blocks an inner one", "function g(){ { function f(){ return 1 } "
                                                    "{ function f(){ return 2 } } } return f() } print(g())", "1"),
    ("global function over non-configurable", "Object.defineProperty(globalThis, 'nc', {value: 1}); "
                                              "try { (0, eval)('1'); eval('function nc(){}') } "
                                              "catch (e) { print(e.name) }", "TypeError"),
    ("labelled function", "l: function g(){} print(typeof g)", "function"),
]


@pytest.mark.parametrize("name,src,want", CASES, ids=[c[0] for c in CASES])
def test_annex_b(name: str, src: str, want: str) -> None:
    assert run_snippet(src) == want


def test_global_declarations_that_cannot_be_made_throw_type_errors() -> None:
    """GlobalDeclarationInstantiation: CanDeclareGlobalFunction / CanDeclareGlobalVar fail with a TypeError."""
    from voxsim.engine.realm import Realm
    realm = Realm()
    run_snippet("Object.defineProperty(globalThis, 'nw', {value: 1, enumerable: true})", realm)
    assert run_snippet("function nw(){}", realm).startswith("Uncaught TypeError")
    run_snippet("Object.preventExtensions(globalThis)", realm)
    assert run_snippet("var fresh", realm).startswith("Uncaught TypeError")
