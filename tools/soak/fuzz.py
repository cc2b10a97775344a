"""Mutation and generation fuzzing of the engine: parse, compile and run with a small budget.

Why: scenario code is untrusted and voxsim sits in CI; the only exceptions that may leave the engine are the
documented ones (JSSyntaxError from parsing, JSThrow from running, BudgetExceeded when a task runs away). Anything
else — an IndexError in the parser, an AttributeError in the compiler, a hang — is a bug, and each is reported with
the source that triggers it so it can be replayed.

Cases are deterministic from ``seed``: case ``i`` uses ``random.Random(seed * 1_000_003 + i)``.
"""

from __future__ import annotations

import random
import signal
import traceback
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Callable, Iterator

from voxsim.engine.budget import Budget
from voxsim.engine.errors import BudgetExceeded, JSSyntaxError, JSThrow
from voxsim.engine.parser import parse_script
from voxsim.engine.realm import Realm

__all__ = ["FuzzResult", "Failure", "run_fuzz", "check_source", "generate_program", "mutate", "bundled_sources",
           "ALLOWED"]

ALLOWED = (JSSyntaxError, JSThrow, BudgetExceeded)

# Fragments inserted by the mutator: keywords, punctuators, literals and whole constructs that stress corners.
TOKENS = [
    "var", "let", "const", "function", "async", "await", "yield", "class", "extends", "super", "new", "this",
    "return", "if", "else", "for", "of", "in", "while", "do", "break", "continue", "switch", "case", "default",
    "try", "catch", "finally", "throw", "get", "set", "static", "typeof", "delete", "void", "null", "true", "false",
    "x", "y", "e", "arguments", "eval", "#p", "0", "-0", "1.5e3", "0x1F", "1_0", "10n", "NaN", "Infinity", "'s'",
    '"d\\n"', "`t${1}`", "/re/g", "/(a+)+$/", "(", ")", "[", "]", "{", "}", ";", ",", ".", "...", "?.", "?", "??",
    ":", "=", "=>", "+", "-", "*", "**", "%", "++", "--", "<", ">>>", "===", "!", "~", "&&", "||=", "\n", " ",
    "// c\n", "/* c */", "'use strict';", "function*(){yield 1}", "async()=>{await 0}", "new Proxy({}, {})",
    "Symbol.iterator", "Object.defineProperty", "Reflect.ownKeys(this)", "JSON.parse('[1,{}]')", "[...'ab']",
    "Array(5)", "new Promise(r=>r())", "Promise.resolve().then(()=>{})", ".prototype", "__proto__", "constructor",
    "toString", "valueOf", "length", "{a:1,...{b:2}}", "({x}) => x", "class A { #p = 1; static { } }",
    "label:", "String.fromCharCode(0xD800)", "'\\uD83D'", "Number.MAX_VALUE", "1e400", "new Date(NaN)",
]

_EXPR_ATOMS = [
    "x", "y", "o", "a", "f", "0", "1", "-1", "0.5", "NaN", "Infinity", "null", "undefined", "true", "''", "'ab'",
    "[]", "[1,2,3]", "{}", "{a: 1, b: 'x'}", "this", "Symbol()", "10n", "/a|b/g", "new Map()", "new Set([1])",
    "Object.create(null)", "new Error('m')", "function(){ return x }", "(p => p)", "class {}",
]
_BINOPS = ["+", "-", "*", "/", "%", "**", "==", "===", "!=", "<", ">=", "<<", ">>>", "&", "|", "^", "&&", "||", "??",
           "in", "instanceof", ","]
_SPREADS = ['a', '[x]', "'st'", 'new Set(a)']
_UNOPS = ["!", "-", "+", "~", "typeof ", "void ", "delete "]
_METHODS = ["toString()", "valueOf()", "length", "map(f)", "join('-')", "slice(1)", "concat(a)", "keys()",
            "at(-1)", "split('')", "indexOf(x)", "then(f)", "sort()", "reverse()", "flat(2)", "padStart(3)",
            "charCodeAt(0)", "toFixed(2)", "push(x)", "pop()", "includes(1)", "entries()", "trim()", "normalize()",
            "replace(/a/g, '$&$1')", "match(/(b)/)", "localeCompare('a')", "repeat(2)", "fill(0)", "findLast(f)"]
