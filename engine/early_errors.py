"""Early errors: the static checks ECMA-262 requires before a script runs, as one walk over the AST.

The grammar accepts a superset (cover grammars, keywords classified from the parser state); this pass rejects what
the spec's static semantics forbid and that real code hits: duplicate lexical declarations, `let`/`var` clashes,
strict-mode rules (octal literals, `delete x`, `with`, `eval`/`arguments` as targets, reserved words), `yield`/`await`
in the wrong context, `break`/`continue` without a target, `return` outside functions, `new.target` and `super`
outside their contexts, duplicate parameters where forbidden, and undeclared private names.
It also propagates strictness: every function node's ``strict`` tells whether its code is strict (own or inherited).
"""

from __future__ import annotations

from typing import Any, Iterable

from . import ast as A
from .errors import JSSyntaxError
from .regex_translate import pattern_error
from .source import Source
from .tokens import STRICT_RESERVED_WORDS

__all__ = ["check_program", "bound_names", "var_declared_names"]

_LOOPS = (A.ForStatement, A.ForInStatement, A.ForOfStatement, A.WhileStatement, A.DoWhileStatement)
_FUNCTIONS = (A.FunctionDeclaration, A.FunctionExpression, A.ArrowFunctionExpression)


def bound_names(pattern: Any, out: list[A.Identifier] | None = None) -> list[A.Identifier]:
    """The identifiers a binding pattern declares, in source order."""
    if out is None:
        out = []
    t = type(pattern)
    if t is A.Identifier:
        out.append(pattern)
    elif t is A.ObjectPattern:
        for p in pattern.properties:
            bound_names(p.argument if type(p) is A.RestElement else p.value, out)
    elif t is A.ArrayPattern:
        for el in pattern.elements:
            if el is not None:
                bound_names(el, out)
    elif t is A.AssignmentPattern:
        bound_names(pattern.left, out)
    elif t is A.RestElement:
        bound_names(pattern.argument, out)
    return out


def var_declared_names(stmts: Iterable[Any], out: list[A.Identifier] | None = None) -> list[A.Identifier]:
    """Names declared by ``var`` anywhere in these statements (not inside nested functions)."""
    if out is None:
        out = []
    for s in stmts:
        if s is None:
            continue
        t = type(s)
        if t is A.VariableDeclaration:
            if s.kind == "var":
                for d in s.declarations:
                    bound_names(d.id, out)
        elif t is A.BlockStatement or t is A.StaticBlock:
            var_declared_names(s.body, out)
        elif t is A.IfStatement:
            var_declared_names((s.consequent, s.alternate), out)
        elif t is A.ForStatement:
            var_declared_names((s.init, s.body), out)
        elif t is A.ForInStatement or t is A.ForOfStatement:
            var_declared_names((s.left, s.body), out)
        elif t in (A.WhileStatement, A.DoWhileStatement, A.LabeledStatement, A.WithStatement):
            var_declared_names((s.body,), out)
        elif t is A.TryStatement:
            var_declared_names((s.block, s.handler.body if s.handler else None, s.finalizer), out)
        elif t is A.SwitchStatement:
            for c in s.cases:
                var_declared_names(c.consequent, out)
    return out


def _lexical_names(stmts: Iterable[Any], functions_are_lexical: bool) -> list[A.Identifier]:
    out: list[A.Identifier] = []
    for s in stmts:
        t = type(s)
        if t is A.VariableDeclaration and s.kind != "var":
            for d in s.declarations:
                bound_names(d.id, out)
        elif t is A.ClassDeclaration:
            out.append(s.id)
        elif t is A.FunctionDeclaration and functions_are_lexical:
            out.append(s.id)
    return out


