"""Scope analysis: hoisting, bindings, closure capture, TDZ needs, and which scopes get their own environment.

Every function activation is one Python list (``env[0]`` is the parent env, ``env[1]`` the return value). Block
scopes are flattened into it unless one of their bindings is captured by a closure; then the block gets its own
list per entry (per iteration for loops), which is what makes ``let`` in loops capture correctly. The compiler turns
a reference into (hops, slot) with ``Analysis.resolve``.
"""

from __future__ import annotations

from typing import Any, Iterator

from . import ast as A
from .errors import JSSyntaxError
from .scope_rules import ScopeRules, lexical_between, var_scope_of

__all__ = ["Binding", "Scope", "Analysis", "analyze", "analyze_eval", "FUNCTION_NODES", "bound_names", "var_scope_of",
           "lexical_between"]

FUNCTION_NODES = (A.FunctionDeclaration, A.FunctionExpression, A.ArrowFunctionExpression)
LEXICAL = ("let", "const", "class")


class Binding:
    __slots__ = ("name", "kind", "scope", "slot", "captured", "tdz", "decl_start", "concat")

    def __init__(self, name: str, kind: str, scope: "Scope", decl_start: int) -> None:
        self.name = name
        self.kind = kind            # var, let, const, class, function, param, catch, funcname, special
        self.scope = scope
        self.slot = -1
        self.captured = False
        self.tdz = kind in LEXICAL and scope.kind == "switch"
        self.decl_start = decl_start
        self.concat = False         # the target of ``+=`` somewhere

    @property
    def is_lexical(self) -> bool:
        return self.kind in LEXICAL

    @property
    def is_global(self) -> bool:
        return self.scope.kind == "script"

    def __repr__(self) -> str:
        return f"Binding({self.name!r}, {self.kind}, slot={self.slot})"


class Scope:
    __slots__ = ("kind", "node", "parent", "func", "bindings", "materialized", "nslots", "children", "strict",
                 "arrow", "is_method", "uses_this", "uses_arguments", "specials", "lexicals", "func_decls",
                 "private_names", "annexb_only", "dyn", "eval_root", "ctor")

    def __init__(self, kind: str, node: Any, parent: "Scope | None", strict: bool = False) -> None:
        self.kind = kind            # script, function, block, catch, switch, for, class
        self.node = node
        self.parent = parent
        self.func: Scope = self if kind in ("script", "function") else parent.func  # type: ignore[union-attr]
        self.bindings: dict[str, Binding] = {}
        self.materialized = kind in ("script", "function")
        self.nslots = 2
        self.children: list[Scope] = []
        self.strict = strict
        self.arrow = False
        self.is_method = False
        self.uses_this = False
        self.uses_arguments = False
        self.specials: dict[str, Binding] = {}
        self.lexicals: list[Binding] = []       # let/const/class bindings (TDZ reset on entry)
        self.func_decls: list[Any] = []         # FunctionDeclarations hoisted to this scope's start
        self.private_names: set[str] = set()    # class scopes: the #names the class declares
        self.annexb_only: set[str] = set()      # var names that only Annex B.3.3 block functions declare
        self.dyn: Binding | None = None          # `with` object / sloppy direct eval's var object (name lookup)
        self.eval_root = False                   # the top scope of direct eval code
        self.ctor = ""                           # class constructors: "base" or "derived"
        if parent is not None:
            parent.children.append(self)

    def host(self) -> "Scope":
        """The nearest scope at or above this one that owns an environment list."""
        s = self
        while not s.materialized:
            s = s.parent  # type: ignore[assignment]
        return s

    def declare(self, name: str, kind: str, node: Any) -> Binding:
        old = self.bindings.get(name)
        if old is not None:
            if kind in LEXICAL or old.kind in LEXICAL:
                if not (self.kind == "function" and old.kind == "param" and kind == "var"):
                    raise JSSyntaxError(f"Identifier '{name}' has already been declared")
            if kind in ("function",) and old.kind in ("var", "function", "param"):
                old.kind = "function" if old.kind != "param" else "param"
            return old
        b = Binding(name, kind, self, getattr(node, "start", 0))
        self.bindings[name] = b
        if kind in LEXICAL:
            self.lexicals.append(b)
        return b