_GLOBALS = ["Math.max(x, y)", "Math.floor(x)", "JSON.stringify(o)", "JSON.parse('{\"k\":[1]}')", "Object.keys(o)",
            "Object.assign({}, o)", "Object.freeze(a)", "Array.from('abc')", "Array.of(1, 2)", "String(x)",
            "Number(y)", "parseInt('12px')", "Number.isInteger(x)", "Reflect.has(o, 'a')", "Object.entries(o)",
            "new Date(0).toISOString()", "Date.now()", "encodeURIComponent('a b')", "Promise.all([1, x])",
            "Object.getOwnPropertyNames(o)", "Symbol.for('k')", "BigInt(3)", "Math.random()", "isNaN(x)",
            "structuredClone", "globalThis", "new Proxy(o, {get(){ return 1 }})", "Reflect.ownKeys(a)"]


def _expr(rng: random.Random, depth: int) -> str:
    if depth <= 0:
        return rng.choice(_EXPR_ATOMS)
    k = rng.randrange(11)
    sub = lambda: _expr(rng, depth - 1)  # noqa: E731
    if k == 0:
        return f"({sub()} {rng.choice(_BINOPS)} {sub()})"
    if k == 1:
        return f"{rng.choice(_UNOPS)}{sub()}"
    if k == 2:
        return f"({sub()}).{rng.choice(_METHODS)}"
    if k == 3:
        return rng.choice(_GLOBALS)
    if k == 4:
        return f"({sub()} ? {sub()} : {sub()})"
    if k == 5:
        return f"[{sub()}, ...{rng.choice(_SPREADS)}]"
    if k == 6:
        return f"(({rng.choice(['p', '...r', '{a}', '[q]', 'p = 1'])}) => ({sub()}))({sub()})"
    if k == 7:
        return f"`${{{sub()}}}-${{{sub()}}}`"
    if k == 8:
        return f"{{k: {sub()}, [{sub()}]: 1, m() {{ return {sub()} }}, get g() {{ return 1 }}}}"
    if k == 9:
        return f"{rng.choice(['o', 'a', 'f'])}?.[{sub()}]"
    return f"new ({rng.choice(['Array', 'Map', 'Set', 'Error', 'Date', 'RegExp', 'Object', 'String'])})({sub()})"


_ITERABLES = ["a", "[1,2]", "new Set(a)", "Object.keys(o)", "String(x)", "new Map([[1, 2]])", "'ab'"]
_REGEXES = ["/(a)|b/g", "/(?<n>\\d+)-\\k<n>/u", "/^[\\w.]+$/m", "/a(?=b)/y", "/[^]*?x/s", "/\\p{L}+/u", "/(?:)/g",
            "/(a+)+$/", "/[a-z]{2,}/gi", "/\\bb/d"]
_WITH_OBJECTS = ["o", "{a: 2, x: 3}", "a", "{[Symbol.unscopables]: {a: true}, a: 1}", "Object.create(o)"]
_EVAL_SOURCES = ["'x + 1'", "'var ev = x; ev'", "'(function(){ return this })()'", "'y = o; typeof y'",
                 "'let q = 1; q'", "'arguments'", "'new.target'", "'({a: 1}).a'", "'1;;2'", "'throw 1'"]


