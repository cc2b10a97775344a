"""The scope rules that reach past plain nesting: Annex B block-level functions and direct eval.

A mixin of the scope analyzer (``scope._Analyzer``): sloppy block functions also get a var binding in their
function or script (B.3.3), and direct eval calls are found before the walk so that everything they may see stays
reachable at run time; eval code itself is analysed below its caller's scope (``run_eval``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ast as A

if TYPE_CHECKING:
    from .scope import Analysis, Binding, Scope

__all__ = ["ScopeRules", "var_scope_of", "lexical_between"]


class ScopeRules:
    """Annex B.3.3 and direct-eval analysis, mixed into the analyzer."""

    if TYPE_CHECKING:
        an: Analysis
        own: set[int]
        may_eval: bool
        eval_owners: set[int]
        param_scope: Scope | None

        def mine(self, scope: Scope) -> bool: ...
        def hoist_vars(self, scope: Scope, body: Any) -> None: ...
        def hoist_lexical(self, scope: Scope, statements: list[Any], top_level_functions_are_vars: bool) -> None: ...
        def visit(self, node: Any, scope: Scope) -> None: ...
        def assign_slots(self, scope: Scope) -> None: ...
        def special(self, func_scope: Scope, name: str) -> Binding: ...
        def this_scope(self, scope: Scope) -> Scope: ...

    # -- Annex B.3.3: block-level functions in sloppy code also get a var binding
    def annex_b(self, fscope: Scope, body: list[Any], lexical: set[str] | None = None) -> None:
        """Give each sloppy block-level function declaration a var binding in ``fscope`` unless ``var F`` there would
        clash with a lexical declaration on the way (https://tc39.es/ecma262/#sec-block-level-function-declarations-
        web-legacy-compatibility-semantics); the declaration's evaluation copies the block binding into it."""
        if fscope.strict:
            return
        enclosing = [lexical] if lexical else []
        for st in body:
            self._annexb_stmt(st, fscope, enclosing)

    def _annexb_candidate(self, decl: Any, fscope: Scope, enclosing: list[set[str]]) -> None:
        if decl.generator or decl.async_:
            return
        name = decl.id.name
        if name == "arguments" and fscope.kind == "function" and not fscope.eval_root:
            return
        for names in enclosing:
            if name in names:
                return
        if fscope.eval_root:
            # sloppy direct eval: the var binding lives in the caller's var scope, made at run time
            from .scope import Binding
            self.an.annexb[id(decl)] = Binding(name, "evalvar", fscope, 0)
            if name not in self.an.eval_var_names:
                self.an.eval_var_names.append(name)
                fscope.annexb_only.add(name)
            return
        b = fscope.bindings.get(name)
        if b is not None and (b.is_lexical or b.kind in ("param", "blockfunction")):
            return
        if b is None:
            b = fscope.declare(name, "var", decl.id)
            fscope.annexb_only.add(name)
        self.an.annexb[id(decl)] = b

    def _annexb_block(self, stmts: list[Any], fscope: Scope, enclosing: list[set[str]], extra: set[str]) -> None:
        names = set(extra)
        decls = []
        for st in stmts:
            while type(st) is A.LabeledStatement:
                st = st.body
            t = type(st)
            if t is A.VariableDeclaration and st.kind != "var":
                for d in st.declarations:
                    names.update(i.name for i in _bound_names(d.id))
            elif t is A.ClassDeclaration:
                names.add(st.id.name)
            elif t is A.FunctionDeclaration:
                decls.append(st)
                names.add(st.id.name)     # lexical in this block: blocks an inner block's F
        inner = enclosing + [names]
        for d in decls:
            self._annexb_candidate(d, fscope, enclosing)
        for st in stmts:
            self._annexb_stmt(st, fscope, inner)

    def _annexb_stmt(self, st: Any, fscope: Scope, enclosing: list[set[str]]) -> None:
        t = type(st)
        if t is A.BlockStatement:
            self._annexb_block(st.body, fscope, enclosing, set())
        elif t is A.IfStatement:
            _wrap_if_functions(st)
            self._annexb_stmt(st.consequent, fscope, enclosing)
            if st.alternate is not None:
                self._annexb_stmt(st.alternate, fscope, enclosing)
        elif t is A.SwitchStatement:
            self._annexb_block([c for case in st.cases for c in case.consequent], fscope, enclosing, set())
        elif t in (A.ForStatement, A.ForInStatement, A.ForOfStatement):
            head = st.init if t is A.ForStatement else st.left
            names: set[str] = set()
            if type(head) is A.VariableDeclaration and head.kind != "var":
                for d in head.declarations:
                    names.update(i.name for i in _bound_names(d.id))
            self._annexb_stmt(st.body, fscope, enclosing + [names] if names else enclosing)
        elif t in (A.WhileStatement, A.DoWhileStatement, A.LabeledStatement, A.WithStatement):
            self._annexb_stmt(st.body, fscope, enclosing)
        elif t is A.TryStatement:
            self._annexb_stmt(st.block, fscope, enclosing)
            h = st.handler
            if h is not None:
                # B.3.4: `var e` may redeclare a simple catch parameter, so only a destructured one blocks F
                names = set() if h.param is None or type(h.param) is A.Identifier else \
                    {i.name for i in _bound_names(h.param)}
                self._annexb_block(h.body.body, fscope, enclosing, names)
            if st.finalizer is not None:
                self._annexb_stmt(st.finalizer, fscope, enclosing)

    def run_eval(self, program: A.Program, caller: Scope) -> Analysis:
        """Direct eval code: its top scope hangs below the caller's scope (arrow-like, so ``this``, ``arguments``,
        ``new.target`` and ``super`` are the caller's); a sloppy eval's var and function declarations are left to
        the caller's var scope (https://tc39.es/ecma262/#sec-evaldeclarationinstantiation)."""
        from .scope import Scope
        strict = bool(program.strict) or caller.strict
        root = Scope("function", program, None, strict)
        root.parent = caller
        root.arrow = True
        root.eval_root = True
        self.an.scopes[id(program)] = root
        self.own.add(id(root))
        self.an.root = root
        if self.may_eval:
            self.scan_direct_evals(program)
        body = program.body
        if strict:
            self.hoist_vars(root, body)
            self.hoist_lexical(root, body, True)
        else:
            names = Scope("function", None, None)
            self.hoist_vars(names, body)
            functions = [st for st in body if type(st) is A.FunctionDeclaration]
            self.hoist_lexical(root, [st for st in body if type(st) is not A.FunctionDeclaration], False)
            var_names = self.an.eval_var_names
            var_names.extend(names.bindings)
            for f in functions:
                if f.id.name not in var_names:
                    var_names.append(f.id.name)
            self.an.eval_functions = functions
            self.annex_b(root, body, set(root.bindings) | lexical_between(caller, var_scope_of(caller)))
        for st in body:
            self.visit(st, root)
        self.assign_slots(root)
        return self.an

    def scan_direct_evals(self, root: Any) -> None:
        """Which function's own code holds a direct eval (its var scope then gets a var object for the names a
        sloppy eval declares); one pass before the walk, since references before the call need to know."""
        owners = self.eval_owners
        stack: list[tuple[Any, int]] = [(root, id(root))]
        call, ident = A.CallExpression, A.Identifier
        fn_nodes = (A.FunctionDeclaration, A.FunctionExpression, A.ArrowFunctionExpression)
        while stack:
            n, owner = stack.pop()
            t = type(n)
            if t is call and type(n.callee) is ident and n.callee.name == "eval" and not n.optional:
                owners.add(owner)
            elif t in fn_nodes:
                owner = id(n)
            for c in n.children():
                stack.append((c, owner))

    def mark_direct_eval(self, node: Any, scope: Scope) -> None:
        """Eval code may read or assign any binding in sight, or use this/arguments/new.target/super: keep them
        all in environment lists it can reach (captured), with TDZ checks, and make the specials exist."""
        self.an.direct_evals.add(id(node))
        if self.param_scope is not None and self.param_scope is scope.func:
            ps = self.param_scope
            names = {n for n, b in ps.bindings.items() if b.kind == "param"}
            if not ps.arrow:
                names.add("arguments")
            self.an.param_evals[id(node)] = frozenset(names)
        s: Scope | None = scope
        while s is not None and s.kind != "script" and self.mine(s):
            for b in s.bindings.values():
                b.captured = True
                if b.is_lexical:
                    b.tdz = True
            s = s.parent
        fs = self.this_scope(scope)
        if fs.kind != "script" and self.mine(fs):
            for name in ("this", "newtarget", "home", "func"):
                self.special(fs, name).captured = True
            fs.uses_this = True
        s = scope.func
        while s.kind == "function" and s.arrow:
            s = s.parent.func  # type: ignore[union-attr]
        if s.kind == "function" and self.mine(s) and type(s.node) not in (A.PropertyDefinition, A.StaticBlock):
            self.special(s, "arguments").captured = True
            s.uses_arguments = True

    def visit_CallExpression(self, node: Any, scope: Scope) -> None:
        callee = node.callee
        if type(callee) is A.Identifier and callee.name == "eval" and not node.optional:
            self.mark_direct_eval(node, scope)
        for c in node.children():
            self.visit(c, scope)

    def visit_IfStatement(self, node: Any, scope: Scope) -> None:
        _wrap_if_functions(node)
        self.visit(node.test, scope)
        self.visit(node.consequent, scope)
        self.visit(node.alternate, scope)


