"""Assignment, update expressions and destructuring: a target compiles to a binder ``bind(env, value)``."""

from __future__ import annotations

from typing import Any, Callable

from .. import ast as A
from ..errors import JSTypeError
from ..operations import BIG_STRING, append_string, big_string, js_add, to_boolean, to_numeric, to_property_key
from ..values import HOLE, MISSING, UNDEFINED, UNINIT, JSArray, JSBigInt, JSObject, PropertyDescriptor
from ..builtins.generator import GeneratorReturn
from ..builtins.iterator import get_iterator, iterator_close, iterator_close_on_throw
from .core import CompilerBase, Expr, is_anonymous_function_definition, throw_at
from .expressions import copy_data_properties, get_member, put_member
from .operators import numeric_op

__all__ = ["PatternCompiler"]

Binder = Callable[[list, Any], None]


class PatternCompiler(CompilerBase):

    # -- binders
    def binder(self, target: Any, init: bool) -> Binder:
        """Assign a value to an identifier, member expression or pattern (``init``: a declaration)."""
        t = type(target)
        if t is A.Identifier:
            return self.write_var(target, init)
        if t is A.MemberExpression:
            return self.member_binder(target)
        if t is A.ObjectPattern:
            return self.object_binder(target, init)
        if t is A.ArrayPattern:
            return self.array_binder(target, init)
        if t is A.AssignmentPattern:
            inner = self.binder(target.left, init)
            default = self.default_value(target.left, target.right)

            def with_default(env: list, value: Any) -> None:
                if value is UNDEFINED:
                    value = default(env)
                inner(env, value)
            return with_default
        raise self.syntax_error("Invalid destructuring assignment target", target)

    def default_value(self, left: Any, right: Any) -> Expr:
        if type(left) is A.Identifier and is_anonymous_function_definition(right):
            make = self.function_maker_named(right)
            name = left.name
            return lambda env: make(env, name)
        return self.expr(right)

    def member_binder(self, target: Any) -> Binder:
        realm = self.realm
        strict = self.scope.strict
        loc = self.loc(target)
        if type(target.object) is A.Super:
            return self.super_member_binder(target)
        if type(target.property) is A.PrivateIdentifier:
            obj = self.expr(target.object)
            writer = self.private_writer(target)

            def bind_private(env: list, value: Any) -> None:
                writer(env, obj(env), value)
            return bind_private
        obj = self.expr(target.object)
        key = self.member_key(target)

        def bind_member(env: list, value: Any) -> None:
            o = obj(env)
            k = key(env)
            try:
                put_member(realm, o, k, value, strict)
            except JSTypeError as exc:
                raise throw_at(realm, "TypeError", exc.message, loc) from None
        return bind_member

    def target_ref(self, target: Any) -> Callable[[list], Callable[[Any], None]] | None:
        """A destructuring target whose reference is evaluated before its value is read (``lref`` in
        https://tc39.es/ecma262/#sec-runtime-semantics-iteratordestructuringassignmentevaluation): ``prepare(env)``
        evaluates the base and key and returns ``put(value)``, which applies a default, converts the key and sets.
        None for identifiers and nested patterns, whose evaluation has no visible effect."""
        t = type(target)
        if t is A.AssignmentPattern:
            inner = self.target_ref(target.left)
            if inner is None:
                return None
            default = self.default_value(target.left, target.right)

            def prepare_default(env: list) -> Callable[[Any], None]:
                put = inner(env)  # type: ignore[misc]

                def put_default(value: Any) -> None:
                    put(default(env) if value is UNDEFINED else value)
                return put_default
            return prepare_default
        if t is not A.MemberExpression:
            return None
        if type(target.object) is A.Super:
            return self.super_target(target)
        realm = self.realm
        strict = self.scope.strict
        loc = self.loc(target)
        obj = self.expr(target.object)
        if type(target.property) is A.PrivateIdentifier:
            writer = self.private_writer(target)

            def prepare_private(env: list) -> Callable[[Any], None]:
                o = obj(env)
                return lambda value: writer(env, o, value)
            return prepare_private
        raw_key = self.expr(target.property) if target.computed else None
        name = None if target.computed else target.property.name

        def prepare(env: list) -> Callable[[Any], None]:
            o = obj(env)
            rk = raw_key(env) if raw_key is not None else name

            def put(value: Any) -> None:
                try:
                    if o is UNDEFINED or o is None:
                        raise JSTypeError(f"Cannot set properties of {realm.display(o)}")
                    put_member(realm, o, rk if type(rk) is str else to_property_key(rk), value, strict)
                except JSTypeError as exc:
                    raise throw_at(realm, "TypeError", exc.message, loc) from None
            return put
        return prepare

    def object_binder(self, pattern: Any, init: bool) -> Binder:
        realm = self.realm
        loc = self.loc(pattern)
        steps: list[tuple[Any, Any, Any]] = []
        rest: Binder | None = None
        for p in pattern.properties:
            if type(p) is A.RestElement:
                rest = self.binder(p.argument, init)
                continue
            key = self.property_key(p)
            ref = None if init else self.target_ref(p.value)
            steps.append((key, self.binder(p.value, init) if ref is None else None, ref))

        def bind_object(env: list, value: Any) -> None:
            if value is UNDEFINED or value is None:
                raise throw_at(realm, "TypeError", f"Cannot destructure '{realm.display(value)}' as it is "
                                                   f"{'undefined' if value is UNDEFINED else 'null'}.", loc)
            used = []
            for key, bind, ref in steps:
                k = key(env)
                used.append(k)
                if ref is not None:
                    ref(env)(get_member(realm, value, k))
                else:
                    bind(env, get_member(realm, value, k))
            if rest is not None:
                o = realm.new_object()
                copy_data_properties(realm, o, value, used)
                rest(env, o)
        return bind_object

    def array_binder(self, pattern: Any, init: bool) -> Binder:
        realm = self.realm
        items: list[tuple[int, Binder | None, Any]] = []
        for e in pattern.elements:
            if e is None:
                items.append((0, None, None))
                continue
            target = e.argument if type(e) is A.RestElement else e
            ref = None if init else self.target_ref(target)
            items.append((2 if type(e) is A.RestElement else 1, self.binder(target, init) if ref is None else None,
                          ref))

        def bind_array(env: list, value: Any) -> None:
            it, nxt = get_iterator(realm, value)
            done = False

            def step() -> Any:
                nonlocal done
                if done:
                    return UNDEFINED
                try:
                    r = nxt.call(it, [])
                    if not isinstance(r, JSObject):
                        raise JSTypeError("iterator result is not an object")
                    if to_boolean(r.get("done")):
                        done = True
                        return UNDEFINED
                    return r.get("value")
                except BaseException:
                    done = True
                    raise
            try:
                for kind, bind, ref in items:
                    if kind == 0:
                        step()
                        continue
                    put = ref(env) if ref is not None else None
                    if kind == 1:
                        v = step()
                    else:
                        out = []
                        while True:
                            v = step()
                            if done:
                                break
                            out.append(v)
                        v = realm.new_array(out)
                    if put is not None:
                        put(v)
                    else:
                        bind(env, v)  # type: ignore[misc]
            except GeneratorReturn:
                if not done:
                    iterator_close(it)  # a return completion: return()'s own throw or non-object result wins
                raise
            except BaseException:
                if not done:
                    iterator_close_on_throw(it)
                raise
            if not done:
                iterator_close(it)
        return bind_array

    # -- assignment expressions
    def ex_AssignmentExpression(self, node: Any) -> Expr:
        op = node.operator
        left = node.left
        if op == "=":
            if type(left) is A.Identifier and not self.plain(left):
                wref = self.with_reference(left)
                wvalue = self.expr(node.right)

                def assign_with(env: list) -> Any:
                    _, put = wref(env)
                    v = wvalue(env)
                    put(v)
                    return v
                return assign_with
            if type(left) is A.Identifier:
                write = self.write_var(left)
                if is_anonymous_function_definition(node.right):
                    make = self.function_maker_named(node.right)
                    name = left.name
                    value = lambda env: make(env, name)  # noqa: E731
                else:
                    value = self.expr(node.right)

                def assign_var(env: list) -> Any:
                    v = value(env)
                    write(env, v)
                    return v
                return assign_var
            if type(left) is A.MemberExpression:
                return self.assign_member(node)
            bind = self.binder(left, False)
            value = self.expr(node.right)

            def assign_pattern(env: list) -> Any:
                v = value(env)
                bind(env, v)
                return v
            return assign_pattern
        if op in ("&&=", "||=", "??="):
            return self.logical_assign(node)
        bop = op[:-1]
        if type(left) is A.Identifier and self.plain(left):
            fast = self.concat_assign(node) if bop == "+" else None
            if fast is not None:
                return fast
            read = self.read_var(left)
            write = self.write_var(left)
            right = self.expr(node.right)
            combine = _combiner(bop, self.realm, self.loc(node))

            def compound_var(env: list) -> Any:
                v = combine(read(env), right(env))
                write(env, v)
                return v
            return compound_var
        ref = self.with_reference(left) if type(left) is A.Identifier else self.reference(left)
        right = self.expr(node.right)
        combine = _combiner(bop, self.realm, self.loc(node))

        def compound_member(env: list) -> Any:
            get, put = ref(env)
            v = combine(get(), right(env))
            put(v)
            return v
        return compound_member

    def concat_assign(self, node: Any) -> Expr | None:
        """``x += y`` on a plain local: reuse the string buffer in place (CPython resizes a str whose only
        reference is the local being assigned), which keeps repeated appends linear."""
        if not self.plain(node.left):
            return None
        b = self.binding(node.left)
        if b is None and self.an.binding_of(node.left) is not None and \
                self.an.binding_of(node.left).kind in ("var", "function"):
            return self.global_concat_assign(node)
        if b is None or b.kind in ("const", "funcname") or b.tdz:
            return None
        hops, slot = self.an.resolve(b, self.scope)
        right = self.expr(node.right)
        realm = self.realm
        budget = realm.budget
        max_len = budget.max_string_length
        big = min(max_len, BIG_STRING)
        loc = self.loc(node)
        from .core import env_at
        up = env_at(hops)

        def concat(env: list) -> Any:
            e = up(env)
            v = e[slot]
            r = right(env)
            if type(v) is str and type(r) is str:
                if len(v) > big or len(r) > big:
                    # What the account holds for v moves to the result (first: its own reference would make
                    # CPython copy v); a big piece is checked (and charged) before the copy.
                    held = budget.take(v) if budget.held else 0
                    before = budget.memory + budget.swept
                    if len(r) > big and not append_string(budget, v, r):
                        budget.hold(v, held)
                        raise throw_at(realm, "RangeError", "Invalid string length", loc)
                    e[slot] = None
                    v += r
                    if len(v) > max_len:
                        e[slot] = v = v[:len(v) - len(r)]
                        budget.hold(v, held)
                        raise throw_at(realm, "RangeError", "Invalid string length", loc)
                    e[slot] = v
                    budget.hold(v, held + budget.memory + budget.swept - before)
                    return v
                e[slot] = None  # a small piece on a small string: in place, no account
                v += r
                if len(v) > max_len:
                    e[slot] = v[:len(v) - len(r)]
                    raise throw_at(realm, "RangeError", "Invalid string length", loc)
                e[slot] = v
                return v
            if type(v) is float and type(r) is float:
                v = v + r
            else:
                v = js_add(v, r)
            e[slot] = v
            return v
        return concat

    def global_concat_assign(self, node: Any) -> Expr:
        """``x += y`` on a top-level ``var``: the value lives in the global object's property descriptor; append in
        place the same way as for locals."""
        name = node.left.name
        realm = self.realm
        gprops = realm.global_object.props
        right = self.expr(node.right)
        read = self.read_var(node.left)
        write = self.write_var(node.left)
        budget = realm.budget
        max_len = budget.max_string_length
        big = min(max_len, BIG_STRING)
        loc = self.loc(node)

        def global_concat(env: list) -> Any:
            d = gprops.get(name)
            if type(d) is PropertyDescriptor and d.writable is True and name not in realm.global_lex:
                v = d.value
                r = right(env)
                if type(v) is str and type(r) is str:
                    if len(v) > big or len(r) > big:  # (as in ``concat``)
                        held = budget.take(v) if budget.held else 0
                        before = budget.memory + budget.swept
                        if len(r) > big and not append_string(budget, v, r):
                            budget.hold(v, held)
                            raise throw_at(realm, "RangeError", "Invalid string length", loc)
                        d.value = None
                        v += r
                        if len(v) > max_len:
                            d.value = v = v[:len(v) - len(r)]
                            budget.hold(v, held)
                            raise throw_at(realm, "RangeError", "Invalid string length", loc)
                        d.value = v
                        budget.hold(v, held + budget.memory + budget.swept - before)
                        return v
                    d.value = None
                    v += r
                    if len(v) > max_len:
                        d.value = v[:len(v) - len(r)]
                        raise throw_at(realm, "RangeError", "Invalid string length", loc)
                    d.value = v
                    return v
                v = v + r if type(v) is float and type(r) is float else js_add(v, r)
                d.value = v
                return v
            v = js_add(read(env), right(env))
            write(env, v)
            return v
        return global_concat

    def assign_member(self, node: Any) -> Expr:
        target = node.left
        realm = self.realm
        if type(target.object) is A.Super or type(target.property) is A.PrivateIdentifier:
            prepare = self.target_ref(target)
            value = self.expr(node.right)

            def assign_special(env: list) -> Any:
                put = prepare(env)  # type: ignore[misc]
                v = value(env)
                put(v)
                return v
            return assign_special
        obj = self.expr(target.object)
        strict = self.scope.strict
        loc = self.loc(node)
        value = self.expr(node.right)
        budget = realm.budget  # an append past max_array_length takes the slow path: its RangeError

        def fail(o: Any, k: Any, v: Any) -> None:
            try:
                put_member(realm, o, k, v, strict)
            except JSTypeError as exc:
                raise throw_at(realm, "TypeError", exc.message, loc) from None

        if not target.computed:
            name = target.property.name

            def assign_named(env: list) -> Any:
                o = obj(env)
                v = value(env)
                if isinstance(o, JSObject) and not o.exotic:
                    props = o.props
                    old = props.get(name, MISSING)
                    if old is not MISSING and type(old) is not PropertyDescriptor:
                        props[name] = v
                        return v
                    if o.set(name, v, o) or not strict:
                        return v
                fail(o, name, v)
                return v
            return assign_named
        prop = self.expr(target.property)

        def assign_computed(env: list) -> Any:
            o = obj(env)
            k = prop(env)
            v = value(env)
            if type(k) is float and type(o) is JSArray:
                elems = o.elems
                n = len(elems)
                if 0 <= k <= n:
                    i = int(k)
                    if i == k:
                        if i < n:
                            old = elems[i]
                            if old is not HOLE and type(old) is not PropertyDescriptor:
                                elems[i] = v
                                return v
                        elif n == o.length and n < budget.max_array_length and o.extensible and o.length_writable:
                            elems.append(v)
                            o.length = n + 1
                            return v
            if o is UNDEFINED or o is None:
                raise throw_at(realm, "TypeError", f"Cannot set properties of {realm.display(o)} "
                                                   f"(setting '{realm.display(k)}')", loc)
            key = k if type(k) is str else to_property_key(k)
            if isinstance(o, JSObject):
                if o.set(key, v, o) or not strict:
                    return v
            fail(o, key, v)
            return v
        return assign_computed

    def reference(self, target: Any) -> Callable[[list], tuple[Callable[[], Any], Callable[[Any], None]]]:
        """A member reference evaluated once: ``ref(env) -> (get(), put(v))`` for compound assignment/update."""
        realm = self.realm
        strict = self.scope.strict
        loc = self.loc(target)
        if type(target) is not A.MemberExpression:
            raise self.syntax_error("Invalid left-hand side in assignment", target)
        if type(target.object) is A.Super:
            return self.super_reference(target)
        obj = self.expr(target.object)
        if type(target.property) is A.PrivateIdentifier:
            reader = self.private_reader(target)
            writer = self.private_writer(target)

            def private_ref(env: list) -> tuple[Any, Any]:
                o = obj(env)
                return (lambda: reader(env, o)), (lambda v: writer(env, o, v))
            return private_ref
        if target.computed:
            raw_key = self.expr(target.property)
        else:
            name = target.property.name
            raw_key = lambda env: name  # noqa: E731

        def ref(env: list) -> tuple[Any, Any]:
            o = obj(env)
            rk = raw_key(env)
            if o is UNDEFINED or o is None:
                raise throw_at(realm, "TypeError", f"Cannot read properties of {realm.display(o)}", loc)
            k = rk if type(rk) is str else to_property_key(rk)

            def put(v: Any) -> None:
                try:
                    put_member(realm, o, k, v, strict)
                except JSTypeError as exc:
                    raise throw_at(realm, "TypeError", exc.message, loc) from None
            return (lambda: get_member(realm, o, k)), put
        return ref

    def logical_assign(self, node: Any) -> Expr:
        op = node.operator
        left = node.left

        def want_assign(v: Any) -> bool:
            if op == "&&=":
                return to_boolean(v)
            if op == "||=":
                return not to_boolean(v)
            return v is None or v is UNDEFINED

        if type(left) is A.Identifier and self.plain(left):
            read = self.read_var(left)
            write = self.write_var(left)
            if is_anonymous_function_definition(node.right):
                make = self.function_maker_named(node.right)
                name = left.name
                right = lambda env: make(env, name)  # noqa: E731
            else:
                right = self.expr(node.right)

            def logical_var(env: list) -> Any:
                v = read(env)
                if not want_assign(v):
                    return v
                v = right(env)
                write(env, v)
                return v
            return logical_var
        ref = self.with_reference(left) if type(left) is A.Identifier else self.reference(left)
        right = self.expr(node.right)

        def logical_member(env: list) -> Any:
            get, put = ref(env)
            v = get()
            if not want_assign(v):
                return v
            v = right(env)
            put(v)
            return v
        return logical_member

    def ex_UpdateExpression(self, node: Any) -> Expr:
        delta = 1.0 if node.operator == "++" else -1.0
        prefix = node.prefix
        arg = node.argument

        def bump(old: Any) -> tuple[Any, Any]:
            n = to_numeric(old)
            if type(n) is JSBigInt:
                return n, JSBigInt(n.value + int(delta))
            return n, n + delta

        if type(arg) is A.Identifier and self.plain(arg):
            b = self.binding(arg)
            if b is not None and not b.tdz and b.kind not in ("const", "funcname"):
                hops, slot = self.an.resolve(b, self.scope)
                if hops == 0:
                    def update0(env: list) -> Any:
                        v = env[slot]
                        if type(v) is float:
                            nv = v + delta
                            env[slot] = nv
                            return nv if prefix else v
                        old, nv = bump(v)
                        env[slot] = nv
                        return nv if prefix else old
                    return update0
            read = self.read_var(arg)
            write = self.write_var(arg)

            def update_var(env: list) -> Any:
                v = read(env)
                if type(v) is float:
                    nv = v + delta
                    write(env, nv)
                    return nv if prefix else v
                old, nv = bump(v)
                write(env, nv)
                return nv if prefix else old
            return update_var
        ref = self.with_reference(arg) if type(arg) is A.Identifier else self.reference(arg)

        def update_member(env: list) -> Any:
            get, put = ref(env)
            old, nv = bump(get())
            put(nv)
            return nv if prefix else old
        return update_member