def _family(rng: random.Random, k: int, e: Callable[[], str], body: Callable[[], str]) -> str:
    """Statements for the language families the plain grammar above rarely reaches."""
    it = lambda: rng.choice(_ITERABLES)  # noqa: E731
    if k == 0:
        return f"{{ function* gen(p) {{ const got = yield {e()}; yield* {it()}; return got ?? {e()}; }} " \
               f"const gi = gen(1); y = gi.next(); y = gi.next({e()}); y = [...gen(2)]; " \
               f"y = gi.{rng.choice(['return(1)', 'throw(2)', 'next()'])}; }}"
    if k == 1:
        return f"(async () => {{ async function* ag() {{ yield {e()}; yield* {it()}; yield await {e()}; }} " \
               f"for await (const v of ag()) {{ y = v; {body()} }} }})();"
    if k == 2:
        return f"outer: for (let i = 0; i < 3; i++) {{ inner: for (const v of {it()}) {{ " \
               f"if ({e()}) continue outer; if ({e()}) break outer; if ({e()}) continue inner; {body()} }} }}"
    if k == 3:
        return f"{{ const gs = {{ get p() {{ return {e()} }}, set p(v) {{ x = v }}, get [{e()}]() {{ return 1 }} }}; " \
               f"gs.p = {e()}; y = gs.p; Object.defineProperty(o, 'q', {{ get() {{ return {e()} }}, " \
               f"set(v) {{ y = v }}, configurable: true }}); o.q = 1; y = o.q; }}"
    if k == 4:
        tgt = rng.choice(['o', 'a', 'f', '{}', 'Object.freeze({k: 1})'])
        reflect = f"Reflect.set({tgt}, 'k', {e()}); y = Reflect.get({tgt}, 'k'); y = Reflect.has({tgt}, 'k'); " \
                  f"y = Reflect.defineProperty({tgt}, 'd', {{value: {e()}, writable: false}}); " \
                  f"y = Reflect.getOwnPropertyDescriptor({tgt}, 'd'); y = Reflect.ownKeys({tgt}); " \
                  f"y = Reflect.deleteProperty({tgt}, 'k'); y = Reflect.getPrototypeOf({tgt}); " \
                  f"y = Reflect.apply(f, null, [{e()}]); y = Reflect.construct(Array, [{e()}]); "
        if rng.random() < 0.5:  # the engine has no Proxy yet: keep most of these cases on Reflect
            return f"{{ {reflect}}}"
        return f"{{ {reflect}const pr = new Proxy({rng.choice(['o', 'a', 'f', '{}', 'function(){}'])}, {{ " \
               f"get(t, k, r) {{ return k === 'z' ? {e()} : Reflect.get(t, k, r) }}, " \
               f"set(t, k, v, r) {{ return Reflect.set(t, k, v, r) }}, has(t, k) {{ return {e()} }}, " \
               f"deleteProperty(t, k) {{ return Reflect.deleteProperty(t, k) }}, " \
               f"ownKeys(t) {{ return Reflect.ownKeys(t) }}, apply(t, th, args) {{ return {e()} }}, " \
               f"getOwnPropertyDescriptor(t, k) {{ return Reflect.getOwnPropertyDescriptor(t, k) }}, " \
               f"defineProperty(t, k, d) {{ return Reflect.defineProperty(t, k, d) }} }}); " \
               f"pr.k = {e()}; y = pr.z; y = 'a' in pr; delete pr.k; y = Object.keys(pr); y = {{...pr}}; " \
               f"y = Reflect.has(pr, 'k'); y = Reflect.ownKeys(pr); y = pr(); }}"
    if k == 5:
        return f"{{ const tag = (s, ...v) => s.raw.join('|') + s.length + v.length; " \
               f"y = tag`a${{{e()}}}b\\n${{{e()}}}`; y = String.raw`x\\y${{{e()}}}`; " \
               f"y = ((s) => s)`\\unicode` === undefined; }}"
    if k == 6:
        r = rng.choice(_REGEXES)
        return f"{{ const re = {r}; y = re.exec(String({e()})); y = String({e()}).replace(re, '$1-$&-$<n>'); " \
               f"y = re.test({e()}); y = String({e()}).split(re); y = [...String({e()}).matchAll(/a/g)]; " \
               f"y = re.lastIndex; y = re.flags + re.source; }}"
    if k == 7:
        return f"{{ class K {{ static #c = {e()}; static s; static {{ K.s = K.#c; {body()} }} " \
               f"get v() {{ return {e()} }} set v(z) {{ this._v = z }} static #m() {{ return 1 }} " \
               f"static m() {{ return K.#m() + super.toString() }} }} " \
               f"const kk = new K(); kk.v = {e()}; y = kk.v; y = K.s; y = K.m(); }}"
    if k == 8:
        return f"with ({rng.choice(_WITH_OBJECTS + [e()])}) " \
               f"{{ y = a; x = {e()}; {body()} }}"
    return f"y = {rng.choice(['eval', '(0, eval)'])}({rng.choice(_EVAL_SOURCES)});"


