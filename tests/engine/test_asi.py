"""Automatic semicolon insertion and the restricted productions, statement by statement."""

from __future__ import annotations

import pytest

from voxsim.engine.errors import JSSyntaxError
from voxsim.engine.parser import parse_script


def types(src: str) -> list[str]:
    return [s.type for s in parse_script(src).body]


@pytest.mark.parametrize(
    "src, expected",
    [
        ("a = 1\nb = 2", ["ExpressionStatement", "ExpressionStatement"]),
        ("a = 1\n\n\nb = 2\n", ["ExpressionStatement", "ExpressionStatement"]),
        ("let b = a\n/2/1", ["VariableDeclaration"]),  # division, not a regex
        ("a\n++b", ["ExpressionStatement", "ExpressionStatement"]),
        ("a\n--\nb", ["ExpressionStatement", "ExpressionStatement"]),
        ("x = 5\nreturn_value()", ["ExpressionStatement", "ExpressionStatement"]),
        ("var a = 1 // comment\nvar b", ["VariableDeclaration", "VariableDeclaration"]),
        ("var a = 1 /* multi\nline */ var b", ["VariableDeclaration", "VariableDeclaration"]),
        ("do {} while (false) foo()", ["DoWhileStatement", "ExpressionStatement"]),
        ("if (a) b\nelse c", ["IfStatement"]),
        ("class A { x = 1\n y = 2\n static z\n m() {} }", ["ClassDeclaration"]),
        ("a\n.b()\n.c()", ["ExpressionStatement"]),
        ("a\n?.b", ["ExpressionStatement"]),
        ("a = b\n`t`", ["ExpressionStatement"]),  # tagged template: no ASI
        ("a = b\n[c]", ["ExpressionStatement"]),  # member access: no ASI (as the spec says)
        ("const f = () => {}\nf()", ["VariableDeclaration", "ExpressionStatement"]),
        ("let x\nlet y", ["VariableDeclaration", "VariableDeclaration"]),
        ("var let\nlet = 1", ["VariableDeclaration", "ExpressionStatement"]),
    ],
)
def test_statement_boundaries(src: str, expected: list[str]) -> None:
    assert types(src) == expected


def test_restricted_productions_insert_semicolons() -> None:
    body = parse_script("function f() { return\n1 }").body[0].body.body
    assert [s.type for s in body] == ["ReturnStatement", "ExpressionStatement"] and body[0].argument is None
    loop = parse_script("outer: for (;;) { break\nouter }").body[0].body.body.body
    assert loop[0].label is None and loop[1].expression.name == "outer"
    gen = parse_script("function* g() { yield\n1 }").body[0].body.body
    assert gen[0].expression.argument is None
    body = parse_script("x\n++\ny").body
    assert body[1].expression.type == "UpdateExpression" and body[1].expression.prefix


@pytest.mark.parametrize(
    "src",
    [
        "throw\nnew Error()",
        "var a = 1 var b = 2",
        "if (a) b else c",
        "for (a\nb\nc) {}",
        "for (;\n) {}",
        "x\n=> 1",
        "async x\n=> x",
        "a b",
        "{ a b }",
        "if (a)\n",
    ],
)
def test_no_insertion(src: str) -> None:
    with pytest.raises(JSSyntaxError):
        parse_script(src)


def test_async_newline_rules() -> None:
    body = parse_script("async\nfunction f() {}").body
    assert [s.type for s in body] == ["ExpressionStatement", "FunctionDeclaration"]
    call = parse_script("async\n(x)").body[0].expression
    assert call.type == "CallExpression" and call.callee.name == "async"


def test_regex_or_division_after_tokens() -> None:
    assert types("if (x) /re/.test(y)")[0] == "IfStatement"
    stmt = parse_script("if (x) /re/.test(y)").body[0]
    assert stmt.consequent.expression.callee.object.value.pattern == "re"
    assert parse_script("x = a / b / c").body[0].expression.right.operator == "/"
    assert parse_script("x = (a) / 2").body[0].expression.right.type == "BinaryExpression"
    assert parse_script("x = a[0] / 2 / i").body[0].expression.right.left.type == "BinaryExpression"
    assert parse_script("{}\n/foo/").body[1].expression.value.pattern == "foo"
    assert parse_script("x = {} / 1").body[0].expression.right.type == "BinaryExpression"
    assert parse_script("x = y++ / 2").body[0].expression.right.left.type == "UpdateExpression"
    assert parse_script("x = typeof /re/").body[0].expression.right.argument.value.flags == ""
    assert parse_script("x = `${a}` / 2").body[0].expression.right.type == "BinaryExpression"
    assert parse_script("x = a /= 2").body[0].expression.right.operator == "/="
