"""Reduction callbacks: grammar rules (by alias or name) → ESTree nodes from engine/ast.py.

Also where the cover grammars are resolved: object/array literals become patterns, parenthesised lists become arrow
parameters, and flat binary chains are ordered by precedence. Constructs that are only valid if later converted
(``{a = 1}``, a template with a bad escape that turns out untagged, duplicate ``__proto__``) are kept in ``pending``
until ``finish`` and reported then unless a conversion cleared them.
"""

from __future__ import annotations

from typing import Any, Callable

from . import ast as A
from .errors import JSSyntaxError
from .source import Source
from .covers import CoverGrammar, _Args
from .tokens import Token

__all__ = ["Builder", "Inline", "BINARY_PRECEDENCE"]

BINARY_PRECEDENCE = {
    "??": 1, "||": 2, "&&": 3, "|": 4, "^": 5, "&": 6,
    "==": 7, "!=": 7, "===": 7, "!==": 7,
    "<": 8, ">": 8, "<=": 8, ">=": 8, "instanceof": 8, "in": 8,
    "<<": 9, ">>": 9, ">>>": 9, "+": 10, "-": 10, "*": 11, "/": 11, "%": 11, "**": 12,
}
_LOGICAL = frozenset(["||", "&&", "??"])


class Inline(list):
    """Children of an inlined ``_rule``: spliced into the parent's children."""

    __slots__ = ()


class _Key:
    """A property/class element name before it is placed in a node: the key node and whether it is computed."""

    __slots__ = ("node", "computed", "first", "last")

    def __init__(self, node: A.Node, computed: bool, first: Any, last: Any) -> None:
        self.node = node
        self.computed = computed
        self.first = first
        self.last = last


class _Params(list):
    """Formal parameters (a list of patterns)."""

    __slots__ = ()


def _pos(node: A.Node, first: Any, last: Any) -> A.Node:
    node.start = first.start
    node.line = first.line
    node.column = first.column
    node.end = last.end
    node.end_line = last.end_line
    node.end_column = last.end_column
    return node


def _tok(x: Any, typ: str) -> bool:
    return type(x) is Token and x.type == typ