def _stmt(rng: random.Random, depth: int) -> str:
    e = lambda: _expr(rng, rng.randrange(4))  # noqa: E731
    body = lambda: _stmt(rng, depth - 1) if depth > 0 else f"({e()});"  # noqa: E731
    k = rng.randrange(24)
    if k >= 14:
        return _family(rng, k - 14, e, body)
    if k == 0:
        return f"x = {e()};"
    if k == 1:
        return f"if ({e()}) {{ {body()} }} else {{ {body()} }}"
    if k == 2:
        return f"for (let i = 0; i < {rng.randrange(5)}; i++) {{ {body()} }}"
    if k == 3:
        return f"for (const v of {rng.choice(['a', '[1,2]', 'new Set(a)', 'Object.keys(o)', 'String(x)'])}) {{ {body()} }}"
    if k == 4:
        return f"try {{ {body()} }} catch (err) {{ y = String(err); }} finally {{ o.done = 1; }}"
    if k == 5:
        return f"function g{rng.randrange(3)}(p, ...r) {{ {body()} return {e()}; }}"
    if k == 6:
        return f"o[{e()}] = {e()};"
    if k == 7:
        return f"a.push({e()});"
    if k == 8:
        return f"switch ({e()}) {{ case 1: {body()} break; default: {body()} }}"
    if k == 9:
        return f"(async () => {{ y = await {e()}; {body()} }})();"
    if k == 10:
        return f"{{ class C extends {rng.choice(['Object', 'Array', 'Error', 'null'])} {{ " \
               f"#v = {e()}; m() {{ return this.#v }} static s = {e()}; }} y = new C().m(); }}"
    if k == 11:
        return f"{{ const [{rng.choice(['p1', 'p1 = 2', '...p2'])}] = {rng.choice(['a', '[x]', 'String(x)'])}; {body()} }}"
    if k == 12:
        return f"while ({e()}) {{ {body()} break; }}"
    return f"throw {e()};" if rng.random() < 0.2 else f"y = {e()};"


def generate_program(rng: random.Random) -> str:
    """A random, mostly valid program over a few shared variables (x, y, o, a, f)."""
    head = "var x = 1, y = 'two', o = {a: 1}, a = [1, 'b', null], f = v => v;\n"
    return head + "\n".join(_stmt(rng, rng.randrange(3)) for _ in range(rng.randrange(1, 8)))


def mutate(rng: random.Random, src: str, edits: int | None = None) -> str:
    """Delete, insert, replace, duplicate or swap small pieces of ``src``."""
    for _ in range(edits if edits is not None else rng.randrange(1, 6)):
        if not src:
            src = rng.choice(TOKENS)
            continue
        i = rng.randrange(len(src))
        j = min(len(src), i + rng.randrange(1, 16))
        op = rng.randrange(5)
        if op == 0:
            src = src[:i] + src[j:]
        elif op == 1:
            src = src[:i] + rng.choice(TOKENS) + src[i:]
        elif op == 2:
            src = src[:i] + rng.choice(TOKENS) + src[j:]
        elif op == 3:
            src = src[:j] + src[i:j] + src[j:]
        else:
            k = rng.randrange(len(src))
            src = src[:i] + src[k:k + (j - i)] + src[j:]
    return src