def bound_names(pattern: Any) -> Iterator[Any]:
    """The Identifier nodes a binding pattern declares."""
    if pattern is None:
        return
    t = type(pattern)
    if t is A.Identifier:
        yield pattern
    elif t is A.ObjectPattern:
        for p in pattern.properties:
            yield from bound_names(p.argument if type(p) is A.RestElement else p.value)
    elif t is A.ArrayPattern:
        for e in pattern.elements:
            yield from bound_names(e)
    elif t is A.RestElement:
        yield from bound_names(pattern.argument)
    elif t is A.AssignmentPattern:
        yield from bound_names(pattern.left)


class Analysis:
    """The result: the scope of each scope-creating node and the binding of each identifier reference."""

    def __init__(self) -> None:
        self.scopes: dict[int, Scope] = {}
        self.refs: dict[int, Binding | None] = {}
        self.with_refs: dict[int, list[Binding]] = {}   # identifiers seen through `with` objects (innermost first)
        self.annexb: dict[int, Binding] = {}    # block FunctionDeclaration -> the var binding B.3.3 also sets
        self.direct_evals: set[int] = set()     # CallExpressions that are direct evals
        # direct evals in a parameter list -> the names a sloppy eval there may not declare as vars (parameters,
        # and `arguments` in non-arrow functions: they live in the scope between the eval and its var scope)
        self.param_evals: dict[int, frozenset[str]] = {}
        # direct eval code only: the var-scoped names a sloppy eval declares in its caller's var scope
        self.eval_var_names: list[str] = []
        self.eval_functions: list[Any] = []     # its top-level function declarations (instantiated there too)
        self.root: Scope | None = None

    def scope_of(self, node: Any) -> Scope | None:
        return self.scopes.get(id(node))

    def binding_of(self, ident: Any) -> Binding | None:
        return self.refs.get(id(ident))

    @staticmethod
    def resolve(binding: Binding, from_scope: Scope) -> tuple[int, int]:
        """(hops, slot) of a binding seen from a scope."""
        target = binding.scope.host()
        hops = 0
        s = from_scope.host()
        while s is not target:
            hops += 1
            s = s.parent.host()  # type: ignore[union-attr]
        return hops, binding.slot


