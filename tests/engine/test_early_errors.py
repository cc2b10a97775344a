"""Early errors: programs that parse but must be rejected, and their valid neighbours."""

from __future__ import annotations

import pytest

from voxsim.engine.errors import JSSyntaxError
from voxsim.engine.parser import parse_script

INVALID = [
    ("let a; let a;", "already been declared"),
    ("let a; var a;", "already been declared"),
    ("const a = 1; function a() {}", "already been declared"),
    ("{ let a; { var a; } }", "already been declared"),
    ("function f(a) { let a; }", "already been declared"),
    ("try {} catch (e) { let e; }", "already been declared"),
    ("for (let i = 0;;) { var i; }", "already been declared"),
    ("switch (x) { case 1: let y; case 2: let y; }", "already been declared"),
    ("let let = 1;", "let"),
    ("const a;", None),
    ("1 = 2;", "Invalid left-hand side"),
    ("a + b = c;", None),
    ("++a.b();", "Invalid left-hand side"),
    ("({a: 1} = b);", None),
    ("[...a, b] = c;", "Rest element"),
    ("({a = 1});", "shorthand property initializer"),
    ("x = {__proto__: 1, __proto__: 2};", "__proto__"),
    ("'use strict'; var x = 010;", "Octal"),
    ("'use strict'; x = '\\07';", "Octal"),
    ("function f() { 'use strict'; delete x; }", "Delete of an unqualified identifier"),
    ("'use strict'; with (a) {}", "with"),
    ("'use strict'; eval = 1;", "eval or arguments"),
    ("'use strict'; var interface;", "reserved word"),
    ("'use strict'; function f(a, a) {}", "already been declared"),
    ("(a, a) => 1;", "already been declared"),
    ("function f(a = 1) { 'use strict'; }", "non-simple parameter"),
    ("break;", "Illegal break"),
    ("continue;", "Illegal continue"),
    ("while (1) { function f() { break; } }", "Illegal break"),
    ("a: while (1) { continue b; }", "Undefined label"),
    ("a: { continue a; }", "continue"),
    ("a: a: ;", "already been declared"),
    ("return 1;", "Illegal return"),
    ("function f() { await x; }", "await is only valid"),
    ("async function f() { var await; }", "await"),
    ("function* g() { var yield; }", "yield"),
    ("function* g(a = yield) {}", "yield"),
    ("new.target;", "new.target"),
    ("function f() { super.x; }", "super"),
    ("class A { constructor() { super(); } }", "super"),
    ("class A { #a; #a; }", "already been declared"),
    ("class A { m() { this.#b; } }", "must be declared"),
    ("class A { constructor() {} constructor() {} }", "only have one constructor"),
    ("class A { get constructor() {} }", "special method"),
    ("x = /a/gg;", "flags"),
    ("if (1) let x = 1;", None),
    ("for (const x of y) { let x; var x; }", "already been declared"),
    ("label: function* g() {}", None),
    ("\\u0069f (x) {}", "escaped"),
    ("`\\unicode`", "Invalid escape"),
    ("(a ?? b || c);", "Cannot mix"),
    ("while (1) l: function f() {}", "labelled function"),
    ("((a)) => 1;", "arrow function parameters"),
    ("for (let.a of b);", "let"),
    ("function f() { 'use strict'; ({ 021: 1 }); }", "Octal"),
    ("-a ** 2;", "exponentiation"),
]

VALID = [
    "var a; var a;",
    "function f() {} function f() {}",
    "{ let a; } { let a; }",
    "let a; { let a; }",
    "try {} catch (e) { var e; }",
    "var x = 010; x = '\\07';",
    "function f(a, a) {}",
    "a: while (1) { continue a; }",
    "a: { break a; }",
    "class A extends B { constructor() { super(); } m() { return super.m(); } }",
    "class A { #a; static #b() {} get #c() {} set #c(v) {} m() { return this.#a + A.#b(); } }",
    "({ m() { return super.x; } });",
    "function f() { return () => new.target; }",
    "async function f() { await x; for await (const y of z) {} }",
    "function* g() { yield 1; yield* h(); }",
    "tag`\\unicode`;",
    "(a ?? b) || c;",
    "(-a) ** 2;",
    "({a = 1} = {});",
    "[a, ...b] = c;",
    "x = {__proto__: 1, ['__proto__']: 2, __proto__() {}};",
    "var yield, await, let, static, async, get, set, of;",
    "async = 1; get = 2; set = 3; of = 4;",
    "x = { get: 1, set: 2, async: 3, static: 4, await: 5, if: 6, class: 7 };",
    "class A { static async *m() {} static get x() {} 'constructor'() {} static constructor() {} }",
]