def bundled_sources() -> list[str]:
    """The bundled scenarios plus the engine's snippet tests (if present): the seeds of mutation."""
    out: list[str] = []
    root = resources.files("voxsim.scenarios")
    out += [p.read_text(encoding="utf-8") for p in sorted(root.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".js")]
    return out


@dataclass
class Failure:
    """One case that raised something other than the documented exceptions (or hung)."""

    case: int
    stage: str
    error: str
    source: str
    trace: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.case, "stage": self.stage, "error": self.error, "source": self.source,
                "trace": self.trace}


@dataclass
class FuzzResult:
    cases: int = 0
    failures: list[Failure] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)

    def as_dict(self, max_examples: int = 10) -> dict[str, Any]:
        return {"cases": self.cases, "failures": len(self.failures), "outcomes": dict(self.stages),
                "examples": [f.as_dict() for f in self.failures[:max_examples]]}


class _Hang(BaseException):
    """Raised by the watchdog alarm; a BaseException so JS try/catch and engine handlers let it through."""


def _budget() -> Budget:
    return Budget(max_steps=20_000, max_depth=120, max_string_length=1 << 16, max_array_length=1 << 16)


def check_source(src: str, realm: Realm | None = None, run: bool = True) -> str:
    """Parse, compile and run ``src``; return the outcome ("syntax", "throw", "budget", "ok").

    Any other exception propagates: that is a fuzz failure.
    """
    try:
        parse_script(src, "fuzz.js")
    except JSSyntaxError:
        return "syntax"
    if not run:
        return "ok"
    realm = realm or Realm(budget=_budget())
    try:
        script = realm.compile_script(src, "fuzz.js")
    except JSSyntaxError:
        return "syntax"
    try:
        realm.run_task(script.run)
    except JSThrow:
        return "throw"
    except BudgetExceeded:
        return "budget"
    return "ok"


def _cases(seed: int, n: int, seeds: list[str]) -> Iterator[tuple[int, str]]:
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        kind = i % 3
        if kind == 0:
            src = mutate(rng, rng.choice(seeds))
        elif kind == 1:
            src = generate_program(rng)
        else:
            src = mutate(rng, generate_program(rng), rng.randrange(1, 3))
        yield i, src


def run_fuzz(cases: int, seed: int = 0, realm_every: int = 200, case_timeout_s: float = 10.0,
             progress: Callable[[int, int], None] | None = None) -> FuzzResult:
    """Run ``cases`` fuzz cases; a fresh realm every ``realm_every`` cases (cases may tamper with built-ins).

    A case taking more than ``case_timeout_s`` (wall clock, SIGALRM; main thread only) counts as a hang failure.
    """
    result = FuzzResult()
    seeds = bundled_sources()
    realm: Realm | None = None
    use_alarm = hasattr(signal, "setitimer")
    old = None
    if use_alarm:
        def on_alarm(signum: int, frame: Any) -> None:
            raise _Hang()
        try:
            old = signal.signal(signal.SIGALRM, on_alarm)
        except ValueError:  # not the main thread
            use_alarm = False
    try:
        for i, src in _cases(seed, cases, seeds):
            if realm is None or i % realm_every == 0:
                realm = Realm(budget=_budget())
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, case_timeout_s)
            try:
                outcome = check_source(src, realm)
            except _Hang:
                result.failures.append(Failure(i, "hang", f"no result within {case_timeout_s} s", src))
                realm = None
                outcome = "hang"
            except Exception as exc:  # noqa: BLE001 - this is what we look for
                result.failures.append(Failure(i, "run", f"{type(exc).__name__}: {exc}"[:300], src,
                                               "".join(traceback.format_exception(exc)[-6:])))
                realm = None
                outcome = "failure"
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            result.stages[outcome] = result.stages.get(outcome, 0) + 1
            result.cases += 1
            if progress is not None:
                progress(result.cases, len(result.failures))
    finally:
        if use_alarm and old is not None:
            signal.signal(signal.SIGALRM, old)
    return result