class _Fn:
    """What the enclosing function allows."""

    __slots__ = ("generator", "async_", "super_prop", "super_call", "new_target", "is_function", "in_params", "static_block")

    def __init__(self, generator: bool = False, async_: bool = False, super_prop: bool = False,
                 super_call: bool = False, new_target: bool = False, is_function: bool = False) -> None:
        self.generator = generator
        self.async_ = async_
        self.super_prop = super_prop
        self.super_call = super_call
        self.new_target = new_target
        self.is_function = is_function
        self.in_params = False
        self.static_block = False  # a class static block: `await` is reserved (up to the next function boundary)


class _Checker:
    def __init__(self, source: Source, octal: set[int]) -> None:
        self.source = source
        self.octal = octal
        self.strict = False
        self.fn = _Fn()
        self.labels: list[tuple[str, bool]] = []
        self.breakable = 0
        self.continuable = 0
        self.private_scopes: list[set[str]] = []
        self.private_refs: list[list[Any]] = []
        self.for_head: Any = None  # the declaration of a for-in/of head (no initializer needed)

    def error(self, node: Any, message: str) -> JSSyntaxError:
        return JSSyntaxError(message, self.source.span(node.start, max(node.end, node.start + 1)))

    # -- generic walk ------------------------------------------------------------------------------------------------

    def visit(self, node: Any) -> Any:
        method = _DISPATCH.get(node.type)
        if method is not None:
            return method(self, node)
        self.children(node)
        return node

    def children(self, node: A.Node) -> None:
        for name in node.fields:
            value = getattr(node, name)
            if isinstance(value, A.Node):
                new = self.visit(value)
                if new is not value:
                    setattr(node, name, new)
            elif type(value) is list:
                for i, v in enumerate(value):
                    if isinstance(v, A.Node):
                        new = self.visit(v)
                        if new is not v:
                            value[i] = new

    # -- names -------------------------------------------------------------------------------------------------------

    def check_identifier(self, node: A.Identifier, binding: bool) -> None:
        name = node.name
        if self.strict and name in STRICT_RESERVED_WORDS:
            raise self.error(node, f"Unexpected strict mode reserved word '{name}'")
        if binding and self.strict and name in ("eval", "arguments"):
            raise self.error(node, f"Unexpected eval or arguments in strict mode")
        if name == "yield" and (self.fn.generator or self.strict):
            raise self.error(node, "Unexpected 'yield' here")
        if name == "await" and (self.fn.async_ or self.fn.static_block):
            raise self.error(node, "Unexpected 'await' here")
        if name == "enum":
            raise self.error(node, "Unexpected reserved word 'enum'")

    def check_bindings(self, pattern: Any) -> None:
        for ident in bound_names(pattern):
            self.check_identifier(ident, True)

    def v_Identifier(self, node: A.Identifier) -> A.Node:
        self.check_identifier(node, False)
        return node

    def check_target(self, target: Any) -> None:
        for ident in bound_names(target):
            if self.strict and ident.name in ("eval", "arguments"):
                raise self.error(ident, "Unexpected eval or arguments in strict mode")

    def check_unique(self, names: list[A.Identifier], others: Iterable[A.Identifier] = (), what: str = "") -> None:
        seen: set[str] = set()
        for ident in names:
            if ident.name in seen:
                raise self.error(ident, f"Identifier '{ident.name}' has already been declared")
            seen.add(ident.name)
        for ident in others:
            if ident.name in seen:
                raise self.error(ident, f"Identifier '{ident.name}' has already been declared")

    def check_block_scope(self, stmts: list[Any], extra_lexical: Iterable[A.Identifier] = ()) -> None:
        lexical = list(extra_lexical) + _lexical_names(stmts, True)
        if lexical:
            self.check_unique(lexical, var_declared_names(stmts))
            for ident in lexical:
                if ident.name == "let":
                    raise self.error(ident, "let is disallowed as a lexically bound name")

    # -- program and statements --------------------------------------------------------------------------------------

    def v_Program(self, node: A.Program) -> A.Node:
        self.strict = bool(node.strict)
        self.check_octal_directives(node.body)
        lexical = _lexical_names(node.body, False)
        if lexical:
            self.check_unique(lexical, var_declared_names(node.body))
            functions = [s.id for s in node.body if type(s) is A.FunctionDeclaration]
            self.check_unique(lexical, functions)
        self.children(node)
        return node

    def check_octal_directives(self, body: list[Any]) -> None:
        if not self.strict or not self.octal:
            return
        for stmt in body:
            if type(stmt) is not A.ExpressionStatement or stmt.directive is None:
                break
            if id(stmt.expression) in self.octal:
                raise self.error(stmt.expression, "Octal escape sequences are not allowed in strict mode")

    def v_Literal(self, node: A.Literal) -> A.Node:
        if self.strict and id(node) in self.octal:
            raise self.error(node, "Octal literals are not allowed in strict mode")
        if type(node.value) is A.RegExpLiteral:
            problem = pattern_error(node.value.pattern, node.value.flags)
            if problem is not None:
                raise self.error(node, problem)
        return node

    def v_BlockStatement(self, node: A.BlockStatement) -> A.Node:
        self.check_block_scope(node.body)
        self.children(node)
        return node

    def v_VariableDeclaration(self, node: A.VariableDeclaration) -> A.Node:
        for d in node.declarations:
            self.check_bindings(d.id)
            if d.init is None and node is not self.for_head:
                if node.kind == "const":
                    raise self.error(d, "Missing initializer in const declaration")
                if type(d.id) is not A.Identifier:
                    raise self.error(d, "Missing initializer in destructuring declaration")
            if node.kind != "var":
                for ident in bound_names(d.id):
                    if ident.name == "let":
                        raise self.error(ident, "let is disallowed as a lexically bound name")
        self.children(node)
        return node

    def v_VariableDeclarator(self, node: A.VariableDeclarator) -> A.Node:
        self.children(node)
        return node

    def v_ExpressionStatement(self, node: A.ExpressionStatement) -> A.Node:
        self.children(node)
        return node

    def v_WithStatement(self, node: A.WithStatement) -> A.Node:
        if self.strict:
            raise self.error(node, "Strict mode code may not include a with statement")
        self.check_not_labelled_function(node.body)
        self.children(node)
        return node

    def v_ReturnStatement(self, node: A.ReturnStatement) -> A.Node:
        if not self.fn.is_function:
            raise self.error(node, "Illegal return statement")
        self.children(node)
        return node

    def _loop(self, node: Any, head_lexical: list[A.Identifier]) -> A.Node:
        self.check_not_labelled_function(node.body)
        if head_lexical:
            self.check_unique(head_lexical, var_declared_names([node.body]))
        self.breakable += 1
        self.continuable += 1
        try:
            self.children(node)
        finally:
            self.breakable -= 1
            self.continuable -= 1
        return node

    def _head_lexical(self, decl: Any) -> list[A.Identifier]:
        if type(decl) is A.VariableDeclaration and decl.kind != "var":
            return [i for d in decl.declarations for i in bound_names(d.id)]
        return []

    def v_ForStatement(self, node: A.ForStatement) -> A.Node:
        lexical = self._head_lexical(node.init)
        if lexical:
            self.check_unique(lexical)
        if type(node.init) is A.VariableDeclaration and node.init.kind == "const":
            for d in node.init.declarations:
                if d.init is None:
                    raise self.error(d, "Missing initializer in const declaration")
        return self._loop(node, lexical)

    def _for_in_of(self, node: Any) -> A.Node:
        left = node.left
        lexical = self._head_lexical(left)
        if type(left) is A.VariableDeclaration:
            if len(left.declarations) != 1:
                raise self.error(left, "Invalid left-hand side in for-in/of loop: must have a single binding")
            if left.declarations[0].init is not None:
                raise self.error(left, "for-in/of loop variable declaration may not have an initializer")
            self.check_unique(lexical)
        else:
            self.check_target(left)
        self.for_head = left
        return self._loop(node, lexical)

    def v_ForInStatement(self, node: A.ForInStatement) -> A.Node:
        return self._for_in_of(node)

    def v_ForOfStatement(self, node: A.ForOfStatement) -> A.Node:
        if node.await_ and not self.fn.async_:
            raise self.error(node, "for await is only valid in async functions")
        return self._for_in_of(node)

    def v_WhileStatement(self, node: A.WhileStatement) -> A.Node:
        return self._loop(node, [])

    def v_DoWhileStatement(self, node: A.DoWhileStatement) -> A.Node:
        return self._loop(node, [])

    def v_SwitchStatement(self, node: A.SwitchStatement) -> A.Node:
        defaults = [c for c in node.cases if c.test is None]
        if len(defaults) > 1:
            raise self.error(defaults[1], "More than one default clause in switch statement")
        self.check_block_scope([s for c in node.cases for s in c.consequent])
        self.breakable += 1
        try:
            self.children(node)
        finally:
            self.breakable -= 1
        return node

    def v_LabeledStatement(self, node: A.LabeledStatement) -> A.Node:
        name = node.label.name
        self.check_identifier(node.label, False)
        if any(n == name for n, _ in self.labels):
            raise self.error(node.label, f"Label '{name}' has already been declared")
        body = node.body
        if type(body) is A.FunctionDeclaration and (self.strict or body.generator or body.async_):
            raise self.error(body, "In strict mode code, functions can only be declared at top level or inside a block")
        inner = body
        while type(inner) is A.LabeledStatement:
            inner = inner.body
        self.labels.append((name, isinstance(inner, _LOOPS)))
        try:
            node.body = self.visit(body)
        finally:
            self.labels.pop()
        return node

    def v_BreakStatement(self, node: A.BreakStatement) -> A.Node:
        if node.label is not None:
            if not any(n == node.label.name for n, _ in self.labels):
                raise self.error(node.label, f"Undefined label '{node.label.name}'")
        elif not self.breakable:
            raise self.error(node, "Illegal break statement")
        return node

    def v_ContinueStatement(self, node: A.ContinueStatement) -> A.Node:
        if not self.continuable:
            raise self.error(node, "Illegal continue statement: no surrounding iteration statement")
        if node.label is not None:
            if not any(n == node.label.name for n, _ in self.labels):
                raise self.error(node.label, f"Undefined label '{node.label.name}'")
            if not any(n == node.label.name and loop for n, loop in self.labels):
                raise self.error(node.label, f"Illegal continue statement: '{node.label.name}' does not denote an "
                                             "iteration statement")
        return node

    def check_not_labelled_function(self, body: Any) -> None:
        """IsLabelledFunction: `l: function f() {}` cannot be the body of an if, a loop or a with."""
        while type(body) is A.LabeledStatement:
            body = body.body
            if type(body) is A.FunctionDeclaration:
                raise self.error(body, "A labelled function declaration cannot be the body of a statement")

    def v_IfStatement(self, node: A.IfStatement) -> A.Node:
        for branch in (node.consequent, node.alternate):
            self.check_not_labelled_function(branch)
            if type(branch) is A.FunctionDeclaration:
                # Annex B.3.3: a plain function declaration as an if branch, in sloppy code only
                if self.strict or branch.generator or branch.async_:
                    raise self.error(branch, "In strict mode code, functions can only be declared at top level or "
                                             "inside a block")
            elif type(branch) is A.ClassDeclaration or (
                    type(branch) is A.VariableDeclaration and branch.kind != "var"):
                raise self.error(branch, "Lexical declaration cannot appear in a single-statement context")
        self.children(node)
        return node

    def v_TryStatement(self, node: A.TryStatement) -> A.Node:
        self.children(node)
        return node

    def v_CatchClause(self, node: A.CatchClause) -> A.Node:
        params = bound_names(node.param) if node.param is not None else []
        if params:
            self.check_bindings(node.param)
            self.check_unique(params)
            lexical = _lexical_names(node.body.body, True)
            self.check_unique(params + lexical)
            for_of_vars: list[A.Identifier] = []
            for s in node.body.body:
                if type(s) is A.ForOfStatement:
                    for_of_vars.extend(var_declared_names([s.left]) if type(s.left) is A.VariableDeclaration else [])
            self.check_unique(params, for_of_vars)
        self.children(node)
        return node

    # -- functions ---------------------------------------------------------------------------------------------------

    def function(self, node: Any, fn: _Fn, method: bool = False) -> Any:
        outer_strict, outer_fn = self.strict, self.fn
        labels, breakable, continuable = self.labels, self.breakable, self.continuable
        body = node.body
        is_arrow = type(node) is A.ArrowFunctionExpression
        own_strict = bool(node.strict)
        simple = all(type(p) is A.Identifier for p in node.params)
        if own_strict and not simple:
            raise self.error(node, "Illegal 'use strict' directive in function with non-simple parameter list")
        self.strict = outer_strict or own_strict
        node.strict = self.strict
        if type(body) is A.BlockStatement:
            self.check_octal_directives(body.body)
        try:
            if node.id is not None:
                # a function expression's own name follows its own strictness and generator-ness
                if type(node) is A.FunctionExpression:
                    self.fn = fn
                else:
                    self.fn = outer_fn
                self.check_identifier(node.id, True)
            self.fn = fn
            self.labels, self.breakable, self.continuable = [], 0, 0
            params = [i for p in node.params for i in bound_names(p)]
            fn.in_params = True
            for p in node.params:
                self.check_bindings(p)
                self.visit(p)
            fn.in_params = False
            if self.strict or is_arrow or method or not simple:
                self.check_unique(params)
            if type(body) is A.BlockStatement:
                lexical = _lexical_names(body.body, False)
                self.check_unique(lexical, var_declared_names(body.body))
                self.check_unique(lexical, [s.id for s in body.body if type(s) is A.FunctionDeclaration])
                self.check_unique(lexical, params)
                for s in body.body:
                    new = self.visit(s)
                    if new is not s:  # pragma: no cover - statements are never replaced
                        body.body[body.body.index(s)] = new
            else:
                node.body = self.visit(body)
        finally:
            self.strict, self.fn = outer_strict, outer_fn
            self.labels, self.breakable, self.continuable = labels, breakable, continuable
        return node

    def v_FunctionDeclaration(self, node: A.FunctionDeclaration) -> A.Node:
        return self.function(node, _Fn(node.generator, node.async_, False, False, True, True))

    def v_FunctionExpression(self, node: A.FunctionExpression) -> A.Node:
        return self.function(node, _Fn(node.generator, node.async_, False, False, True, True))

    def v_ArrowFunctionExpression(self, node: A.ArrowFunctionExpression) -> A.Node:
        outer = self.fn
        fn = _Fn(False, node.async_, outer.super_prop, outer.super_call, outer.new_target, True)
        for p in node.params:
            for sub in _walk(p):
                if type(sub) is A.YieldExpression or (type(sub) is A.AwaitExpression):
                    raise self.error(sub, "Invalid arrow function parameters")
                if (node.async_ or outer.static_block) and type(sub) is A.Identifier and sub.name == "await":
                    raise self.error(sub, "'await' is not a valid parameter name here")
        return self.function(node, fn)

    def v_YieldExpression(self, node: A.YieldExpression) -> A.Node:
        if not self.fn.generator:
            if self.strict or node.argument is not None or node.delegate:
                raise self.error(node, "Yield expression not allowed here")
            return A.Identifier("yield").copy_position(node)
        if self.fn.in_params:
            raise self.error(node, "Yield expression not allowed in formal parameter")
        self.children(node)
        return node

    def v_AwaitExpression(self, node: A.AwaitExpression) -> A.Node:
        if not self.fn.async_:
            raise self.error(node, "await is only valid in async functions and the top level bodies of modules")
        if self.fn.in_params:
            raise self.error(node, "Illegal await-expression in formal parameters of async function")
        self.children(node)
        return node

    def v_MetaProperty(self, node: A.MetaProperty) -> A.Node:
        if not self.fn.new_target:
            raise self.error(node, "new.target expression is not allowed here")
        return node

    def v_PrivateIdentifier(self, node: A.PrivateIdentifier) -> A.Node:
        raise self.error(node, "Unexpected private name")

    def v_Super(self, node: A.Super) -> A.Node:
        raise self.error(node, "'super' keyword unexpected here")

    def v_MemberExpression(self, node: A.MemberExpression) -> A.Node:
        if type(node.object) is A.Super:
            if not self.fn.super_prop:
                raise self.error(node.object, "'super' keyword unexpected here")
            if type(node.property) is A.PrivateIdentifier:
                raise self.error(node.property, "Unexpected private name after 'super'")
        else:
            node.object = self.visit(node.object)
        if node.computed:
            node.property = self.visit(node.property)
        elif type(node.property) is A.PrivateIdentifier:
            self.private_ref(node.property)
        return node

    def v_CallExpression(self, node: A.CallExpression) -> A.Node:
        if type(node.callee) is A.Super:
            if not self.fn.super_call:
                raise self.error(node.callee, "'super' keyword unexpected here")
        else:
            node.callee = self.visit(node.callee)
        node.arguments = [self.visit(a) for a in node.arguments]
        return node

    def v_UnaryExpression(self, node: A.UnaryExpression) -> A.Node:
        if node.operator == "delete" and self.strict and type(node.argument) is A.Identifier:
            raise self.error(node, "Delete of an unqualified identifier in strict mode.")
        target = node.argument.expression if type(node.argument) is A.ChainExpression else node.argument
        if (node.operator == "delete" and type(target) is A.MemberExpression
                and type(target.property) is A.PrivateIdentifier):
            raise self.error(node, "Private fields can not be deleted")
        self.children(node)
        return node

    def v_AssignmentExpression(self, node: A.AssignmentExpression) -> A.Node:
        self.check_target(node.left)
        self.children(node)
        return node

    def v_UpdateExpression(self, node: A.UpdateExpression) -> A.Node:
        self.check_target(node.argument)
        self.children(node)
        return node

    def v_BinaryExpression(self, node: Any) -> A.Node:
        # Long operator chains (`a + b + … + z`) are left-deep: walk the left spine iteratively.
        spine = []
        n = node
        while type(n) in (A.BinaryExpression, A.LogicalExpression):
            spine.append(n)
            n = n.left
        last = spine[-1]
        if type(n) is A.PrivateIdentifier:
            if last.operator != "in":
                raise self.error(n, "Unexpected private name")
            self.private_ref(n)
        else:
            last.left = self.visit(n)
        for n in reversed(spine):
            n.right = self.visit(n.right)
        return node

    v_LogicalExpression = v_BinaryExpression

    def v_Property(self, node: A.Property) -> A.Node:
        if node.computed or type(node.key) is A.Literal:
            node.key = self.visit(node.key)
        if node.kind != "init" or node.method:
            node.value = self.function(node.value, _Fn(node.value.generator, node.value.async_, True, False, True,
                                                       True), method=True)
        elif node.shorthand and type(node.value) is A.Identifier:
            self.check_identifier(node.value, False)
        else:
            node.value = self.visit(node.value)
        return node

    # -- classes -----------------------------------------------------------------------------------------------------

    def _class(self, node: Any) -> Any:
        outer_strict = self.strict
        self.strict = True
        try:
            if node.id is not None:
                self.check_identifier(node.id, True)
            if node.super_class is not None:
                node.super_class = self.visit(node.super_class)
            declared: dict[str, tuple[str, bool]] = {}
            for m in node.body.body:
                if type(m) in (A.MethodDefinition, A.PropertyDefinition) and type(m.key) is A.PrivateIdentifier:
                    kind = m.kind if type(m) is A.MethodDefinition else "field"
                    name = m.key.name
                    prev = declared.get(name)
                    # only a getter and a setter may share a private name, and both static or both not
                    if prev is not None and not ({prev[0], kind} == {"get", "set"} and prev[1] == bool(m.static)):
                        raise self.error(m.key, f"Identifier '#{name}' has already been declared")
                    declared[name] = ("accessor" if prev else kind, bool(m.static))
            self.private_scopes.append(set(declared))
            self.private_refs.append([])
            derived = node.super_class is not None
            for m in node.body.body:
                t = type(m)
                if t is A.MethodDefinition:
                    if m.computed or type(m.key) is A.Literal:
                        m.key = self.visit(m.key)
                    ctor = m.kind == "constructor"
                    fn = _Fn(m.value.generator, m.value.async_, True, ctor and derived, True, True)
                    self.function(m.value, fn, method=True)
                elif t is A.PropertyDefinition:
                    if m.computed or type(m.key) is A.Literal:
                        m.key = self.visit(m.key)
                    if m.value is not None:
                        outer_fn = self.fn
                        self.fn = _Fn(False, False, True, False, True, False)
                        try:
                            for sub in _walk(m.value):
                                if type(sub) is A.Identifier and sub.name == "arguments":
                                    raise self.error(sub, "'arguments' is not allowed in class field initializer")
                            m.value = self.visit(m.value)
                        finally:
                            self.fn = outer_fn
                elif t is A.StaticBlock:
                    outer_fn = self.fn
                    labels, breakable, continuable = self.labels, self.breakable, self.continuable
                    self.fn = _Fn(False, False, True, False, True, False)
                    self.fn.static_block = True
                    self.labels, self.breakable, self.continuable = [], 0, 0
                    try:
                        self.check_block_scope(m.body)
                        for s in m.body:
                            for sub in _walk(s):
                                if type(sub) is A.Identifier and sub.name == "arguments":
                                    raise self.error(sub, "'arguments' is not allowed in class static block")
                        m.body = [self.visit(s) for s in m.body]
                    finally:
                        self.fn = outer_fn
                        self.labels, self.breakable, self.continuable = labels, breakable, continuable
            scope = self.private_scopes.pop()
            refs = self.private_refs.pop()
            for ref in refs:
                if ref.name not in scope:
                    if self.private_scopes:
                        self.private_refs[-1].append(ref)
                    else:
                        raise self.error(ref, f"Private field '#{ref.name}' must be declared in an enclosing class")
        finally:
            self.strict = outer_strict
        return node

    def private_ref(self, ident: A.PrivateIdentifier) -> None:
        if not self.private_refs:
            raise self.error(ident, f"Private field '#{ident.name}' must be declared in an enclosing class")
        self.private_refs[-1].append(ident)

    def v_ClassDeclaration(self, node: A.ClassDeclaration) -> A.Node:
        return self._class(node)

    def v_ClassExpression(self, node: A.ClassExpression) -> A.Node:
        return self._class(node)


_DISPATCH = {name[2:]: fn for name, fn in vars(_Checker).items() if name.startswith("v_")}


def _walk(node: Any) -> Iterable[A.Node]:
    """All nodes below (and including) ``node``, not entering nested non-arrow functions."""
    stack = [node]
    while stack:
        n: Any = stack.pop()
        if not isinstance(n, A.Node):
            continue
        yield n
        t = type(n)
        if t in (A.FunctionExpression, A.FunctionDeclaration, A.ClassBody):
            continue
        named: Any = n
        if t in (A.Property, A.MethodDefinition, A.PropertyDefinition, A.MemberExpression) and not named.computed:
            # names that are not references: non-computed keys and member names
            stack.append(named.object if t is A.MemberExpression else named.value)
            continue
        for name in n.fields:
            v = getattr(n, name)
            if isinstance(v, A.Node):
                stack.append(v)
            elif type(v) is list:
                stack.extend(v)


def check_program(program: A.Program, source: Source, octal: Iterable[A.Node] = ()) -> None:
    """Raise JSSyntaxError for the first early error; set ``strict`` on every function node."""
    checker = _Checker(source, {id(n) for n in octal})
    checker.visit(program)
