"""Parser: source → AST shape, table-driven; plus the hard cases (regex vs division, ASI, templates, covers)."""

from __future__ import annotations

import pytest

from voxsim.engine import ast
from voxsim.engine.errors import JSSyntaxError
from voxsim.engine.parser import parse_script


def expr(src: str) -> ast.Node:
    program = parse_script(src)
    stmt = program.body[0]
    assert isinstance(stmt, ast.ExpressionStatement)
    return stmt.expression


def shape(node: object) -> object:
    """A compact form of an AST for comparisons: ESTree dicts without positions and raw texts."""
    if isinstance(node, ast.Node):
        node = node.to_estree()
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items() if k not in ("raw", "sourceType")}
    if isinstance(node, list):
        return [shape(v) for v in node]
    return node


@pytest.mark.parametrize(
    "src, check",
    [
        ("a / b / c", lambda e: e.type == "BinaryExpression" and e.left.type == "BinaryExpression"),
        ("x = /re/g", lambda e: e.right.value == ast.RegExpLiteral("re", "g")),
        ("a = b\n/hi/g.exec(c)", lambda e: e.right.type == "BinaryExpression"),
        ("(function () {} / 1)", lambda e: e.type == "BinaryExpression"),
        ("a = b\n(c)", lambda e: e.right.type == "CallExpression"),
        ("1 + 2 * 3 ** 2 ** 2", lambda e: e.right.right.right.type == "BinaryExpression"),
        ("a ?? b", lambda e: e.type == "LogicalExpression" and e.operator == "??"),
        ("a?.b.c", lambda e: e.type == "ChainExpression" and e.expression.object.optional),
        ("a?.[0]?.(1)", lambda e: e.expression.type == "CallExpression" and e.expression.optional),
        ("a ||= b", lambda e: e.type == "AssignmentExpression" and e.operator == "||="),
        ("[a, b] = [b, a]", lambda e: e.left.type == "ArrayPattern"),
        ("({a, b: {c = 1}, ...d} = o)", lambda e: e.left.properties[1].value.properties[0].value.type
         == "AssignmentPattern"),
        ("(a, b = 1, {c}, ...d) => a", lambda e: [p.type for p in e.params]
         == ["Identifier", "AssignmentPattern", "ObjectPattern", "RestElement"]),
        ("async x => await x", lambda e: e.async_ and e.body.type == "AwaitExpression"),
        ("async (x) => {}", lambda e: e.async_ and not e.expression),
        ("async(x)", lambda e: e.type == "CallExpression" and e.callee.name == "async"),
        ("`a${ {a: `${b}`} }c`", lambda e: e.expressions[0].properties[0].value.type == "TemplateLiteral"),
        ("tag`\\unicode`", lambda e: e.quasi.quasis[0].value == ast.TemplateValue(None, "\\unicode")),
        ("new.target", None),
        ("new a.b(c)", lambda e: e.type == "NewExpression" and e.callee.type == "MemberExpression"),
        ("new new A()()", lambda e: e.callee.type == "NewExpression"),
        ("'\\ud83d\\ude00' + '😀'", lambda e: e.left.value == e.right.value == "\ud83d\ude00"),
        ("1_000 + 0x1F + 0o17 + 0b11 + 10n", lambda e: e.right.value == ast.BigIntLiteral("10")),
        ("a.catch(b).finally(c)", lambda e: e.callee.property.name == "finally"),
    ],
)
def test_expressions(src: str, check: object) -> None:
    if src == "new.target":
        fn = parse_script("function f() { return new.target }").body[0]
        assert fn.body.body[0].argument.type == "MetaProperty"
        return
    assert check(expr(src)), src  # type: ignore[operator]


def test_simple_program_shape() -> None:
    program = parse_script("var a = 1;\nlet {b, ...c} = d;\n")
    assert shape(program) == {
        "type": "Program",
        "body": [
            {"type": "VariableDeclaration", "kind": "var", "declarations": [
                {"type": "VariableDeclarator", "id": {"type": "Identifier", "name": "a"},
                 "init": {"type": "Literal", "value": 1.0}}]},
            {"type": "VariableDeclaration", "kind": "let", "declarations": [
                {"type": "VariableDeclarator", "init": {"type": "Identifier", "name": "d"},
                 "id": {"type": "ObjectPattern", "properties": [
                     {"type": "Property", "key": {"type": "Identifier", "name": "b"},
                      "value": {"type": "Identifier", "name": "b"}, "kind": "init", "method": False,
                      "shorthand": True, "computed": False},
                     {"type": "RestElement", "argument": {"type": "Identifier", "name": "c"}}]}}]},
        ],
    }


def test_positions() -> None:
    program = parse_script("let x = 1;\n  foo(bar)")
    call = program.body[1].expression
    assert (call.line, call.column, call.end_line, call.end_column) == (2, 2, 2, 10)
    assert (call.start, call.end) == (13, 21)
    assert call.arguments[0].column == 6