def _combiner(op: str, realm: Any, loc: str) -> Callable[[Any, Any], Any]:
    budget = realm.budget
    max_len = budget.max_string_length
    big = min(max_len, BIG_STRING)
    if op == "+":
        def add(a: Any, b: Any) -> Any:
            if type(a) is float and type(b) is float:
                return a + b
            if type(a) is str and type(b) is str:
                n = len(a) + len(b)
                if n > big and (len(b) > big or n > max_len):
                    held = budget.take(a) if budget.held else 0  # (as in ``concat``: the old value is released)
                    before = budget.memory + budget.swept
                    if not append_string(budget, a, b):
                        budget.hold(a, held)
                        raise throw_at(realm, "RangeError", "Invalid string length", loc)
                    r = a + b
                    budget.hold(r, held + budget.memory + budget.swept - before)  # credited once dropped
                    return r
                return a + b
            r = js_add(a, b)
            if type(r) is str and len(r) > big:
                if not big_string(budget, len(r), len(r)):
                    raise throw_at(realm, "RangeError", "Invalid string length", loc)
                budget.hold(r, len(r))
            return r
        return add
    from .operators import ARITH
    fast = ARITH[op]

    def arith(a: Any, b: Any) -> Any:
        if type(a) is float and type(b) is float:
            return fast(a, b)
        return numeric_op(op, a, b)
    return arith


_ = (UNINIT, MISSING)