class _Analyzer(ScopeRules):
    def __init__(self, outer: Scope | None = None, may_eval: bool = True) -> None:
        self.an = Analysis()
        self.decl_idents: set[int] = set()
        self.outer = outer                  # direct eval code: the caller's scope (analysed already, read-only)
        self.own: set[int] = set()          # ids of the scopes this analysis made
        self.may_eval = may_eval
        self.eval_owners: set[int] = set()  # function nodes whose own body holds a direct eval
        self.param_scope: Scope | None = None   # the function whose parameter list is being walked
        self.params_only: Scope | None = None   # eval code in this function's parameter list: its body is unseen

    def mine(self, scope: Scope) -> bool:
        """False for the caller's scopes seen from direct eval code: those are never modified."""
        return self.outer is None or id(scope) in self.own

    # -- scopes and hoisting
    def new_scope(self, kind: str, node: Any, parent: Scope | None, strict: bool) -> Scope:
        s = Scope(kind, node, parent, strict)
        self.an.scopes[id(node)] = s
        self.own.add(id(s))
        return s

    def hoist_vars(self, scope: Scope, body: Any) -> None:
        """Declare the ``var`` names and function declarations of a function/script body."""
        stack = list(body) if isinstance(body, list) else [body]
        while stack:
            n = stack.pop()
            if n is None or isinstance(n, (A.FunctionExpression, A.ArrowFunctionExpression, A.ClassExpression,
                                           A.ClassDeclaration)):
                continue
            t = type(n)
            if t is A.FunctionDeclaration:
                continue
            if t is A.VariableDeclaration:
                if n.kind == "var":
                    for d in n.declarations:
                        for ident in bound_names(d.id):
                            scope.declare(ident.name, "var", ident)
                for d in n.declarations:
                    if d.init is not None:
                        pass
                continue
            if isinstance(n, A.Node) and t not in _EXPRESSION_TYPES:
                stack.extend(n.children())

    def hoist_lexical(self, scope: Scope, statements: list[Any], top_level_functions_are_vars: bool) -> None:
        for st in statements:
            t = type(st)
            if t is A.LabeledStatement:
                while type(st) is A.LabeledStatement:
                    st = st.body
                t = type(st)
            if t is A.VariableDeclaration and st.kind != "var":
                for d in st.declarations:
                    for ident in bound_names(d.id):
                        scope.declare(ident.name, st.kind, ident).decl_start = d.end
                        self.decl_idents.add(id(ident))
            elif t is A.ClassDeclaration:
                scope.declare(st.id.name, "class", st.id).decl_start = st.end
                self.decl_idents.add(id(st.id))
            elif t is A.FunctionDeclaration:
                kind = "function" if top_level_functions_are_vars else "let"
                b = scope.declare(st.id.name, kind, st.id)
                if kind == "let":
                    b.kind = "blockfunction"
                    scope.lexicals.remove(b) if b in scope.lexicals else None
                scope.func_decls.append(st)

    # -- walking
    def run(self, program: A.Program, eval_code: bool = False) -> Analysis:
        root = self.new_scope("script", program, None, bool(program.strict))
        self.an.root = root
        if self.may_eval:
            self.scan_direct_evals(program)
        self.hoist_vars(root, program.body)
        top = root
        if eval_code:
            # eval code: let/const/class live in a new declarative environment, functions and vars are global
            top = self.new_scope("block", program.body, root, root.strict)
            self.hoist_lexical(root, [st for st in program.body if type(st) is A.FunctionDeclaration], True)
            self.hoist_lexical(top, [st for st in program.body if type(st) is not A.FunctionDeclaration], False)
            self.annex_b(root, program.body, set(top.bindings))
        else:
            self.hoist_lexical(root, program.body, True)
            self.annex_b(root, program.body)
        for st in program.body:
            self.visit(st, top)
        self.assign_slots(root)
        return self.an

    def visit(self, node: Any, scope: Scope) -> None:
        if node is None:
            return
        m = getattr(self, "visit_" + node.type, None)
        if m is not None:
            m(node, scope)
        else:
            for c in node.children():
                self.visit(c, scope)

    def reference(self, ident: Any, scope: Scope, name: str | None = None) -> Binding | None:
        name = ident.name if name is None else name
        s: Scope | None = scope
        crossed: list[Binding] = []
        while s is not None:
            b = s.bindings.get(name)
            if b is not None and s is self.params_only and b.kind != "param":
                b = None
            if b is None and s.dyn is not None:
                # a `with` object or the var object of a sloppy direct eval may hold the name at run time
                wb = s.dyn
                crossed.append(wb)
                if wb.scope.func is not scope.func and self.mine(wb.scope):
                    wb.captured = True
                self.an.with_refs[id(ident)] = crossed
            if b is not None:
                self.an.refs[id(ident)] = b
                if not self.mine(b.scope):
                    return b
                if b.scope.func is not scope.func:
                    b.captured = True
                    b.tdz = b.tdz or b.is_lexical
                elif b.is_lexical and id(ident) not in self.decl_idents and getattr(ident, "start", 0) < b.decl_start:
                    b.tdz = True
                return b
            if name == "arguments" and s.kind == "function" and not s.arrow:
                if not self.mine(s):
                    b = s.specials.get("arguments")
                    self.an.refs[id(ident)] = b
                    return b
                b = self.special(s, "arguments")
                s.uses_arguments = True
                self.an.refs[id(ident)] = b
                if s is not scope.func:
                    b.captured = True
                return b
            s = s.parent
        self.an.refs[id(ident)] = None
        return None

    def special(self, func_scope: Scope, name: str) -> Binding:
        b = func_scope.specials.get(name)
        if b is None:
            b = Binding("%" + name, "special", func_scope, 0)
            if self.mine(func_scope):
                func_scope.specials[name] = b
        return b

    def this_scope(self, scope: Scope) -> Scope:
        s = scope.func
        while s.kind == "function" and s.arrow:
            s = s.parent.func  # type: ignore[union-attr]
        return s

    def use_special(self, node: Any, scope: Scope, name: str) -> None:
        fs = self.this_scope(scope)
        if fs.kind == "script":
            self.an.refs[id(node)] = None
            return
        if not self.mine(fs):
            self.an.refs[id(node)] = fs.specials.get(name)     # made when the caller's analysis saw the eval
            return
        b = self.special(fs, name)
        if name == "this":
            fs.uses_this = True
        if fs is not scope.func:
            b.captured = True
        self.an.refs[id(node)] = b

    def visit_Identifier(self, node: Any, scope: Scope) -> None:
        self.reference(node, scope)

    def visit_ThisExpression(self, node: Any, scope: Scope) -> None:
        self.use_special(node, scope, "this")

    def visit_Super(self, node: Any, scope: Scope) -> None:
        self.use_special(node, scope, "home")
        fs = self.this_scope(scope)
        if fs.kind != "script" and self.mine(fs):
            self.special(fs, "this")
            fs.uses_this = True
            self.special(fs, "newtarget")
            self.special(fs, "func")
            if fs is not scope.func:
                for n in ("this", "newtarget", "func"):
                    fs.specials[n].captured = True

    def visit_MetaProperty(self, node: Any, scope: Scope) -> None:
        self.use_special(node, scope, "newtarget")

    def visit_MemberExpression(self, node: Any, scope: Scope) -> None:
        self.visit(node.object, scope)
        if node.computed:
            self.visit(node.property, scope)

    def visit_Property(self, node: Any, scope: Scope) -> None:
        if node.computed:
            self.visit(node.key, scope)
        if node.method or node.kind in ("get", "set"):
            self.function(node.value, scope, method=True)    # has a home object: eval code may use super
        else:
            self.visit(node.value, scope)

    def visit_MethodDefinition(self, node: Any, scope: Scope) -> None:
        if node.computed:
            self.visit(node.key, scope)
        self.function(node.value, scope, method=True)
        if node.kind == "constructor":
            self.an.scopes[id(node.value)].ctor = "derived" if scope.node.super_class is not None else "base"

    def visit_PropertyDefinition(self, node: Any, scope: Scope) -> None:
        if node.computed:
            self.visit(node.key, scope)
        if node.value is not None:
            fs = self.new_scope("function", node, scope, True)
            fs.is_method = True
            self.visit(node.value, fs)

    def visit_StaticBlock(self, node: Any, scope: Scope) -> None:
        fs = self.new_scope("function", node, scope, True)
        fs.is_method = True
        self.hoist_vars(fs, node.body)
        self.hoist_lexical(fs, node.body, True)
        for st in node.body:
            self.visit(st, fs)

    def visit_LabeledStatement(self, node: Any, scope: Scope) -> None:
        self.visit(node.body, scope)

    def visit_BreakStatement(self, node: Any, scope: Scope) -> None:
        pass

    visit_ContinueStatement = visit_BreakStatement

    def visit_AssignmentExpression(self, node: Any, scope: Scope) -> None:
        self.visit(node.left, scope)
        self.visit(node.right, scope)
        if node.operator == "+=" and type(node.left) is A.Identifier:
            b = self.an.refs.get(id(node.left))
            if b is not None and self.mine(b.scope):
                b.concat = True

    def visit_FunctionDeclaration(self, node: Any, scope: Scope) -> None:
        self.reference(node.id, scope)
        self.function(node, scope)

    def visit_FunctionExpression(self, node: Any, scope: Scope) -> None:
        self.function(node, scope)

    def visit_ArrowFunctionExpression(self, node: Any, scope: Scope) -> None:
        self.function(node, scope)

    def function(self, node: Any, scope: Scope, method: bool = False) -> None:
        fs = self.new_scope("function", node, scope, bool(node.strict))
        fs.arrow = type(node) is A.ArrowFunctionExpression
        fs.is_method = method
        simple = all(type(p) is A.Identifier for p in node.params)
        for p in node.params:
            for ident in bound_names(p):
                b = fs.declare(ident.name, "param", ident)
                if not simple:
                    b.tdz = True
        if id(node) in self.eval_owners and not fs.strict:
            fs.dyn = fs.declare("#evalvars", "var", node)
            fs.dyn.captured = True
        body = node.body
        # parameter expressions see the parameters and the outer scopes, not the body's declarations
        outer_params, self.param_scope = self.param_scope, fs
        try:
            for p in node.params:
                self.visit_pattern(p, fs)
        finally:
            self.param_scope = outer_params
        if type(body) is A.BlockStatement:
            self.hoist_vars(fs, body.body)
            self.hoist_lexical(fs, body.body, True)
            self.annex_b(fs, body.body)
        if type(node) is A.FunctionExpression and node.id is not None and node.id.name not in fs.bindings:
            fs.declare(node.id.name, "funcname", node.id)
        if type(body) is A.BlockStatement:
            for st in body.body:
                self.visit(st, fs)
        else:
            self.visit(body, fs)

    def visit_pattern(self, p: Any, scope: Scope) -> None:
        """Visit a binding pattern: names were declared already; defaults and computed keys are expressions."""
        t = type(p)
        if t is A.Identifier:
            self.reference(p, scope)
        elif t is A.AssignmentPattern:
            self.visit_pattern(p.left, scope)
            self.visit(p.right, scope)
        elif t is A.ArrayPattern:
            for e in p.elements:
                if e is not None:
                    self.visit_pattern(e, scope)
        elif t is A.ObjectPattern:
            for prop in p.properties:
                if type(prop) is A.RestElement:
                    self.visit_pattern(prop.argument, scope)
                else:
                    if prop.computed:
                        self.visit(prop.key, scope)
                    self.visit_pattern(prop.value, scope)
        elif t is A.RestElement:
            self.visit_pattern(p.argument, scope)
        else:
            self.visit(p, scope)

    visit_ObjectPattern = visit_pattern
    visit_ArrayPattern = visit_pattern
    visit_AssignmentPattern = visit_pattern
    visit_RestElement = visit_pattern

    def visit_VariableDeclarator(self, node: Any, scope: Scope) -> None:
        self.visit_pattern(node.id, scope)
        self.visit(node.init, scope)

    def visit_BlockStatement(self, node: Any, scope: Scope) -> None:
        bs = self.new_scope("block", node, scope, scope.strict)
        self.hoist_lexical(bs, node.body, False)
        for st in node.body:
            self.visit(st, bs)

    def visit_SwitchStatement(self, node: Any, scope: Scope) -> None:
        self.visit(node.discriminant, scope)
        ss = self.new_scope("switch", node, scope, scope.strict)
        for case in node.cases:
            self.hoist_lexical(ss, case.consequent, False)
        for b in ss.bindings.values():
            b.tdz = b.is_lexical
        for case in node.cases:
            self.visit(case.test, ss)
            for st in case.consequent:
                self.visit(st, ss)

    def visit_for(self, node: Any, scope: Scope, head: Any) -> Scope:
        fs = self.new_scope("for", node, scope, scope.strict)
        if type(head) is A.VariableDeclaration and head.kind != "var":
            for d in head.declarations:
                for ident in bound_names(d.id):
                    fs.declare(ident.name, head.kind, ident).decl_start = d.end
                    self.decl_idents.add(id(ident))
        return fs

    def visit_ForStatement(self, node: Any, scope: Scope) -> None:
        fs = self.visit_for(node, scope, node.init)
        self.visit(node.init, fs)
        self.visit(node.test, fs)
        self.visit(node.update, fs)
        self.visit(node.body, fs)

    def visit_ForInStatement(self, node: Any, scope: Scope) -> None:
        fs = self.visit_for(node, scope, node.left)
        before = len(self.an.refs)
        self.visit(node.right, fs)
        for b in list(self.an.refs.values())[before:]:
            if b is not None and b.scope is fs:
                b.tdz = True     # the head's bindings are in their TDZ while the right side runs
        if type(node.left) is A.VariableDeclaration:
            for d in node.left.declarations:
                self.visit_pattern(d.id, fs)
                if d.init is not None:
                    self.visit(d.init, fs)
        else:
            self.visit(node.left, fs)
        self.visit(node.body, fs)

    visit_ForOfStatement = visit_ForInStatement

    def visit_CatchClause(self, node: Any, scope: Scope) -> None:
        cs = self.new_scope("catch", node, scope, scope.strict)
        if node.param is not None:
            for ident in bound_names(node.param):
                cs.declare(ident.name, "catch", ident)
            self.visit_pattern(node.param, cs)
        self.visit(node.body, cs)

    def visit_WithStatement(self, node: Any, scope: Scope) -> None:
        self.visit(node.object, scope)
        ws = self.new_scope("with", node, scope, scope.strict)
        ws.dyn = ws.declare("#with", "var", node)
        self.visit(node.body, ws)

    def visit_ClassDeclaration(self, node: Any, scope: Scope) -> None:
        if node.id is not None:
            self.reference(node.id, scope)
        self.klass(node, scope)

    def visit_ClassExpression(self, node: Any, scope: Scope) -> None:
        self.klass(node, scope)

    def klass(self, node: Any, scope: Scope) -> None:
        cs = self.new_scope("class", node, scope, True)
        if node.id is not None:
            cs.declare(node.id.name, "const", node.id)
            cs.bindings[node.id.name].tdz = True
        for member in node.body.body:
            key = getattr(member, "key", None)
            if type(key) is A.PrivateIdentifier:
                cs.private_names.add(key.name)
        if cs.private_names:
            b = cs.declare("#privates", "var", node)
            b.captured = True
        self.visit(node.super_class, cs)
        for member in node.body.body:
            self.visit(member, cs)

    # -- slots
    def assign_slots(self, scope: Scope) -> None:
        if scope.kind != "script" and scope.kind != "function":
            scope.materialized = any(b.captured for b in scope.bindings.values())
        if scope.kind == "script":
            host = scope
        else:
            host = scope.host()
            for b in scope.bindings.values():
                b.slot = host.nslots
                host.nslots += 1
            if scope.kind == "function":
                for name in ("this", "arguments", "newtarget", "home", "func"):
                    b = scope.specials.get(name)
                    if b is not None:
                        b.slot = host.nslots
                        host.nslots += 1
        for c in scope.children:
            self.assign_slots(c)


