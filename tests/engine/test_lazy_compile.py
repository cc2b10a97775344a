"""Lazy function compile: a script text compiled once already compiles its function bodies on first call.

The first compile of a text is eager (it raises every early error); later realms running the same text (the next
session of a scenario) must behave exactly as if they had compiled it eagerly."""

from __future__ import annotations

import random
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.engine.budget import Budget
from voxsim.engine.builtins.date import set_clock
from voxsim.engine.builtins.math import set_random_seed
from voxsim.engine.compiler.functions import FunctionCompiler
from voxsim.engine.errors import BudgetExceeded, JSSyntaxError, JSThrow
from voxsim.engine.realm import Realm
from voxsim.engine.script import run_snippet
from voxsim.tools.soak.fuzz import generate_program

KINDS = """
function add(a, b = 2) { return a + b; }
const arrow = (x) => x * 3;
function* gen(n) { for (let i = 0; i < n; i++) yield i; }
async function later(v) { return await v; }
class Base { #secret = 7; static tag = "base"; constructor(n) { this.n = n; } get secret() { return this.#secret; }
  static make(n) { return new this(n); } }
class Derived extends Base { constructor(n) { super(n + 1); } toString() { return `D${this.n}`; } }
function Legacy(x) { this.x = x; }
Legacy.prototype.twice = function () { return this.x * 2; };
function sloppy(a) { arguments[0] = 9; return a; }
const counter = (() => { let c = 0; return { next: () => ++c }; })();
function neverCalled() { return undefinedName.boom; }
label: for (const i of [1, 2]) { function inner() { return i; } if (inner() === 1) continue label; print("loop", inner()); }
print(add(1), add(1, 5), add.length, add.name, arrow(2), [...gen(3)].join());
print(Base.make(1).secret, Base.tag, String(new Derived(1)), new Derived(2) instanceof Base);
print(new Legacy(4).twice(), sloppy(1), counter.next(), counter.next(), typeof neverCalled, neverCalled.length);
print(String(arrow), String(Legacy.prototype.twice));
try { Base(); } catch (e) { print(e.constructor.name, e.message); }
try { new arrow(); } catch (e) { print(e.constructor.name); }
later(5).then((v) => print("later", v));
"""


def _count_bodies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of every function whose body compiles is appended to the returned list."""
    compiled: list[str] = []
    original = FunctionCompiler._compile_body

    def counting(self: FunctionCompiler, code: object, node: object, name: str, constructible: bool) -> None:
        compiled.append(name)
        original(self, code, node, name, constructible)  # type: ignore[arg-type]

    monkeypatch.setattr(FunctionCompiler, "_compile_body", counting)
    return compiled


def _unique(source: str) -> str:
    """A text no realm has compiled yet in this process (the compile cache is keyed by text)."""
    return f"{source}\n// {uuid.uuid4()}"


def test_a_text_compiled_again_runs_the_same_with_bodies_compiled_on_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    source = _unique(KINDS)
    compiled = _count_bodies(monkeypatch)
    eager = run_snippet(source)
    eager_bodies = len(compiled)
    compiled.clear()
    lazy = run_snippet(source)
    assert lazy == eager
    assert "later 5" in eager and "Uncaught" not in eager
    assert "neverCalled" not in compiled  # a body nothing calls is never compiled
    assert 0 < len(compiled) < eager_bodies


def test_a_function_made_again_keeps_one_compiled_body_per_realm(monkeypatch: pytest.MonkeyPatch) -> None:
    source = _unique("function make() { return (x) => x + 1; } const fs = [make(), make(), make()];"
                     "print(fs.map((f) => f(1)).join());")
    assert run_snippet(source) == "2,2,2"
    compiled = _count_bodies(monkeypatch)
    assert run_snippet(source) == "2,2,2"
    assert sorted(compiled) == ["", "", "make"]  # make, the arrow inside it (once for three closures), the map callback


def test_a_syntax_error_is_raised_by_every_compile_of_the_text() -> None:
    source = _unique("function ok() { return 1; }\nfunction bad() { return 1 +; }")
    for _ in range(2):
        with pytest.raises(JSSyntaxError):
            Realm().compile_script(source, "bad.js")


def _outcome(source: str) -> tuple[str, str]:
    realm = Realm(budget=Budget(max_steps=20_000, max_depth=120, max_string_length=1 << 16, max_array_length=1 << 16))
    set_random_seed(realm, 7)  # Math.random and Date.now the same in both realms
    set_clock(realm, lambda: 1.0e12)
    try:
        script = realm.compile_script(source, "gen.js")
    except JSSyntaxError as exc:
        return "syntax", str(exc)
    try:
        realm.run_task(script.run)
        kind = "ok"
    except JSThrow as exc:
        kind = f"throw {exc}"
    except BudgetExceeded as exc:
        kind = f"budget {type(exc).__name__}"
    look = realm.compile_script(
        "[x, y, o, a, f].map((v) => { try { return typeof v + ':' + String(v); } catch (e) { return 'unprintable'; } })"
        ".join('|')", "look.js")
    try:
        state = str(realm.run_task(look.run))
    except (JSThrow, BudgetExceeded) as exc:
        state = f"look failed: {type(exc).__name__}"
    return kind, state


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_generated_programs_behave_the_same_compiled_lazily(seed: int) -> None:
    source = _unique(generate_program(random.Random(seed)))
    assert _outcome(source) == _outcome(source)


def test_compile_bodies_compiles_the_top_level_functions_a_step_each(monkeypatch: pytest.MonkeyPatch) -> None:
    source = _unique("const on = {}; function handler(e) { const inner = () => e + 1; return inner(); }\n"
                     "on.alerting = (e) => handler(e) * 2; on.other = function named() { return 3; };\n"
                     "var result = on.alerting(1);")
    Realm().compile_script(source, "handlers.js")  # the first compile of a text is eager
    compiled = _count_bodies(monkeypatch)
    realm = Realm()
    script = realm.compile_script(source, "handlers.js")
    assert compiled == []
    steps = 0
    for _ in script.compile_bodies():
        steps += 1
        assert len(compiled) == steps  # one body per step
    assert sorted(compiled) == ["", "handler", "named"]  # the arrow assigned to a member has no name here
    assert list(script.compile_bodies()) == []  # nothing left
    realm.run_task(script.run)
    assert realm.global_object.get("result") == 4.0
    assert sorted(compiled) == ["", "", "handler", "named"]  # only the nested arrow compiled on its call