class Builder(CoverGrammar):
    """Holds per-parse state (parenthesised nodes, pending cover errors) and the reduction callbacks."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.parens: dict[int, tuple[A.Node, Token, Token]] = {}
        self.double_parens: dict[int, A.Node] = {}  # `((x))`: never valid as arrow parameters
        self.pending: dict[int, tuple[Any, str, Any]] = {}
        self.octal_literals: list[A.Node] = []  # legacy octal numbers/escapes: early errors in strict code
        self.trailing: dict[int, A.Node] = {}  # array literals ending in `...x,` (not valid as patterns)

    # -- plumbing ----------------------------------------------------------------------------------------------------

    def error(self, at: Any, message: str) -> JSSyntaxError:
        start = getattr(at, "start", 0)
        end = max(getattr(at, "end", start), start + 1)
        return JSSyntaxError(message, self.source.span(start, end))

    def reducer(self, origin: str, size: int, alias: str | None, expand1: bool,
                has_inline: bool = True) -> Callable[[list[Any]], Any] | None:
        """The callback for one grammar rule, chosen once per parse; None means "pass the single child through"."""
        if origin.startswith("_"):
            def inline(args: list[Any]) -> Any:
                if args and type(args[0]) is Inline:
                    out = args[0]
                    for a in args[1:]:
                        if type(a) is Inline:
                            out.extend(a)
                        else:
                            out.append(a)
                    return out
                out = Inline()
                for a in args:
                    if type(a) is Inline:
                        out.extend(a)
                    else:
                        out.append(a)
                return out
            return inline
        name = alias or origin
        method = getattr(self, "r_" + name, None)
        if method is None or (expand1 and alias is None and size == 1):
            if size != 1:
                raise RuntimeError(f"grammar rule {origin} has no builder callback")  # pragma: no cover
            return None
        if not has_inline:
            return method

        def call(args: list[Any]) -> Any:
            for a in args:
                if type(a) is Inline:
                    flat: list[Any] = []
                    for b in args:
                        if type(b) is Inline:
                            flat.extend(b)
                        else:
                            flat.append(b)
                    return method(flat)
            return method(args)
        return call

    def start_of(self, x: Any) -> Any:
        p = self.parens.get(id(x))
        return p[1] if p is not None and p[0] is x else x

    def end_of(self, x: Any) -> Any:
        p = self.parens.get(id(x))
        return p[2] if p is not None and p[0] is x else x

    def is_paren(self, x: Any) -> bool:
        p = self.parens.get(id(x))
        return p is not None and p[0] is x

    def span(self, node: A.Node, first: Any, last: Any) -> A.Node:
        return _pos(node, self.start_of(first), self.end_of(last))

    def defer(self, node: Any, message: str, at: Any) -> None:
        self.pending[id(node)] = (node, message, at)

    def clear(self, node: Any) -> None:
        entry = self.pending.get(id(node))
        if entry is not None and entry[0] is node:
            del self.pending[id(node)]

    def finish(self, program: A.Program) -> A.Program:
        if self.pending:
            _, message, at = min(self.pending.values(), key=lambda e: e[2].start)
            raise self.error(at, message)
        return program

    def body_of(self, items: list[Any]) -> list[A.Node]:
        return [x for x in items if isinstance(x, A.Node)]

    def directives(self, body: list[A.Node]) -> bool:
        """Mark the directive prologue; True when it contains 'use strict'."""
        strict = False
        for stmt in body:
            if not (type(stmt) is A.ExpressionStatement and type(stmt.expression) is A.Literal
                    and isinstance(stmt.expression.value, str) and not self.is_paren(stmt.expression)):
                break
            raw = stmt.expression.raw[1:-1]
            stmt.directive = raw
            if raw == "use strict":
                strict = True
        return strict

    # -- program and statements --------------------------------------------------------------------------------------

    def r_program(self, a: list[Any]) -> A.Program:
        body = self.body_of(a)
        node = A.Program(body, "script", self.directives(body))
        end = len(self.source.text)
        node.start, node.line, node.column = 0, 1, 0
        node.end = end
        node.end_line, node.end_column = self.source.line_col(end)
        return node

    def r_block_statement(self, a: list[Any]) -> A.Node:
        return _pos(A.BlockStatement(self.body_of(a[1:-1])), a[0], a[-1])

    def r_function_body(self, a: list[Any]) -> A.Node:
        return self.r_block_statement(a)

    def r_variable_declaration(self, a: list[Any]) -> A.Node:
        decls = [x for x in a if type(x) is A.VariableDeclarator]
        last = a[-1] if not (_tok(a[-1], ";") and a[-1].auto) else decls[-1]
        return self.span(A.VariableDeclaration(decls, a[0].value), a[0], last)

    def r_variable_declarator(self, a: list[Any]) -> A.Node:
        target = self.binding(a[0])
        init = a[2] if len(a) == 3 else None
        return self.span(A.VariableDeclarator(target, init), a[0], a[-1])

    def r_for_declaration(self, a: list[Any]) -> A.Node:
        decl = self.span(A.VariableDeclarator(self.binding(a[1]), None), a[1], a[1])
        return self.span(A.VariableDeclaration([decl], a[0].value), a[0], a[1])

    def r_empty_statement(self, a: list[Any]) -> A.Node:
        if a[0].auto:
            raise self.error(a[0], "Unexpected token")
        return _pos(A.EmptyStatement(), a[0], a[0])

    def r_expression_statement(self, a: list[Any]) -> A.Node:
        last = a[0] if a[1].auto else a[1]
        return self.span(A.ExpressionStatement(a[0], None), a[0], last)

    def r_if_statement(self, a: list[Any]) -> A.Node:
        alt = a[6] if len(a) == 7 else None
        return self.span(A.IfStatement(a[2], a[4], alt), a[0], a[-1])

    def r_do_while_statement(self, a: list[Any]) -> A.Node:
        last = a[-1] if not (_tok(a[-1], ";") and a[-1].auto) else a[5]
        return _pos(A.DoWhileStatement(a[1], a[4]), a[0], last)

    def r_while_statement(self, a: list[Any]) -> A.Node:
        return self.span(A.WhileStatement(a[2], a[4]), a[0], a[4])

    def r_for_statement(self, a: list[Any]) -> A.Node:
        parts: list[Any] = [None, None, None]
        i = 0
        for x in a[2:-2]:
            if _tok(x, ";"):
                if x.auto:
                    raise self.error(x, "Unexpected token")
                i += 1
            else:
                parts[i] = x
        return self.span(A.ForStatement(parts[0], parts[1], parts[2], a[-1]), a[0], a[-1])

    def for_left(self, left: Any) -> Any:
        if type(left) is A.VariableDeclaration:
            return left
        return self.assign_target(left)

    def r_for_in_statement(self, a: list[Any]) -> A.Node:
        return self.span(A.ForInStatement(self.for_left(a[2]), a[4], a[6]), a[0], a[6])

    def r_for_of_statement(self, a: list[Any]) -> A.Node:
        is_await = _tok(a[1], "await")
        b = a[1:] if is_await else a
        left = b[2]
        if (not is_await and type(left) is A.Identifier and not self.is_paren(left)
                and self.source.text.startswith("async", left.start)):
            raise self.error(left, "The left-hand side of a for-of loop may not be 'async'")
        if type(left) is not A.VariableDeclaration and self.source.text.startswith("let", self.start_of(left).start):
            raise self.error(left, "The left-hand side of a for-of loop may not start with 'let'")
        return self.span(A.ForOfStatement(self.for_left(left), b[4], b[6], is_await), a[0], a[-1])

    def _jump(self, cls: type, a: list[Any]) -> A.Node:
        label = A.Identifier(a[1].value) if len(a) > 1 and _tok(a[1], "IDENT") else None
        if label is not None:
            _pos(label, a[1], a[1])
        last = a[-1] if not a[-1].auto else a[-2]
        return _pos(cls(label), a[0], last)

    def r_continue_statement(self, a: list[Any]) -> A.Node:
        return self._jump(A.ContinueStatement, a)

    def r_break_statement(self, a: list[Any]) -> A.Node:
        return self._jump(A.BreakStatement, a)

    def r_return_statement(self, a: list[Any]) -> A.Node:
        arg = a[1] if len(a) == 3 else None
        last = a[-1] if not a[-1].auto else a[-2]
        return self.span(A.ReturnStatement(arg), a[0], last)

    def r_throw_statement(self, a: list[Any]) -> A.Node:
        last = a[-1] if not a[-1].auto else a[-2]
        return self.span(A.ThrowStatement(a[1]), a[0], last)

    def r_with_statement(self, a: list[Any]) -> A.Node:
        return self.span(A.WithStatement(a[2], a[4]), a[0], a[4])

    def r_switch_statement(self, a: list[Any]) -> A.Node:
        cases = [x for x in a[5:-1] if type(x) is A.SwitchCase]
        return _pos(A.SwitchStatement(a[2], cases), a[0], a[-1])

    def r_switch_case(self, a: list[Any]) -> A.Node:
        if _tok(a[0], "case"):
            test, body = a[1], a[3:]
        else:
            test, body = None, a[2:]
        body = self.body_of(body)
        last = body[-1] if body else (a[2] if test is not None else a[1])
        return self.span(A.SwitchCase(test, body), a[0], last)

    def r_labeled_statement(self, a: list[Any]) -> A.Node:
        label = _pos(A.Identifier(a[0].value), a[0], a[0])
        return self.span(A.LabeledStatement(label, a[2]), a[0], a[2])

    def r_try_statement(self, a: list[Any]) -> A.Node:
        handler = next((x for x in a if type(x) is A.CatchClause), None)
        final = next((x.body for x in a if type(x) is _Finally), None)
        return _pos(A.TryStatement(a[1], handler, final), a[0], a[-1].body if type(a[-1]) is _Finally else a[-1])

    def r_catch_clause(self, a: list[Any]) -> A.Node:
        param = self.binding(a[2]) if len(a) == 5 else None
        return _pos(A.CatchClause(param, a[-1]), a[0], a[-1])

    def r_finally_clause(self, a: list[Any]) -> "_Finally":
        return _Finally(a[1])

    def r_debugger_statement(self, a: list[Any]) -> A.Node:
        last = a[-1] if not a[-1].auto else a[0]
        return _pos(A.DebuggerStatement(), a[0], last)

    # -- functions ---------------------------------------------------------------------------------------------------

    def _function(self, cls: type, a: list[Any]) -> A.Node:
        i = 0
        is_async = _tok(a[0], "async")
        if is_async:
            i += 1
        i += 1  # `function`
        generator = _tok(a[i], "*")
        if generator:
            i += 1
        ident = None
        if _tok(a[i], "IDENT"):
            ident = _pos(A.Identifier(a[i].value), a[i], a[i])
            i += 1
        params = a[i + 1]
        lbrace = a[i + 3]
        body = self.body_of(a[i + 4:-1])
        block = _pos(A.BlockStatement(body), lbrace, a[-1])
        strict = self.directives(body)
        return _pos(cls(ident, list(params), block, generator, is_async, strict), a[0], a[-1])

    def r_function_declaration(self, a: list[Any]) -> A.Node:
        return self._function(A.FunctionDeclaration, a)

    def r_function_expression(self, a: list[Any]) -> A.Node:
        return self._function(A.FunctionExpression, a)

    def r_formal_parameters(self, a: list[Any]) -> _Params:
        return _Params(x for x in a if isinstance(x, A.Node))

    def r_binding_element(self, a: list[Any]) -> A.Node:
        target = self.binding(a[0])
        if len(a) == 1:
            return target
        return self.span(A.AssignmentPattern(target, a[2]), a[0], a[2])

    def r_rest_parameter(self, a: list[Any]) -> A.Node:
        return self.span(A.RestElement(self.binding(a[1])), a[0], a[1])

    def r_arrow_function(self, a: list[Any]) -> A.Node:
        first = a[0].first if type(a[0]) is _Args else self.start_of(a[0])
        params = self.arrow_params(a[0])
        return self._arrow(params, a[2], False, first, a[2])

    def r_async_arrow_function(self, a: list[Any]) -> A.Node:
        head = a[1]
        if type(head) is Token:
            params = [_pos(A.Identifier(head.value), head, head)]
        else:
            params = self.arrow_params(head)
        return self._arrow(params, a[3], True, a[0], a[3])

    def _arrow(self, params: list[A.Node], body: Any, is_async: bool, first: Any, last: Any) -> A.Node:
        if type(body) is A.BlockStatement:
            node = A.ArrowFunctionExpression(None, params, body, False, is_async, False,
                                             self.directives(body.body))
        else:
            node = A.ArrowFunctionExpression(None, params, body, False, is_async, True, False)
        return self.span(node, first, last)

    def r_arrow_cover(self, a: list[Any]) -> _Args:
        items: list[Any] = []
        inner = a[1:-1]
        i = 0
        while i < len(inner):
            x = inner[i]
            if _tok(x, "..."):
                items.append(self.span(A.RestElement(self.binding(inner[i + 1])), x, inner[i + 1]))
                i += 2
                continue
            if isinstance(x, A.Node):
                if type(x) is A.SequenceExpression and not self.is_paren(x):
                    items.extend(x.expressions)
                else:
                    items.append(x)
            i += 1
        return _Args(items, a[0], a[-1])

    # -- classes -----------------------------------------------------------------------------------------------------

    def _class(self, cls: type, a: list[Any]) -> A.Node:
        ident = None
        if _tok(a[1], "IDENT"):
            ident = _pos(A.Identifier(a[1].value), a[1], a[1])
        nodes = [x for x in a if not isinstance(x, Token)]
        superclass = nodes[0] if len(nodes) == 2 else None
        return _pos(cls(ident, superclass, nodes[-1]), a[0], a[-1])

    def r_class_declaration(self, a: list[Any]) -> A.Node:
        return self._class(A.ClassDeclaration, a)

    def r_class_expression(self, a: list[Any]) -> A.Node:
        return self._class(A.ClassExpression, a)

    def r_class_heritage(self, a: list[Any]) -> A.Node:
        return a[1]

    def r_class_body(self, a: list[Any]) -> A.Node:
        members: list[Any] = [x for x in a if isinstance(x, A.Node)]
        has_ctor = False
        for m in members:
            if type(m) is A.MethodDefinition and not m.static and not m.computed and _key_name(m.key) == "constructor":
                if m.kind != "method" or m.value.generator or m.value.async_:
                    raise self.error(m.key, "Class constructor may not be a special method")
                if has_ctor:
                    raise self.error(m.key, "A class may only have one constructor")
                has_ctor = True
                m.kind = "constructor"
            if type(m) in (A.MethodDefinition, A.PropertyDefinition) and not m.computed:
                name = _key_name(m.key)
                if type(m) is A.PropertyDefinition and name == "constructor":
                    raise self.error(m.key, "Classes may not have a field named 'constructor'")
                if m.static and name == "prototype":
                    raise self.error(m.key, "Classes may not have a static property named 'prototype'")
                if type(m.key) is A.PrivateIdentifier and m.key.name == "constructor":
                    raise self.error(m.key, "Classes may not have a private field named '#constructor'")
        return _pos(A.ClassBody(members), a[0], a[-1])

    def r_static_member(self, a: list[Any]) -> A.Node:
        m = a[1]
        m.static = True
        return _pos(m, a[0], m)

    def r_field_definition(self, a: list[Any]) -> A.Node:
        key: _Key = a[0]
        value = a[2] if len(a) == 4 else None
        last = a[-1] if not a[-1].auto else (value if value is not None else key.last)
        return self.span(A.PropertyDefinition(key.node, value, key.computed, False), key.first, last)

    def r_static_block(self, a: list[Any]) -> A.Node:
        return _pos(A.StaticBlock(self.body_of(a[2:-1])), a[0], a[-1])

    def r_method_definition(self, a: list[Any]) -> A.Node:
        i = 0
        is_async = generator = False
        kind = "method"
        while type(a[i]) is Token:
            t = a[i].type
            if t == "async":
                is_async = True
            elif t == "*":
                generator = True
            else:
                kind = t
            i += 1
        key: _Key = a[i]
        params = list(a[i + 2])
        if kind == "get" and params:
            raise self.error(a[i + 1], "Getter must not have any formal parameters")
        if kind == "set" and (len(params) != 1 or type(params[0]) is A.RestElement):
            raise self.error(a[i + 1], "Setter must have exactly one formal parameter")
        body = self.body_of(a[i + 5:-1])
        block = _pos(A.BlockStatement(body), a[i + 4], a[-1])
        fn = _pos(A.FunctionExpression(None, params, block, generator, is_async, self.directives(body)), a[i + 1], a[-1])
        first = a[0] if i else key.first
        return self.span(A.MethodDefinition(key.node, fn, kind, key.computed, False), first, a[-1])

    def r_object_method(self, a: list[Any]) -> A.Node:
        m: A.MethodDefinition = a[0]
        if type(m.key) is A.PrivateIdentifier:
            raise self.error(m.key, "Private names are only allowed in classes")
        kind = m.kind if m.kind in ("get", "set") else "init"
        return A.Property(m.key, m.value, kind, kind == "init", False, m.computed).copy_position(m)

    def r_name_key(self, a: list[Any]) -> _Key:
        return _Key(_pos(A.Identifier(a[0].value), a[0], a[0]), False, a[0], a[0])

    def r_literal_key(self, a: list[Any]) -> _Key:
        return _Key(self.r_literal(a), False, a[0], a[0])

    def r_computed_key(self, a: list[Any]) -> _Key:
        return _Key(a[1], True, a[0], a[2])

    def r_private_name(self, a: list[Any]) -> _Key:
        return _Key(_pos(A.PrivateIdentifier(a[0].value), a[0], a[0]), False, a[0], a[0])

    # -- expressions -------------------------------------------------------------------------------------------------

    def r_sequence_expression(self, a: list[Any]) -> A.Node:
        left = a[0]
        if type(left) is A.SequenceExpression and not self.is_paren(left):
            left.expressions.append(a[2])
            return self.span(left, left, a[2])
        return self.span(A.SequenceExpression([left, a[2]]), left, a[2])

    def r_assignment_expression(self, a: list[Any]) -> A.Node:
        op = a[1].value
        if op == "=":
            target = self.assign_target(a[0])
        else:
            target = self.simple_target(a[0], "Invalid left-hand side in assignment")
        return self.span(A.AssignmentExpression(op, target, a[2]), a[0], a[2])

    def r_conditional_expression(self, a: list[Any]) -> A.Node:
        return self.span(A.ConditionalExpression(a[0], a[2], a[4]), a[0], a[4])

    def r_binary_chain(self, a: list[Any]) -> A.Node:
        operands = a[0::2]
        ops = [t.value for t in a[1::2]]
        out: list[Any] = [operands[0]]
        opstack: list[tuple[str, int, Token]] = []

        def reduce() -> None:
            op, _, tok = opstack.pop()
            right = out.pop()
            left = out.pop()
            if op == "**" and type(left) in (A.UnaryExpression, A.AwaitExpression) and not self.is_paren(left):
                raise self.error(tok, "Unary operator used immediately before exponentiation expression")
            if op in _LOGICAL:
                for side in (left, right):
                    if (type(side) is A.LogicalExpression and not self.is_paren(side)
                            and (side.operator == "??") != (op == "??")):
                        raise self.error(tok, "Cannot mix ?? with || or && without parentheses")
                node: A.Node = A.LogicalExpression(op, left, right)
            else:
                node = A.BinaryExpression(op, left, right)
            out.append(self.span(node, left, right))

        for op, tok, right in zip(ops, a[1::2], operands[1:]):
            prec = BINARY_PRECEDENCE[op]
            while opstack and (opstack[-1][1] > prec or (opstack[-1][1] == prec and op != "**")):
                reduce()
            opstack.append((op, prec, tok))
            out.append(right)
        while opstack:
            reduce()
        return out[0]

    def r_private_name_expression(self, a: list[Any]) -> A.Node:
        return _pos(A.PrivateIdentifier(a[0].value), a[0], a[0])

    def r_unary_expression(self, a: list[Any]) -> A.Node:
        return self.span(A.UnaryExpression(a[0].value, True, a[1]), a[0], a[1])

    def r_await_expression(self, a: list[Any]) -> A.Node:
        return self.span(A.AwaitExpression(a[1]), a[0], a[1])

    def r_postfix_update(self, a: list[Any]) -> A.Node:
        target = self.simple_target(a[0], "Invalid left-hand side expression in postfix operation")
        return self.span(A.UpdateExpression(a[1].value, target, False), a[0], a[1])

    def r_prefix_update(self, a: list[Any]) -> A.Node:
        target = self.simple_target(a[1], "Invalid left-hand side expression in prefix operation")
        return self.span(A.UpdateExpression(a[0].value, target, True), a[0], a[1])

    def r_yield_expression(self, a: list[Any]) -> A.Node:
        if len(a) == 1:
            return _pos(A.YieldExpression(None, False), a[0], a[0])
        delegate = len(a) == 3
        return self.span(A.YieldExpression(a[-1], delegate), a[0], a[-1])

    def r_chain_expression(self, a: list[Any]) -> A.Node:
        return self.span(A.ChainExpression(a[0]), a[0], a[0])

    def r_new_expression(self, a: list[Any]) -> A.Node:
        if len(a) == 3:
            return _pos(A.NewExpression(a[1], a[2].items), a[0], a[2].last)
        return self.span(A.NewExpression(a[1], []), a[0], a[1])

    def _name(self, t: Token) -> A.Node:
        cls = A.PrivateIdentifier if t.type == "PRIVATE_NAME" else A.Identifier
        return _pos(cls(t.value), t, t)

    def r_computed_member(self, a: list[Any]) -> A.Node:
        return self.span(A.MemberExpression(a[0], a[2], True, False), a[0], a[3])

    def r_member(self, a: list[Any]) -> A.Node:
        return self.span(A.MemberExpression(a[0], self._name(a[2]), False, False), a[0], a[2])

    def r_tagged_template(self, a: list[Any]) -> A.Node:
        self.clear(a[1])
        if type(a[0]) is A.ChainExpression and not self.is_paren(a[0]):
            raise self.error(a[1], "Invalid tagged template on optional chain")
        return self.span(A.TaggedTemplateExpression(a[0], a[1]), a[0], a[1])

    def r_super_computed_member(self, a: list[Any]) -> A.Node:
        sup = _pos(A.Super(), a[0], a[0])
        return _pos(A.MemberExpression(sup, a[2], True, False), a[0], a[3])

    def r_super_member(self, a: list[Any]) -> A.Node:
        sup = _pos(A.Super(), a[0], a[0])
        return _pos(A.MemberExpression(sup, self._name(a[2]), False, False), a[0], a[2])

    def r_meta_property(self, a: list[Any]) -> A.Node:
        if a[2].value != "target" or a[2].escaped:
            raise self.error(a[2], f"The only valid meta property for new is new.target")
        return _pos(A.MetaProperty(_pos(A.Identifier("new"), a[0], a[0]), _pos(A.Identifier("target"), a[2], a[2])),
                    a[0], a[2])

    def r_call(self, a: list[Any]) -> A.Node:
        return self.span(A.CallExpression(a[0], a[1].items, False), a[0], a[1].last)

    def r_super_call(self, a: list[Any]) -> A.Node:
        return _pos(A.CallExpression(_pos(A.Super(), a[0], a[0]), a[1].items, False), a[0], a[1].last)

    def r_import_call(self, a: list[Any]) -> A.Node:
        return _pos(A.ImportExpression(a[2]), a[0], a[3])

    def r_async_call(self, a: list[Any]) -> A.Node:
        callee = _pos(A.Identifier("async"), a[0], a[0])
        return _pos(A.CallExpression(callee, a[1].items, False), a[0], a[1].last)

    def r_optional_link(self, a: list[Any]) -> A.Node:
        obj = a[0]
        link = a[2:]
        if type(link[0]) is _Args:
            return self.span(A.CallExpression(obj, link[0].items, True), obj, link[0].last)
        if _tok(link[0], "["):
            return self.span(A.MemberExpression(obj, link[1], True, True), obj, link[2])
        return self.span(A.MemberExpression(obj, self._name(link[0]), False, True), obj, link[0])

    def r_arguments(self, a: list[Any]) -> _Args:
        return _Args([x for x in a[1:-1] if isinstance(x, A.Node)], a[0], a[-1])

    def r_spread_element(self, a: list[Any]) -> A.Node:
        return self.span(A.SpreadElement(a[1]), a[0], a[1])

    def r_this_expression(self, a: list[Any]) -> A.Node:
        return _pos(A.ThisExpression(), a[0], a[0])

    def r_identifier(self, a: list[Any]) -> A.Node:
        return _pos(A.Identifier(a[0].value), a[0], a[0])

    def r_literal(self, a: list[Any]) -> A.Node:
        t = a[0]
        typ = t.type
        if typ == "null":
            value: Any = None
        elif typ == "true":
            value = True
        elif typ == "false":
            value = False
        else:
            value = t.value
        node = _pos(A.Literal(value, t.raw), t, t)
        if t.octal:
            self.octal_literals.append(node)
        return node

    def r_parenthesized(self, a: list[Any]) -> A.Node:
        inner = a[1]
        if self.is_paren(inner):
            self.double_parens[id(inner)] = inner
        self.parens[id(inner)] = (inner, a[0], a[2])
        return inner

    def r_template_literal(self, a: list[Any]) -> A.Node:
        quasis = []
        exprs = []
        for x in a:
            if type(x) is Token:
                cooked, raw = x.value[0], x.value[1]
                tail = x.type in ("TEMPLATE", "TEMPLATE_TAIL")
                quasis.append(_pos(A.TemplateElement(A.TemplateValue(cooked, raw), tail), x, x))
            else:
                exprs.append(x)
        node = _pos(A.TemplateLiteral(quasis, exprs), a[0], a[-1])
        for x in a:
            if type(x) is Token and len(x.value) == 3:
                at = self.source.span(x.value[2], x.value[2] + 2)
                self.defer(node, "Invalid escape sequence in template", at)
                break
        return node

    def r_array_literal(self, a: list[Any]) -> A.Node:
        elements: list[Any] = []
        expect = True
        for x in a[1:-1]:
            if type(x) is Token:
                if expect:
                    elements.append(None)
                expect = True
            else:
                elements.append(x)
                expect = False
        node = _pos(A.ArrayExpression(elements), a[0], a[-1])
        if len(a) > 2 and _tok(a[-2], ",") and elements and type(elements[-1]) is A.SpreadElement:
            self.trailing[id(node)] = node
        return node

    def r_object_literal(self, a: list[Any]) -> A.Node:
        props = [x for x in a[1:-1] if isinstance(x, A.Node)]
        node = _pos(A.ObjectExpression(props), a[0], a[-1])
        if props and type(props[-1]) is A.SpreadElement and _tok(a[-2], ","):
            self.trailing[id(node)] = node  # `{...rest,}` is not a valid pattern
        seen_proto = False
        for p in props:
            if (type(p) is A.Property and p.kind == "init" and not p.computed and not p.shorthand and not p.method
                    and _key_name(p.key) == "__proto__"):
                if seen_proto:
                    self.defer(node, "Duplicate __proto__ fields are not allowed in object literals", p.key)
                    break
                seen_proto = True
        return node

    def r_shorthand_property(self, a: list[Any]) -> A.Node:
        ident = _pos(A.Identifier(a[0].value), a[0], a[0])
        value = _pos(A.Identifier(a[0].value), a[0], a[0])
        return _pos(A.Property(ident, value, "init", False, True, False), a[0], a[0])

    def r_cover_initialized_name(self, a: list[Any]) -> A.Node:
        ident = _pos(A.Identifier(a[0].value), a[0], a[0])
        value = self.span(A.AssignmentPattern(_pos(A.Identifier(a[0].value), a[0], a[0]), a[2]), a[0], a[2])
        self.defer(value, "Invalid shorthand property initializer", a[1])
        return self.span(A.Property(ident, value, "init", False, True, False), a[0], a[2])

    def r_property(self, a: list[Any]) -> A.Node:
        key: _Key = a[0]
        if type(key.node) is A.PrivateIdentifier:
            raise self.error(key.node, "Private names are only allowed in classes")
        return self.span(A.Property(key.node, a[2], "init", False, False, key.computed), key.first, a[2])

class _Finally:
    __slots__ = ("body",)

    def __init__(self, body: A.Node) -> None:
        self.body = body


def _key_name(key: A.Node) -> Any:
    if type(key) is A.Identifier:
        return key.name
    if type(key) is A.Literal and isinstance(key.value, str):
        return key.value
    return None