@pytest.mark.parametrize(
    "src, types",
    [
        ("return_ = 1\nx", ["ExpressionStatement", "ExpressionStatement"]),
        ("a\n++b", ["ExpressionStatement", "ExpressionStatement"]),
        ("let x = 5\nlet y = 6", ["VariableDeclaration", "VariableDeclaration"]),
        ("{ 1\n2 } 3", ["BlockStatement", "ExpressionStatement"]),
        ("do x; while (0) y", ["DoWhileStatement", "ExpressionStatement"]),
        ("if (a) {} /re/.test(b)", ["IfStatement", "ExpressionStatement"]),
        ("function f(){}\n(x)", ["FunctionDeclaration", "ExpressionStatement"]),
        ("async\nfunction f(){}", ["ExpressionStatement", "FunctionDeclaration"]),
    ],
)
def test_asi(src: str, types: list[str]) -> None:
    assert [s.type for s in parse_script(src).body] == types


def test_restricted_productions() -> None:
    fn = parse_script("function f() { return\nx }").body[0]
    assert fn.body.body[0].argument is None and len(fn.body.body) == 2
    loop = parse_script("for(;;){ continue\nfoo }").body[0]
    assert loop.body.body[0].label is None
    with pytest.raises(JSSyntaxError):
        parse_script("throw\nx")
    with pytest.raises(JSSyntaxError):
        parse_script("var a = 1 var b = 2")
    with pytest.raises(JSSyntaxError):
        parse_script("if (x) y else z")
    with pytest.raises(JSSyntaxError):
        parse_script("x\n=> x")


def test_class_members() -> None:
    cls = parse_script(
        "class A extends B { static #x = 1; y; get z() { return 1 } set z(v) {} static { } async *g() {}"
        " constructor() { super() } static m() {} [k] = 2 }"
    ).body[0]
    kinds = [(m.type, getattr(m, "kind", None), getattr(m, "static", None)) for m in cls.body.body]
    assert kinds == [
        ("PropertyDefinition", None, True), ("PropertyDefinition", None, False), ("MethodDefinition", "get", False),
        ("MethodDefinition", "set", False), ("StaticBlock", None, None),
        ("MethodDefinition", "method", False), ("MethodDefinition", "constructor", False),
        ("MethodDefinition", "method", True), ("PropertyDefinition", None, False),
    ]
    assert cls.body.body[0].key.type == "PrivateIdentifier"
    assert cls.body.body[5].value.generator and cls.body.body[5].value.async_


def test_directives_and_strict() -> None:
    program = parse_script("'use strict'; function f() { 'use asm'; return 1 }")
    assert program.strict and program.body[0].directive == "use strict"
    assert program.body[1].body.body[0].directive == "use asm"
    assert not parse_script("('use strict')").strict


@pytest.mark.parametrize(
    "src, line, col",
    [
        ("var a = ;", 1, 9),
        ("let x = 1\nlet y = )", 2, 9),
        ("foo(\n  1 2)", 2, 5),
        ("`abc", 1, 1),
        ("'abc", 1, 1),
    ],
)
def test_error_positions(src: str, line: int, col: int) -> None:
    with pytest.raises(JSSyntaxError) as info:
        parse_script(src, "scenario.js")
    err = info.value
    assert (err.line, err.column) == (line, col)
    text = str(err)
    assert text.startswith(f"scenario.js:{line}:{col}: SyntaxError: ")
    assert "^" in text.splitlines()[-1]


def test_deep_nesting_is_a_syntax_error() -> None:
    for src in ("[" * 10000 + "]" * 10000, "(" * 10000 + "1" + ")" * 10000, "{" * 10000 + "}" * 10000):
        with pytest.raises(JSSyntaxError):
            parse_script("x = " + src if src[0] != "{" else src)


def test_long_chains_give_an_ast_or_a_syntax_error() -> None:
    for src in ["x = " + "1+" * 20000 + "1", "x = " + "a." * 20000 + "b", "x = " + "-" * 3000 + "1"]:
        try:
            parse_script(src)
        except JSSyntaxError:
            pass
    program = parse_script("x = " + "1 + " * 500 + "1")
    assert program.body[0].expression.right.type == "BinaryExpression"


@pytest.mark.parametrize(
    "src",
    [
        "({ async() {}, get() {}, set() {}, static() {}, of() {}, let() {}, await() {}, yield() {} })",
        "class A { async() {} static async() {} get() {} set() {} static() {} 'constructor'() {} }",
        "({ async, get, set, static: 1, of: 2 })",
        "class A { async\n m() {} get\n x() {} static\n y = 1 }",
        "x = { a: async (b) => b, c: async b => b, d: async function () {} }",
        "f(async (x) => x, async\n(y))",
    ],
)
def test_contextual_words_as_names(src: str) -> None:
    parse_script(src)


def test_contextual_word_roles() -> None:
    obj = parse_script("({ async() {} })").body[0].expression
    assert obj.properties[0].key.name == "async" and not obj.properties[0].value.async_
    cls = parse_script("class A { async\n m() {} }").body[0]
    assert [m.type for m in cls.body.body] == ["PropertyDefinition", "MethodDefinition"]
