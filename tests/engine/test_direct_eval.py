"""Direct eval (PerformEval with direct=true): the eval code runs in the caller's scope."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    # reads and writes the caller's bindings
    ("local var", "function t(){ var x = 1; return eval('x') } print(t())", "1"),
    ("assigns let", "function t(){ let x = 1; eval('x = 2'); return x } print(t())", "2"),
    ("closure binding", "function t(){ var c = 5; return function(){ return eval('c + 1') } } print(t()())", "6"),
    ("block let", "{ let q = 3; print(eval('q')) }", "3"),
    ("block let in function", "function f(){ { let q = 3; var r = eval('q') } return r } print(f())", "3"),
    ("per-iteration let", "function f(){ var k = ''; for (let i = 0; i < 3; i++) k += eval('i'); return k }"
                          " print(f())", "012"),
    ("tdz", "function f(){ try { eval('z') } catch (e) { print(e.name) } let z = 1 } f()", "ReferenceError"),
    ("const assignment", "function f(){ const c = 1; try { eval('c = 2') } catch (e) { print(e.name) } } f()",
     "TypeError"),
    ("shadows global", "var x = 'global'; function f(){ var x = 'local'; return [eval('x'), (0, eval)('x')] }"
                       " print(f())", "local,global"),
    # sloppy eval declares vars in the caller's var scope
    ("var into caller", "function t(){ eval('var y = 5'); return y } print(t())", "5"),
    ("var seen by closure", "function f(){ eval('var z = 1'); return (() => z)() } print(f())", "1"),
    ("var deletable", "function t(){ eval('var y = 5'); return typeof y + delete y + typeof y } print(t())",
     "numbertrueundefined"),
    ("var before eval", "var v = 'outer'; function t(){ var a = v; eval('var v = 1'); return a + v } print(t())",
     "outer1"),
    ("function into caller", "function f(){ eval('function h(){ return 9 }'); return h() } print(f())", "9"),
    ("existing var", "function f(){ var w = 1; eval('var w = 2'); return w } print(f())", "2"),
    ("nested eval", "function f(){ return eval(\"eval('var w = 4'); w\") } print(f())", "4"),
    ("global var is configurable", "eval('var gg = 1'); print(gg, delete gg, typeof gg)", "1 true undefined"),
    ("global function", "eval('function gf(){ return 2 }'); print(gf(), "
                        "Object.getOwnPropertyDescriptor(globalThis, 'gf').configurable)", "2 true"),
    ("conflict with let", "function t(){ let y; eval('var y = 5') } try { t() } catch (e) { print(e.name) }",
     "SyntaxError"),
    ("conflict with block let", "function t(){ { let y; eval('var y') } } try { t() } catch (e) { print(e.name) }",
     "SyntaxError"),
    ("conflict with global let", "let gl = 1; try { eval('var gl') } catch (e) { print(e.name) }", "SyntaxError"),
    ("catch parameter redeclared", "function f(){ try { throw 1 } catch (e) { eval('var e = 2'); return e } }"
                                   " print(f())", "2"),
    # strict eval code gets its own var scope
    ("strict caller", "function t(){ 'use strict'; eval('var y = 5'); return typeof y } print(t())", "undefined"),
    ("strict eval code", "function t(){ eval(\"'use strict'; var y = 5\"); return typeof y } print(t())",
     "undefined"),
    ("strict eval sees locals", "function t(){ 'use strict'; var a = 2; return eval('a * 3') } print(t())", "6"),
    ("let stays in eval", "function t(){ eval('let l = 1'); return typeof l } print(t())", "undefined"),
    # this, arguments, new.target, super, private names of the caller
    ("this and arguments", "function t(a){ return eval('arguments[0] + this.k + a') } print(t.call({k: 2}, 1))",
     "4"),
    ("arrow this", "var o = { k: 3, m() { return (() => eval('this.k'))() } }; print(o.m())", "3"),
    ("new.target", "function t(){ return eval('new.target') } print(new t() === undefined, t())",
     "false undefined"),
    ("new.target outside functions", "try { eval('new.target') } catch (e) { print(e.name) }", "SyntaxError"),
    ("super property", "var o = { m() { return eval('super.toString === Object.prototype.toString') } };"
                       " print(o.m())", "true"),
    ("super outside methods", "function f(){ return eval('super.x') } try { f() } catch (e) { print(e.name) }",
     "SyntaxError"),
    ("super call", "class B extends Object { constructor() { eval('super()'); this.v = 3 } } print(new B().v)",
     "3"),
    ("private name", "class A { #x = 7; m() { return eval('this.#x') } } print(new A().m())", "7"),
    ("undeclared private name", "class A { m() { return eval('this.#y') } } "
                                "try { new A().m() } catch (e) { print(e.name) }", "SyntaxError"),
    ("arguments in field", "class C { f = eval('arguments') } try { new C() } catch (e) { print(e.name) }",
     "SyntaxError"),
    # what is and is not a direct eval
    ("not a string", "function f(){ var o = {}; return eval(o) === o } print(f())", "true"),
    ("no argument", "print(eval())", "undefined"),
    ("optional call is indirect", "function f(){ var x = 1; try { return eval?.('x') } catch (e) { return e.name } }"
                                  " print(f())", "ReferenceError"),
    ("shadowed eval", "function f(){ var eval = function(s){ return 'mine ' + s }; return eval('x') } print(f())",
     "mine x"),
    ("completion value", "function f(){ return eval('1; 2; if (true) {}') } print(f())", "undefined"),
    ("completion of loop", "function f(){ return eval('var i = 0; while (i < 3) i++;') } print(f())", "2"),
    ("recursion keeps completions apart", "function f(n){ return eval('n ? 10 + f(n - 1) : 0') } print(f(3))", "30"),
    ("syntax error", "try { eval('var 1') } catch (e) { print(e.name, e instanceof SyntaxError) }",
     "SyntaxError true"),
    ("in generator", "function* g(){ var a = 1; yield eval('a + 1') } print(g().next().value)", "2"),
    ("annex B function in eval", "function f(){ eval('{ function bf(){} }'); return typeof bf } print(f())",
     "function"),
    # in a parameter list the parameters (and `arguments`) may not be redeclared; the body's lets are not in sight
    ("param eval declares arguments", "function f(p = eval('var arguments = 1')) {} "
                                      "try { f() } catch (e) { print(e.name) }", "SyntaxError"),
    ("param eval redeclares a parameter", "function f(a, p = eval('var a')) {} try { f() } catch (e) { print(e.name) }",
     "SyntaxError"),
    ("arrow param eval declares arguments", "var f = (p = eval('var arguments = 5')) => arguments; print(f())", "5"),
    ("param eval var is not the body's", "var f = (p = eval('var arguments = 1'), q = () => arguments) => "
                                         "{ var arguments = 2; return [arguments, q()] }; print(f())", "2,1"),
    ("param eval var seen by the body", "function f(p = eval('var z2 = 5')) { return z2 } print(f())", "5"),
    ("param eval ignores body lets", "function f(p = eval('var z = 5')) { let w = 1; return z } print(f())", "5"),
    ("async param eval rejects", "async function f(p = eval('var arguments')) {} f().catch(e => print(e.name))",
     "SyntaxError"),
    # indirect eval is global code
    ("indirect strict keeps its vars", "(0, eval)(\"'use strict'; var iv = 1; function ivf(){}\");"
                                       " print(typeof iv, typeof ivf)", "undefined undefined"),
    ("indirect var is configurable", "(0, eval)('var iv2 = 1'); print(delete iv2)", "true"),
    ("indirect on non-extensible global", "Object.preventExtensions(globalThis); "
                                          "try { (0, eval)('var nx') } catch (e) { print(e.name) }", "TypeError"),
    ("indirect function over non-writable", "Object.defineProperty(globalThis, 'nw', {value: 1, enumerable: true}); "
                                            "try { (0, eval)('function nw(){}') } catch (e) { print(e.name) }",
     "TypeError"),
    ("typeof declared later", "function f(){ var r = typeof late; eval('var late = 1'); return r + typeof late }"
                              " print(f())", "undefinednumber"),
]


@pytest.mark.parametrize("name,src,want", CASES, ids=[c[0] for c in CASES])
def test_direct_eval(name: str, src: str, want: str) -> None:
    assert run_snippet(src) == want


def test_eval_var_object_is_not_reachable() -> None:
    # a function found on the var object is called with this = undefined (the global object in sloppy code)
    src = "function f(){ eval('function g(){ return this }'); return g() === globalThis } print(f())"
    assert run_snippet(src) == "true"


def test_functions_without_eval_keep_their_shape() -> None:
    from voxsim.engine.parser import parse_script
    from voxsim.engine.scope import analyze
    program = parse_script("function f(a){ var b = a; { let c = b; return () => c } }")
    an = analyze(program)
    fs = an.scope_of(program.body[0])
    assert fs is not None and fs.dyn is None and "arguments" not in fs.specials and not an.direct_evals