REGEX_LITERALS = [
    ("/(?<a>x)(?<a>y)/;", "Duplicate capture group name"),
    ("if (false) { /a{2,1}/; }", "out of order"),
    ("/\\k<nope>(?<a>x)/;", "named capture"),
    ("/(?<1a>x)/;", "capture group name"),
    ("/+/;", None),
    ("/[b-a]/;", None),
    ("/\\p{NotAProperty}/u;", None),
    ("/a{1}?*/;", None),
    ("function f() { return /(/; }", None),
]
INVALID += REGEX_LITERALS
# `await` is reserved in class static blocks (up to a function boundary; arrow parameters are inside)
STATIC_BLOCK_AWAIT = [
    ("class C { static { await: 0; } }", "await"),
    ("class C { static { ({ await }); } }", "await"),
    ("class C { static { (await => 0); } }", "await"),
    ("class C { static { (class await {}); } }", "await"),
    ("class C { static { function await() {} } }", "await"),
    ("class C { static { let await; } }", "await"),
]
INVALID += STATIC_BLOCK_AWAIT
# a private getter/setter pair must agree on static-ness
INVALID += [("class C { static set #f(v) {} get #f() {} }", "already been declared"),
            ("class C { get #f() {} get #f() {} }", "already been declared"),
            ("class C { #x; m() { super.#x; } }", "private name")]
VALID_STATIC_BLOCK_AWAIT = [
    "class C { static { (() => ({ await })); } }", "class C { static { (() => { class await {} }); } }",
    "class C { static { (function await(await) {}); } }", "class C { static { (function * await (await) {}); } }",
    "class C { static get #f() {} static set #f(v) {} }", "class C { get #f() {} set #f(v) {} }",
    "var await; class C { m() { await; } }",
]


@pytest.mark.parametrize("src", VALID_STATIC_BLOCK_AWAIT)
def test_valid_static_block_await(src: str) -> None:
    parse_script(src)
VALID_REGEX_LITERALS = ["/(?<a>x)|(?<b>y)/;", "/\\k<a>/;", "/a{2,1/;", "/]/;", "/(?<\\u{31350}>x)/u;", "/\\p{L}/u;"]


@pytest.mark.parametrize("src", VALID_REGEX_LITERALS)
def test_valid_regex_literals(src: str) -> None:
    parse_script(src)


@pytest.mark.parametrize("src, message", INVALID)
def test_invalid(src: str, message: str | None) -> None:
    with pytest.raises(JSSyntaxError) as info:
        parse_script(src)
    if message:
        assert message.lower() in info.value.message.lower(), info.value.message


@pytest.mark.parametrize("src", VALID)
def test_valid(src: str) -> None:
    parse_script(src)


def test_strictness_is_propagated() -> None:
    program = parse_script("'use strict'; function f() { return function g() {} }; class C { m() {} }")
    f = program.body[1]
    assert f.strict and f.body.body[0].argument.strict
    assert program.body[3].body.body[0].value.strict  # class bodies are strict code
    sloppy = parse_script("function f() { 'use strict'; } function g() {}")
    assert sloppy.body[0].strict and not sloppy.body[1].strict and not sloppy.strict


def test_error_points_at_the_offending_name() -> None:
    with pytest.raises(JSSyntaxError) as info:
        parse_script("let a = 1;\nlet a = 2;", "dup.js")
    assert (info.value.line, info.value.column) == (2, 5)
    assert str(info.value).startswith("dup.js:2:5: SyntaxError: Identifier 'a' has already been declared")


@pytest.mark.parametrize(
    "src",
    [
        "var yield = 1; yield => 1; ({a: yield} = b);",
        "function* g() { yield 1; const f = x => yield; }",  # an arrow body inside a generator: yield is a name
        "function f() { var await = 1; return await(2); }",
        "async function f() { const g = async () => await 1; return await g(); }",
        "var o = { *g() { yield 1 }, async m() { await 1 } }; class A { async *m() { yield await 1 } }",
    ],
)
def test_yield_and_await_follow_the_function_context(src: str) -> None:
    parse_script(src)


@pytest.mark.parametrize("src", ["async function f() { y => await z }", "function* g() { function h() {} yield\n* 2 }"])
def test_yield_and_await_context_errors(src: str) -> None:
    with pytest.raises(JSSyntaxError):
        parse_script(src)


@pytest.mark.parametrize(
    "src",
    [
        "class C { static { ({ await: 0, arguments: 1 }); x.arguments; } }",
        "async function await() {} await instanceof Function;",
        "let async; for (\\u0061sync of [7]);",
        "async function f() { for await (async of [7]); }",
        "x = 0x0_0 + 0xE_E + 1_0e1_0;",
        "var ZW_\\u200C_NJ, \\u2118;",
    ],
)
def test_valid_edge_cases_from_test262(src: str) -> None:
    parse_script(src)


@pytest.mark.parametrize("src", ["for ({...rest,} of [{}]);", "({...a,} = b);", "class C { static { arguments; } }"])
def test_invalid_edge_cases_from_test262(src: str) -> None:
    with pytest.raises(JSSyntaxError):
        parse_script(src)
