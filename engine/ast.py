"""ESTree (ES2022, scripts) node classes: the contract between the parser and the compiler.

One class per ESTree node type, named as in ESTree; fields are the ESTree names in snake_case (``async`` → ``async_``,
``await`` → ``await_``, ``superClass`` → ``super_class``). Every node has ``__slots__`` and the positions ``start``,
``end`` (code-point offsets), ``line`` (1-based), ``column`` (0-based), ``end_line``, ``end_column``.
``to_estree()`` gives the ESTree dict so tests can compare with esprima-fork. See docs/engine.md "AST".
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "Node", "TemplateValue", "RegExpLiteral", "BigIntLiteral", "NODE_TYPES",
    # program, statements
    "Program", "ExpressionStatement", "BlockStatement", "StaticBlock", "EmptyStatement", "DebuggerStatement",
    "WithStatement", "ReturnStatement", "LabeledStatement", "BreakStatement", "ContinueStatement", "IfStatement",
    "SwitchStatement", "SwitchCase", "ThrowStatement", "TryStatement", "CatchClause", "WhileStatement",
    "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement",
    # declarations
    "FunctionDeclaration", "VariableDeclaration", "VariableDeclarator", "ClassDeclaration",
    # expressions
    "Identifier", "PrivateIdentifier", "Literal", "ThisExpression", "Super", "ArrayExpression", "ObjectExpression",
    "Property", "FunctionExpression", "ArrowFunctionExpression", "UnaryExpression", "UpdateExpression",
    "BinaryExpression", "AssignmentExpression", "LogicalExpression", "MemberExpression", "ChainExpression",
    "ConditionalExpression", "CallExpression", "NewExpression", "SequenceExpression", "YieldExpression",
    "AwaitExpression", "TemplateLiteral", "TaggedTemplateExpression", "TemplateElement", "SpreadElement",
    "ClassExpression", "ClassBody", "MethodDefinition", "PropertyDefinition", "MetaProperty", "ImportExpression",
    # patterns
    "ObjectPattern", "ArrayPattern", "RestElement", "AssignmentPattern",
]

_POSITIONS = ("start", "end", "line", "column", "end_line", "end_column")


def _camel(name: str) -> str:
    name = name.rstrip("_")
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _estree(value: Any, positions: bool) -> Any:
    if isinstance(value, Node):
        return value.to_estree(positions)
    if isinstance(value, list):
        return [_estree(v, positions) for v in value]
    if isinstance(value, TemplateValue):
        return {"cooked": value.cooked, "raw": value.raw}
    return value


class TemplateValue:
    """``TemplateElement.value``: the cooked string (``None`` for a bad escape in a tagged template) and the raw one."""

    __slots__ = ("cooked", "raw")

    def __init__(self, cooked: str | None, raw: str) -> None:
        self.cooked = cooked
        self.raw = raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TemplateValue) and (self.cooked, self.raw) == (other.cooked, other.raw)

    def __repr__(self) -> str:
        return f"TemplateValue({self.cooked!r}, {self.raw!r})"


class RegExpLiteral:
    """``Literal.value`` of a regular expression literal: the pattern source and the flags, uncompiled."""

    __slots__ = ("pattern", "flags")

    def __init__(self, pattern: str, flags: str) -> None:
        self.pattern = pattern
        self.flags = flags

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RegExpLiteral) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __repr__(self) -> str:
        return f"RegExpLiteral({self.pattern!r}, {self.flags!r})"


class BigIntLiteral:
    """``Literal.value`` of a BigInt literal: its decimal digits (the runtime decides what to do with it)."""

    __slots__ = ("digits",)

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigIntLiteral) and self.digits == other.digits

    def __repr__(self) -> str:
        return f"BigIntLiteral({self.digits!r})"


def _make_init(fields: tuple[str, ...]) -> Any:
    """A specialised ``__init__`` (fields positional or by name, positions by name): node creation is hot."""
    params = "".join(f", {f}=None" for f in fields)
    body = "".join(f"\n    self.{f} = {f}" for f in fields + _POSITIONS)
    src = (f"def __init__(self{params}, *, start=0, end=0, line=0, column=0, end_line=0, end_column=0):"
           f"{body or chr(10) + '    pass'}")
    namespace: dict[str, Any] = {}
    exec(src, namespace)  # noqa: S102 - generated from the class's own slot names
    return namespace["__init__"]


class Node:
    """Base of all nodes: positional/keyword construction from ``fields``, positions, and ``to_estree()``."""

    __slots__ = _POSITIONS
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    fields: ClassVar[tuple[str, ...]] = ()
    type: ClassVar[str] = "Node"

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.fields = tuple(cls.__dict__.get("__slots__", ()))
        cls.type = cls.__name__
        cls.__init__ = _make_init(cls.fields)  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self.fields
        if len(args) > len(fields):
            raise TypeError(f"{self.type} takes at most {len(fields)} fields")
        for name, value in zip(fields, args):
            setattr(self, name, value)
        for name in fields[len(args):]:
            setattr(self, name, kwargs.pop(name, None))
        for name in _POSITIONS:
            setattr(self, name, kwargs.pop(name, 0))
        if kwargs:
            raise TypeError(f"{self.type} has no field(s) {sorted(kwargs)}")

    def copy_position(self, other: "Node") -> "Node":
        """Take the positions of ``other``; returns self."""
        for name in _POSITIONS:
            setattr(self, name, getattr(other, name))
        return self

    def span_from(self, first: "Node", last: "Node") -> "Node":
        """Cover from the start of ``first`` to the end of ``last``; returns self."""
        self.start, self.line, self.column = first.start, first.line, first.column
        self.end, self.end_line, self.end_column = last.end, last.end_line, last.end_column
        return self

    def children(self) -> list["Node"]:
        """The direct child nodes, in field order (for generic walks)."""
        out: list[Node] = []
        for name in self.fields:
            value = getattr(self, name)
            if isinstance(value, Node):
                out.append(value)
            elif isinstance(value, list):
                out.extend(v for v in value if isinstance(v, Node))
        return out

    def to_estree(self, positions: bool = False) -> dict[str, Any]:
        """The ESTree dict; with ``positions`` also ``range`` and ``loc`` as esprima gives them."""
        out: dict[str, Any] = {"type": self.type}
        for name in self.fields:
            if name == "strict":
                continue
            out[_camel(name)] = _estree(getattr(self, name), positions)
        if positions:
            out["range"] = [self.start, self.end]
            out["loc"] = {
                "start": {"line": self.line, "column": self.column},
                "end": {"line": self.end_line, "column": self.end_column},
            }
        return out

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.fields)
        return f"{self.type}({inner})"

    def __eq__(self, other: object) -> bool:
        """Structural equality, positions ignored (for tests)."""
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.fields)

    __hash__ = object.__hash__


# --- program and statements -------------------------------------------------------------------------------------


class Program(Node):
    __slots__ = ("body", "source_type", "strict")
    body: Any
    source_type: Any
    strict: Any


class ExpressionStatement(Node):
    """``directive`` is the raw text of a directive prologue string (without quotes), else None."""

    __slots__ = ("expression", "directive")
    expression: Any
    directive: Any

    def to_estree(self, positions: bool = False) -> dict[str, Any]:
        out = super().to_estree(positions)
        if self.directive is None:
            del out["directive"]
        return out


class BlockStatement(Node):
    __slots__ = ("body",)
    body: Any


class StaticBlock(Node):
    __slots__ = ("body",)
    body: Any


class EmptyStatement(Node):
    __slots__ = ()


class DebuggerStatement(Node):
    __slots__ = ()


class WithStatement(Node):
    __slots__ = ("object", "body")
    object: Any
    body: Any


class ReturnStatement(Node):
    __slots__ = ("argument",)
    argument: Any


class LabeledStatement(Node):
    __slots__ = ("label", "body")
    label: Any
    body: Any


class BreakStatement(Node):
    __slots__ = ("label",)
    label: Any


class ContinueStatement(Node):
    __slots__ = ("label",)
    label: Any


class IfStatement(Node):
    __slots__ = ("test", "consequent", "alternate")
    test: Any
    consequent: Any
    alternate: Any


class SwitchStatement(Node):
    __slots__ = ("discriminant", "cases")
    discriminant: Any
    cases: Any


class SwitchCase(Node):
    __slots__ = ("test", "consequent")
    test: Any
    consequent: Any


class ThrowStatement(Node):
    __slots__ = ("argument",)
    argument: Any


class TryStatement(Node):
    __slots__ = ("block", "handler", "finalizer")
    block: Any
    handler: Any
    finalizer: Any


class CatchClause(Node):
    __slots__ = ("param", "body")
    param: Any
    body: Any


class WhileStatement(Node):
    __slots__ = ("test", "body")
    test: Any
    body: Any


class DoWhileStatement(Node):
    __slots__ = ("body", "test")
    body: Any
    test: Any


class ForStatement(Node):
    __slots__ = ("init", "test", "update", "body")
    init: Any
    test: Any
    update: Any
    body: Any


class ForInStatement(Node):
    __slots__ = ("left", "right", "body")
    left: Any
    right: Any
    body: Any


class ForOfStatement(Node):
    __slots__ = ("left", "right", "body", "await_")
    left: Any
    right: Any
    body: Any
    await_: Any


# --- declarations -----------------------------------------------------------------------------------------------


class FunctionDeclaration(Node):
    __slots__ = ("id", "params", "body", "generator", "async_", "strict")
    id: Any
    params: Any
    body: Any
    generator: Any
    async_: Any
    strict: Any

    def to_estree(self, positions: bool = False) -> dict[str, Any]:
        out = super().to_estree(positions)
        out["expression"] = False
        return out


class VariableDeclaration(Node):
    __slots__ = ("declarations", "kind")
    declarations: Any
    kind: Any


class VariableDeclarator(Node):
    __slots__ = ("id", "init")
    id: Any
    init: Any


class ClassDeclaration(Node):
    __slots__ = ("id", "super_class", "body")
    id: Any
    super_class: Any
    body: Any


# --- expressions ------------------------------------------------------------------------------------------------


class Identifier(Node):
    __slots__ = ("name",)
    name: Any


class PrivateIdentifier(Node):
    """``#name`` in a class; ``name`` is without the ``#``."""

    __slots__ = ("name",)
    name: Any


