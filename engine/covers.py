"""Cover grammars resolved: expressions parsed where a pattern or arrow parameters may stand become patterns.

The grammar parses binding and assignment patterns and arrow parameters as ordinary expressions (object/array
literals, assignments, spreads); these methods of the AST builder convert them once the context is known and reject
what is not a valid target. Mixed into ``ast_builder.Builder``, whose state (``parens``, ``pending``, ``trailing``)
they use.
"""

from __future__ import annotations

from typing import Any

from . import ast as A
from .tokens import Token

__all__ = ["CoverGrammar"]


class _Args:
    """An argument list with its parentheses (for positions), or arrow parameters in cover form."""

    __slots__ = ("items", "first", "last")

    def __init__(self, items: list[Any], first: Token, last: Token) -> None:
        self.items = items
        self.first = first
        self.last = last



class CoverGrammar:
    """Expression → pattern conversions (the builder supplies ``error``, ``span``, ``is_paren`` and the state)."""

    parens: dict[int, tuple[A.Node, Token, Token]]
    double_parens: dict[int, A.Node]
    trailing: dict[int, A.Node]

    def error(self, at: Any, message: str) -> Any:  # pragma: no cover - provided by Builder
        raise NotImplementedError

    def span(self, node: A.Node, first: Any, last: Any) -> A.Node:  # pragma: no cover - provided by Builder
        raise NotImplementedError

    def is_paren(self, x: Any) -> bool:  # pragma: no cover - provided by Builder
        raise NotImplementedError

    def start_of(self, x: Any) -> Any:  # pragma: no cover - provided by Builder
        raise NotImplementedError

    def clear(self, node: Any) -> None:  # pragma: no cover - provided by Builder
        raise NotImplementedError

    def arrow_params(self, head: Any) -> list[A.Node]:
        if type(head) is _Args:
            items = head.items
        elif type(head) is A.Identifier and not self.is_paren(head):
            return [head]
        else:
            if not self.is_paren(head):
                raise self.error(head, "Invalid arrow function parameters")
            if id(head) in self.double_parens:
                raise self.error(head, "Invalid arrow function parameters")
            del self.parens[id(head)]
            if type(head) is A.SequenceExpression and not self.is_paren(head):
                items = head.expressions
            else:
                items = [head]
        out: list[A.Node] = []
        for item in items:
            if type(item) is A.RestElement:
                out.append(item)
            elif type(item) is A.SpreadElement:
                out.append(self.span(A.RestElement(self.binding(item.argument)), item, item))
            elif type(item) is A.AssignmentExpression and item.operator == "=" and not self.is_paren(item):
                out.append(self.span(A.AssignmentPattern(self.binding(item.left), item.right), item, item))
            elif type(item) is A.AwaitExpression or type(item) is A.YieldExpression:
                raise self.error(item, "Invalid arrow function parameters")
            else:
                out.append(self.binding(item))
        for i, p in enumerate(out):
            if type(p) is A.RestElement and i != len(out) - 1:
                raise self.error(p, "Rest parameter must be last formal parameter")
        return out

    # -- cover grammar: expressions → patterns ----------------------------------------------------------------------

    def binding(self, node: Any) -> A.Node:
        """An expression parsed in a binding position (declaration, parameter, catch) → a binding pattern."""
        return self._pattern(node, binding=True)

    def assign_target(self, node: Any) -> A.Node:
        """The left side of ``=`` or of ``for (… in/of …)``: a simple target or a destructuring pattern."""
        return self._pattern(node, binding=False)

    def simple_target(self, node: Any, message: str) -> A.Node:
        if type(node) is A.Identifier or (type(node) is A.MemberExpression):
            return node
        raise self.error(self.start_of(node), message)

    def _pattern(self, node: Any, binding: bool) -> A.Node:
        typ = type(node)
        paren = self.is_paren(node)
        if typ is A.Identifier:
            if paren and binding:
                raise self.error(node, "Invalid destructuring target")
            return node
        if typ is A.MemberExpression and not binding:
            return node
        if paren and typ in (A.ObjectExpression, A.ArrayExpression) or (paren and binding):
            raise self.error(self.start_of(node), "Invalid destructuring assignment target")
        if typ is A.ObjectExpression:
            self.clear(node)
            props: list[A.Node] = []
            for i, p in enumerate(node.properties):
                if type(p) is A.SpreadElement:
                    if i != len(node.properties) - 1 or id(node) in self.trailing:
                        raise self.error(p, "Rest element must be last element")
                    arg = p.argument
                    if binding and type(arg) is not A.Identifier:
                        raise self.error(arg, "`...` must be followed by an identifier in declaration contexts")
                    if type(arg) in (A.ObjectExpression, A.ArrayExpression):
                        raise self.error(arg, "`...` must be followed by an assignable reference in assignment contexts")
                    props.append(A.RestElement(self._pattern(arg, binding)).copy_position(p))
                    continue
                if p.kind != "init" or p.method:
                    raise self.error(p, "Invalid destructuring assignment target")
                p.value = self._element(p.value, binding)
                props.append(p)
            return A.ObjectPattern(props).copy_position(node)
        if typ is A.ArrayExpression:
            elements: list[Any] = []
            n = len(node.elements)
            for i, el in enumerate(node.elements):
                if el is None:
                    elements.append(None)
                elif type(el) is A.SpreadElement:
                    if i != n - 1 or id(node) in self.trailing:
                        raise self.error(el, "Rest element must be last element")
                    arg = el.argument
                    if type(arg) is A.AssignmentExpression and not self.is_paren(arg):
                        raise self.error(arg, "Invalid rest element")
                    elements.append(A.RestElement(self._pattern(arg, binding)).copy_position(el))
                else:
                    elements.append(self._element(el, binding))
            return A.ArrayPattern(elements).copy_position(node)
        if typ is A.AssignmentPattern:
            self.clear(node)
            node.left = self._pattern(node.left, binding)
            return node
        if typ in (A.ObjectPattern, A.ArrayPattern) and not paren:
            return node
        raise self.error(self.start_of(node),
                         "Invalid destructuring target" if binding else "Invalid left-hand side in assignment")

    def _element(self, el: Any, binding: bool) -> A.Node:
        if type(el) is A.AssignmentExpression and el.operator == "=" and not self.is_paren(el):
            return A.AssignmentPattern(self._pattern(el.left, binding), el.right).copy_position(el)
        if type(el) is A.AssignmentPattern:
            self.clear(el)
            el.left = self._pattern(el.left, binding)
            return el
        return self._pattern(el, binding)