def _bound_names(pattern: Any) -> Any:
    from .scope import bound_names
    return bound_names(pattern)


def var_scope_of(scope: Scope) -> Scope:
    """The scope whose var environment a sloppy direct eval called in ``scope`` declares its vars in."""
    s = scope.func
    while s.eval_root and not s.strict:
        s = s.parent.func  # type: ignore[union-attr]
    return s


def lexical_between(scope: Scope, var_scope: Scope) -> set[str]:
    """Lexically declared names from ``scope`` up to ``var_scope`` (its own top-level ones included): a var of
    the same name declared by a sloppy direct eval there is a SyntaxError. Catch parameters may be redeclared
    (B.3.4) and `with` objects do not count."""
    names: set[str] = set()
    s: Scope | None = scope
    while s is not None and s is not var_scope:
        if s.kind not in ("catch", "with"):
            names.update(n for n, b in s.bindings.items() if b.is_lexical or b.kind == "blockfunction")
        s = s.parent
    if var_scope.kind == "function":
        names.update(n for n, b in var_scope.bindings.items() if b.is_lexical or b.kind == "blockfunction")
    return names


def _wrap_if_functions(node: Any) -> None:
    """B.3.4: ``if (x) function f() {}`` behaves as if the declaration were in a block of its own."""
    for field in ("consequent", "alternate"):
        st = getattr(node, field)
        if type(st) is A.FunctionDeclaration:
            setattr(node, field, A.BlockStatement([st]).copy_position(st))
