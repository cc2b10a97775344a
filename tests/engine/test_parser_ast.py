"""The AST node classes: fields, slots, positions and ESTree output."""

from voxsim.engine import ast


def test_every_node_has_slots_and_positions() -> None:
    assert len(ast.NODE_TYPES) >= 60
    for name, cls in ast.NODE_TYPES.items():
        node = cls()
        assert not hasattr(node, "__dict__"), name
        assert (node.start, node.end, node.line, node.column, node.end_line, node.end_column) == (0,) * 6
        assert node.to_estree()["type"] == name


def test_fields_and_estree_names() -> None:
    fn = ast.FunctionExpression(None, [], ast.BlockStatement([]), False, True, False)
    assert fn.async_ is True
    d = fn.to_estree()
    assert d["async"] is True and "strict" not in d and d["expression"] is False
    loop = ast.ForOfStatement(ast.Identifier("x"), ast.Identifier("y"), ast.EmptyStatement(), await_=True)
    assert loop.to_estree()["await"] is True
    cls = ast.ClassExpression(None, ast.Identifier("B"), ast.ClassBody([]))
    assert cls.to_estree()["superClass"] == {"type": "Identifier", "name": "B"}


def test_literal_estree() -> None:
    lit = ast.Literal(ast.RegExpLiteral("a+", "g"), "/a+/g")
    assert lit.to_estree()["regex"] == {"pattern": "a+", "flags": "g"}
    big = ast.Literal(ast.BigIntLiteral("10"), "10n")
    assert big.to_estree()["bigint"] == "10"
    tpl = ast.TemplateElement(ast.TemplateValue(None, "\\u"), True)
    assert tpl.to_estree()["value"] == {"cooked": None, "raw": "\\u"}


def test_positions_and_equality() -> None:
    a = ast.Identifier("a", start=1, end=2, line=1, column=1, end_line=1, end_column=2)
    b = ast.Identifier("a")
    assert a == b and a != ast.Identifier("b")
    assert a.to_estree(positions=True)["range"] == [1, 2]
    assert ast.ExpressionStatement(a).to_estree().keys() == {"type", "expression"}