class Literal(Node):
    """``value``: float, str (UTF-16 code units), bool, None, ``RegExpLiteral`` or ``BigIntLiteral``."""

    __slots__ = ("value", "raw")
    value: Any
    raw: Any

    def to_estree(self, positions: bool = False) -> dict[str, Any]:
        out = super().to_estree(positions)
        value = self.value
        if isinstance(value, RegExpLiteral):
            out["value"] = None
            out["regex"] = {"pattern": value.pattern, "flags": value.flags}
        elif isinstance(value, BigIntLiteral):
            out["value"] = None
            out["bigint"] = value.digits
        return out


class ThisExpression(Node):
    __slots__ = ()


class Super(Node):
    __slots__ = ()


class ArrayExpression(Node):
    """``elements`` holds None for holes."""

    __slots__ = ("elements",)
    elements: Any


class ObjectExpression(Node):
    __slots__ = ("properties",)
    properties: Any


class Property(Node):
    """An object literal member (``kind`` is ``init``, ``get`` or ``set``) or an ObjectPattern member."""

    __slots__ = ("key", "value", "kind", "method", "shorthand", "computed")
    key: Any
    value: Any
    kind: Any
    method: Any
    shorthand: Any
    computed: Any


class FunctionExpression(Node):
    __slots__ = ("id", "params", "body", "generator", "async_", "strict")
    id: Any
    params: Any
    body: Any
    generator: Any
    async_: Any
    strict: Any

    def to_estree(self, positions: bool = False) -> dict[str, Any]:
        out = super().to_estree(positions)
        out["expression"] = False
        return out


