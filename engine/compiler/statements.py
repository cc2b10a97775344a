"""Statements: declarations, blocks, control flow, loops (with per-iteration environments), switch, try/throw."""

from __future__ import annotations

from typing import Any, Callable

from .. import ast as A
from ..errors import BudgetExceeded, JSThrow, JSTypeError
from ..operations import strict_equals, to_boolean
from ..values import HOLE, UNDEFINED, JSArray, JSObject, PropertyDescriptor
from .core import BREAK, CONTINUE, RETURN, CompilerBase, Stmt, env_at, is_anonymous_function_definition, throw_at

__all__ = ["StatementCompiler", "for_in_keys"]


def _noop(env: list) -> None:
    return None



def annexb_global_copy(realm: Any, name: str, read: Callable[[list], Any]) -> Callable[[list], None]:
    """B.3.3: evaluating a block function sets the global var of its name, unless a global let/const/class holds it."""
    glex = realm.global_lex
    gobj = realm.global_object

    def annexb_global(env: list) -> None:
        if name not in glex:
            gobj.set(name, read(env), gobj)
    return annexb_global

class StatementCompiler(CompilerBase):

    def statements(self, nodes: list[Any]) -> Stmt:
        fns = [self.stmt(n) for n in nodes]
        fns = [f for f in fns if f is not _noop]
        if not fns:
            return _noop
        if len(fns) == 1:
            return fns[0]
        if len(fns) == 2:
            s0, s1 = fns

            def seq2(env: list) -> Any:
                r = s0(env)
                if r is not None:
                    return r
                return s1(env)
            return seq2

        def seq(env: list) -> Any:
            for s in fns:
                r = s(env)
                if r is not None:
                    return r
            return None
        return seq

    def hoisted_functions(self, scope: Any) -> Callable[[list], None] | None:
        """Instantiate the function declarations hoisted to the start of ``scope``."""
        decls = scope.func_decls
        if not decls:
            return None
        makers = [(self.function_maker(d), self.write_var(d.id, init=True)) for d in decls]

        def instantiate(env: list) -> None:
            for make, write in makers:
                write(env, make(env))
        return instantiate

    def scoped(self, node: Any, compile_body: Callable[[], Stmt]) -> Stmt:
        """Compile a body inside the scope ``node`` creates (if any), adding the env/TDZ/function set-up."""
        prev = self.enter(node)
        if prev is None:
            return compile_body()
        scope = self.scope
        try:
            entry = self.block_entry(scope)
            funcs = self.hoisted_functions(scope)
            body = compile_body()
        finally:
            self.scope = prev
        if entry is None and funcs is None:
            return body
        if funcs is None:
            def block_env(env: list) -> Any:
                return body(entry(env))
            return block_env

        def block_full(env: list) -> Any:
            e = entry(env) if entry is not None else env
            funcs(e)
            return body(e)
        return block_full

    # -- simple statements
    def st_EmptyStatement(self, node: Any) -> Stmt:
        return _noop

    st_DebuggerStatement = st_EmptyStatement

    def st_ExpressionStatement(self, node: Any) -> Stmt:
        e = self.expr(node.expression)
        cell = self.completion
        if cell is not None:
            def completion_statement(env: list) -> None:
                cell[0] = e(env)
            return completion_statement

        def expression_statement(env: list) -> None:
            e(env)
        return expression_statement

    def st_BlockStatement(self, node: Any) -> Stmt:
        return self.scoped(node, lambda: self.statements(node.body))

    def st_FunctionDeclaration(self, node: Any) -> Stmt:
        """Instantiated at scope entry; a sloppy block-level one also copies itself to its Annex B var binding
        when evaluated."""
        vb = self.an.annexb.get(id(node))
        if vb is None:
            return _noop
        if vb.kind == "evalvar":
            return self.eval_annexb_copy(node, vb)  # type: ignore[attr-defined, no-any-return]
        read = self._read_var(node.id)
        name = node.id.name
        if vb.is_global:
            return annexb_global_copy(self.realm, name, read)
        hops, slot = self.an.resolve(vb, self.scope)
        up = env_at(hops)

        def annexb_var(env: list) -> None:
            up(env)[slot] = read(env)
        return annexb_var

    def st_ClassDeclaration(self, node: Any) -> Stmt:
        make = self.class_maker(node)
        write = self.write_var(node.id, init=True)

        def class_declaration(env: list) -> None:
            write(env, make(env, None))
        return class_declaration

    def st_VariableDeclaration(self, node: Any) -> Stmt:
        steps = []
        for d in node.declarations:
            if d.init is None:
                if node.kind == "var":
                    continue
                write = self.write_var(d.id, init=True)
                steps.append(lambda env, write=write: write(env, UNDEFINED))
                continue
            bind = self.binder(d.id, init=node.kind != "var")
            if type(d.id) is A.Identifier and is_anonymous_function_definition(d.init):
                make = self.function_maker_named(d.init)
                name = d.id.name
                value = lambda env, make=make, name=name: make(env, name)  # noqa: E731
            else:
                value = self.expr(d.init)
            if type(d.id) is A.Identifier and self.plain(d.id):
                b = self.binding(d.id)
                if b is not None and self.an.resolve(b, self.scope)[0] == 0:
                    slot = b.slot

                    def init0(env: list, value: Any = value, slot: int = slot) -> None:
                        env[slot] = value(env)
                    steps.append(init0)
                    continue
            steps.append(lambda env, bind=bind, value=value: bind(env, value(env)))
        if node.kind == "const":
            for d in node.declarations:
                if self.binding(d.id) is None and type(d.id) is A.Identifier:
                    self.realm.global_consts.add(d.id.name)
                for ident in _names(d.id):
                    if self.an.binding_of(ident) is not None and self.an.binding_of(ident).is_global:
                        self.realm.global_consts.add(ident.name)
        if not steps:
            return _noop
        if len(steps) == 1:
            s0 = steps[0]

            def declare1(env: list) -> None:
                s0(env)
            return declare1

        def declare(env: list) -> None:
            for s in steps:
                s(env)
        return declare

    def st_ReturnStatement(self, node: Any) -> Stmt:
        value = self.expr(node.argument) if node.argument is not None else (lambda env: UNDEFINED)
        hops = 0
        s = self.scope.host()
        fs = self.scope.func
        while s is not fs:
            hops += 1
            s = s.parent.host()
        if hops == 0:
            def return0(env: list) -> Any:
                env[1] = value(env)
                return RETURN
            return return0
        up = env_at(hops)

        def return_(env: list) -> Any:
            up(env)[1] = value(env)
            return RETURN
        return return_

    def st_IfStatement(self, node: Any) -> Stmt:
        test = self.expr(node.test)
        cons = self.stmt(node.consequent)
        alt = self.stmt(node.alternate) if node.alternate is not None else None
        if alt is None:
            def if_(env: list) -> Any:
                t = test(env)
                if t is True or (t is not False and to_boolean(t)):
                    return cons(env)
                return None
            return if_

        def if_else(env: list) -> Any:
            t = test(env)
            if t is True or (t is not False and to_boolean(t)):
                return cons(env)
            return alt(env)
        return if_else

    def st_ThrowStatement(self, node: Any) -> Stmt:
        value = self.expr(node.argument)
        stack = self.realm.stack
        loc = self.loc(node)

        def throw(env: list) -> Any:
            v = value(env)
            raise JSThrow(v, [loc] + stack[::-1])
        return throw

    def st_WithStatement(self, node: Any) -> Stmt:
        if self.scope.strict:
            raise self.syntax_error("Strict mode code may not include a with statement", node)
        obj = self.expr(node.object)
        realm = self.realm
        prev = self.enter(node)
        scope = self.scope
        try:
            entry = self.block_entry(scope)
            slot = scope.bindings["#with"].slot
            body = self.stmt(node.body)
        finally:
            self.scope = prev  # type: ignore[assignment]

        def with_(env: list) -> Any:
            o = realm.to_object(obj(env))
            e = entry(env) if entry is not None else env
            e[slot] = o
            return body(e)
        return with_

    # -- labels, break, continue
    def st_LabeledStatement(self, node: Any) -> Stmt:
        label = node.label.name
        body = node.body
        if type(body) in (A.ForStatement, A.WhileStatement, A.DoWhileStatement, A.ForInStatement,
                          A.ForOfStatement, A.LabeledStatement):
            self.pending_labels.append(label)
            inner = self.stmt(body)
        else:
            self.pending_labels = []
            inner = self.stmt(body)
        brk = self.signal("break", label)

        def labeled(env: list) -> Any:
            r = inner(env)
            if r is brk:
                return None
            return r
        return labeled

    def st_BreakStatement(self, node: Any) -> Stmt:
        sig = BREAK if node.label is None else self.signal("break", node.label.name)
        return lambda env: sig

    def st_ContinueStatement(self, node: Any) -> Stmt:
        sig = CONTINUE if node.label is None else self.signal("continue", node.label.name)
        return lambda env: sig

    def loop_signals(self) -> tuple[set, set]:
        labels, self.pending_labels = self.pending_labels, []
        brk = {BREAK} | {self.signal("break", l) for l in labels}
        cont = {CONTINUE} | {self.signal("continue", l) for l in labels}
        return brk, cont

    # -- loops
    def st_WhileStatement(self, node: Any) -> Stmt:
        brk, cont = self.loop_signals()
        test = self.expr(node.test)
        body = self.stmt(node.body)
        budget = self.realm.budget

        def while_(env: list) -> Any:
            while True:
                t = test(env)
                if not (t is True or (t is not False and to_boolean(t))):
                    return None
                r = body(env)
                if r is not None:
                    if r in brk:
                        return None
                    if r not in cont:
                        return r
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
        return while_

    def st_DoWhileStatement(self, node: Any) -> Stmt:
        brk, cont = self.loop_signals()
        test = self.expr(node.test)
        body = self.stmt(node.body)
        budget = self.realm.budget

        def do_while(env: list) -> Any:
            while True:
                r = body(env)
                if r is not None:
                    if r in brk:
                        return None
                    if r not in cont:
                        return r
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
                if not to_boolean(test(env)):
                    return None
        return do_while

    def st_ForStatement(self, node: Any) -> Stmt:
        brk, cont = self.loop_signals()
        prev = self.enter(node)
        scope = self.scope
        try:
            entry = self.block_entry(scope) if prev is not None else None
            per_iteration = prev is not None and scope.materialized
            init = self.stmt(node.init) if type(node.init) is A.VariableDeclaration else \
                self.expr(node.init) if node.init is not None else None
            test = self.expr(node.test) if node.test is not None else None
            update = self.expr(node.update) if node.update is not None else None
            body = self.stmt(node.body)
        finally:
            if prev is not None:
                self.scope = prev
        budget = self.realm.budget

        def for_(env: list) -> Any:
            e = entry(env) if entry is not None else env
            if init is not None:
                init(e)
            if per_iteration:
                e = e[:]
            while True:
                if test is not None:
                    t = test(e)
                    if not (t is True or (t is not False and to_boolean(t))):
                        return None
                r = body(e)
                if r is not None:
                    if r in brk:
                        return None
                    if r not in cont:
                        return r
                if per_iteration:
                    e = e[:]
                if update is not None:
                    update(e)
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
        return for_

    def for_each_head(self, node: Any) -> tuple[Any, Any, Any, Any]:
        """(entry, bind, right, body) for for-in/for-of; ``right`` is evaluated in the TDZ scope of the head."""
        prev = self.enter(node)
        scope = self.scope
        try:
            entry = self.block_entry(scope) if prev is not None else None
            left = node.left
            if type(left) is A.VariableDeclaration:
                decl = left.declarations[0]
                bind = self.binder(decl.id, init=left.kind != "var")
            else:
                bind = self.binder(left, init=False)
            right = self.expr(node.right)
            body = self.stmt(node.body)
        finally:
            if prev is not None:
                self.scope = prev
        return entry, bind, right, body

    def st_ForInStatement(self, node: Any) -> Stmt:
        brk, cont = self.loop_signals()
        entry, bind, right, body = self.for_each_head(node)
        realm = self.realm
        budget = realm.budget

        def for_in(env: list) -> Any:
            obj = right(entry(env) if entry is not None else env)
            if obj is UNDEFINED or obj is None:
                return None
            o = realm.to_object(obj)
            for key, holder in for_in_keys(o):
                if holder.get_own_property(key) is None:
                    continue
                e = entry(env) if entry is not None else env
                bind(e, key)
                r = body(e)
                if r is not None:
                    if r in brk:
                        return None
                    if r not in cont:
                        return r
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
            return None
        return for_in

    def st_ForOfStatement(self, node: Any) -> Stmt:
        if node.await_:
            return self.for_await(node)
        brk, cont = self.loop_signals()
        entry, bind, right, body = self.for_each_head(node)
        realm = self.realm
        budget = realm.budget
        from ..builtins.iterator import _is_plain_array_iteration, get_iterator, iterator_close, \
            iterator_close_on_throw
        from ..realm import CATCHABLE

        def for_of(env: list) -> Any:
            iterable = right(entry(env) if entry is not None else env)
            if _is_plain_array_iteration(realm, iterable):
                i = 0
                elems = iterable.elems
                while i < iterable.length:
                    v = elems[i] if i < len(elems) else HOLE
                    if v is HOLE or type(v) is PropertyDescriptor:
                        v = iterable.get(str(i))
                    i += 1
                    e = entry(env) if entry is not None else env
                    bind(e, v)
                    r = body(e)
                    if r is not None:
                        if r in brk:
                            return None
                        if r not in cont:
                            return r
                    budget.left -= 1
                    if budget.left < 0:
                        budget.spent()
                    elems = iterable.elems
                return None
            it, nxt = get_iterator(realm, iterable)
            while True:
                res = nxt.call(it, [])
                if not isinstance(res, JSObject):
                    raise JSTypeError(f"Iterator result {realm.display(res)} is not an object")
                if to_boolean(res.get("done")):
                    return None
                v = res.get("value")
                try:
                    e = entry(env) if entry is not None else env
                    bind(e, v)
                    r = body(e)
                except CATCHABLE:
                    iterator_close_on_throw(it)
                    raise
                except BudgetExceeded:
                    raise
                except BaseException:
                    iterator_close(it)
                    raise
                if r is not None:
                    if r in brk:
                        iterator_close(it)
                        return None
                    if r not in cont:
                        iterator_close(it)
                        return r
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
        return for_of

    # -- switch
    def st_SwitchStatement(self, node: Any) -> Stmt:
        labels, self.pending_labels = self.pending_labels, []
        disc = self.expr(node.discriminant)
        prev = self.enter(node)
        scope = self.scope
        try:
            entry = self.block_entry(scope) if prev is not None else None
            funcs = self.hoisted_functions(scope) if prev is not None else None
            cases = [(self.expr(c.test) if c.test is not None else None, self.statements(c.consequent))
                     for c in node.cases]
        finally:
            if prev is not None:
                self.scope = prev
        default_index = next((i for i, c in enumerate(node.cases) if c.test is None), -1)
        _ = labels

        def switch(env: list) -> Any:
            v = disc(env)
            e = entry(env) if entry is not None else env
            if funcs is not None:
                funcs(e)
            start = -1
            for i, (test, _) in enumerate(cases):
                if test is not None and strict_equals(v, test(e)):
                    start = i
                    break
            if start < 0:
                start = default_index
                if start < 0:
                    return None
            for _, run in cases[start:]:
                r = run(e)
                if r is not None:
                    if r is BREAK:
                        return None
                    return r
            return None
        return switch

    # -- try
    def st_TryStatement(self, node: Any) -> Stmt:
        block = self.stmt(node.block)
        realm = self.realm
        from ..realm import CATCHABLE
        inner = block
        if node.handler is not None:
            handler = self.catch_clause(node.handler)

            def try_catch(env: list) -> Any:
                try:
                    return block(env)
                except CATCHABLE as exc:
                    value = realm.to_js_value(exc)
                return handler(env, value)
            inner = try_catch
        if node.finalizer is None:
            return inner
        finalizer = self.stmt(node.finalizer)

        def try_finally(env: list) -> Any:
            try:
                r = inner(env)
            except BudgetExceeded:
                raise
            except BaseException:
                f = finalizer(env)
                if f is not None:
                    return f
                raise
            f = finalizer(env)
            if f is not None:
                return f
            return r
        return try_finally

    def catch_clause(self, node: Any) -> Callable[[list, Any], Any]:
        prev = self.enter(node)
        scope = self.scope
        try:
            entry = self.block_entry(scope)
            bind = self.binder(node.param, init=True) if node.param is not None else None
            body = self.stmt(node.body)
        finally:
            self.scope = prev  # type: ignore[assignment]

        def catch(env: list, value: Any) -> Any:
            e = entry(env) if entry is not None else env
            if bind is not None:
                bind(e, value)
            return body(e)
        return catch


def for_in_keys(o: JSObject) -> list[tuple[str, JSObject]]:
    """The enumerable string keys of ``o`` and its prototypes (shadowed ones once), with their holder."""
    seen: set[str] = set()
    out: list[tuple[str, JSObject]] = []
    cur: JSObject | None = o
    while cur is not None:
        for k in cur.own_property_keys():
            if type(k) is not str or k in seen:
                continue
            seen.add(k)
            d = cur.get_own_property(k)
            if d is not None and d.enumerable is True:
                out.append((k, cur))
        cur = cur.get_prototype_of()
    return out


def _names(pattern: Any) -> list[Any]:
    from ..scope import bound_names
    return list(bound_names(pattern))


_ = (JSArray, throw_at)