_EXPRESSION_TYPES = {
    A.Identifier, A.Literal, A.ThisExpression, A.ArrayExpression, A.ObjectExpression, A.UnaryExpression,
    A.UpdateExpression, A.BinaryExpression, A.AssignmentExpression, A.LogicalExpression, A.MemberExpression,
    A.ChainExpression, A.ConditionalExpression, A.CallExpression, A.NewExpression, A.SequenceExpression,
    A.YieldExpression, A.AwaitExpression, A.TemplateLiteral, A.TaggedTemplateExpression,
}


def analyze(program: A.Program, eval_code: bool = False, may_eval: bool = True) -> Analysis:
    """Analyze a whole script (``eval_code``: an indirect eval's script, whose lexical declarations stay local;
    its scope is ``analysis.scope_of(program.body)``). ``may_eval=False`` (the text never says ``eval``) skips
    the search for direct eval calls."""
    return _Analyzer(may_eval=may_eval).run(program, eval_code)


def analyze_eval(program: A.Program, caller: Scope, in_params: bool = False) -> Analysis:
    """Analyze direct eval code called from ``caller`` (a scope of an analysis made earlier, left unchanged); the
    code's top scope is ``analysis.root``, whose parent is ``caller``. ``in_params``: the call is in the caller's
    parameter list, where the function body's declarations are not in scope."""
    analyzer = _Analyzer(outer=caller)
    if in_params:
        analyzer.params_only = caller
    return analyzer.run_eval(program, caller)