class ArrowFunctionExpression(Node):
    """``expression`` is True for a concise body (``body`` is then an expression)."""

    __slots__ = ("id", "params", "body", "generator", "async_", "expression", "strict")
    id: Any
    params: Any
    body: Any
    generator: Any
    async_: Any
    expression: Any
    strict: Any


class UnaryExpression(Node):
    __slots__ = ("operator", "prefix", "argument")
    operator: Any
    prefix: Any
    argument: Any


class UpdateExpression(Node):
    __slots__ = ("operator", "argument", "prefix")
    operator: Any
    argument: Any
    prefix: Any


class BinaryExpression(Node):
    __slots__ = ("operator", "left", "right")
    operator: Any
    left: Any
    right: Any


class AssignmentExpression(Node):
    __slots__ = ("operator", "left", "right")
    operator: Any
    left: Any
    right: Any


class LogicalExpression(Node):
    """``||``, ``&&`` and ``??``."""

    __slots__ = ("operator", "left", "right")
    operator: Any
    left: Any
    right: Any


class MemberExpression(Node):
    """``property`` is an Identifier/PrivateIdentifier (not computed) or any expression (computed)."""

    __slots__ = ("object", "property", "computed", "optional")
    object: Any
    property: Any
    computed: Any
    optional: Any


class ChainExpression(Node):
    """Wraps a member/call chain that contains ``?.``: short-circuiting ends at this node."""

    __slots__ = ("expression",)
    expression: Any


class ConditionalExpression(Node):
    __slots__ = ("test", "consequent", "alternate")
    test: Any
    consequent: Any
    alternate: Any


class CallExpression(Node):
    __slots__ = ("callee", "arguments", "optional")
    callee: Any
    arguments: Any
    optional: Any


class NewExpression(Node):
    __slots__ = ("callee", "arguments")
    callee: Any
    arguments: Any


class SequenceExpression(Node):
    __slots__ = ("expressions",)
    expressions: Any


class YieldExpression(Node):
    __slots__ = ("argument", "delegate")
    argument: Any
    delegate: Any


class AwaitExpression(Node):
    __slots__ = ("argument",)
    argument: Any


class TemplateLiteral(Node):
    __slots__ = ("quasis", "expressions")
    quasis: Any
    expressions: Any


class TaggedTemplateExpression(Node):
    __slots__ = ("tag", "quasi")
    tag: Any
    quasi: Any


class TemplateElement(Node):
    __slots__ = ("value", "tail")
    value: Any
    tail: Any


class SpreadElement(Node):
    __slots__ = ("argument",)
    argument: Any


class ClassExpression(Node):
    __slots__ = ("id", "super_class", "body")
    id: Any
    super_class: Any
    body: Any


class ClassBody(Node):
    __slots__ = ("body",)
    body: Any


class MethodDefinition(Node):
    """``kind`` is ``constructor``, ``method``, ``get`` or ``set``; ``key`` may be a PrivateIdentifier."""

    __slots__ = ("key", "value", "kind", "computed", "static")
    key: Any
    value: Any
    kind: Any
    computed: Any
    static: Any


class PropertyDefinition(Node):
    """A class field; ``value`` is None without an initializer."""

    __slots__ = ("key", "value", "computed", "static")
    key: Any
    value: Any
    computed: Any
    static: Any


class MetaProperty(Node):
    """``new.target`` (``import.meta`` is rejected in scripts)."""

    __slots__ = ("meta", "property")
    meta: Any
    property: Any


class ImportExpression(Node):
    """Dynamic ``import(source)``."""

    __slots__ = ("source",)
    source: Any


# --- patterns ---------------------------------------------------------------------------------------------------


class ObjectPattern(Node):
    """``properties``: ``Property`` (value is a pattern) and at most one final ``RestElement``."""

    __slots__ = ("properties",)
    properties: Any


class ArrayPattern(Node):
    """``elements`` holds None for elisions."""

    __slots__ = ("elements",)
    elements: Any


class RestElement(Node):
    __slots__ = ("argument",)
    argument: Any


class AssignmentPattern(Node):
    __slots__ = ("left", "right")
    left: Any
    right: Any


NODE_TYPES: dict[str, type[Node]] = {
    cls.__name__: cls for cls in Node.__subclasses__()  # every class above derives directly from Node
}
