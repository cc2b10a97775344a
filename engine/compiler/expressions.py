"""Expressions: literals, identifiers, operators, member access, calls, `new`, templates, object/array literals."""

from __future__ import annotations

import math
import operator
from typing import Any, Callable

from .. import ast as A
from ..errors import HostJSError, JSThrow, JSTypeError
from ..operations import (
    BIG_STRING, big_string, js_add, spend_steps, strict_equals, to_boolean, to_int32, to_number, to_numeric,
    to_property_key, to_string, typeof,
)
from ..values import (
    HOLE, MISSING, UNDEFINED, JSArray, JSBigInt, JSFunction, JSObject, PropertyDescriptor,
)
from ..builtins.iterator import spread_into
from .core import SHORT, CompilerBase, Expr, ShortCircuit, env_at, is_anonymous_function_definition, throw_at
from .operators import ARITH, binary_op, numeric_op

__all__ = ["ExpressionCompiler", "get_member", "put_member"]


def get_member(realm: Any, o: Any, key: Any) -> Any:
    if isinstance(o, JSObject):
        return o.get(key, o)
    return realm.get_v(o, key)


def put_member(realm: Any, o: Any, key: Any, value: Any, strict: bool) -> None:
    if isinstance(o, JSObject):
        if not o.set(key, value, o) and strict:
            raise JSTypeError(f"Cannot assign to read only property '{realm.display(key)}' of object")
        return
    if o is UNDEFINED or o is None:
        raise JSTypeError(f"Cannot set properties of {realm.display(o)} (setting '{realm.display(key)}')")
    proto = realm.prototype_of_primitive(o)
    from ..values import ordinary_set
    if not ordinary_set(proto, key, value, o) and strict:
        raise JSTypeError(f"Cannot create property '{realm.display(key)}' on {typeof(o)} '{realm.display(o)}'")


_FUSED_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "===": operator.eq, "!==": operator.ne}
_FUSED_ARITH: dict[str, Callable[[Any, Any], Any]] = {"-": operator.sub, "+": operator.add, "*": operator.mul}


class ExpressionCompiler(CompilerBase):

    # -- leaves
    def ex_Literal(self, node: Any) -> Expr:
        v = node.value
        if type(v) is A.RegExpLiteral:
            realm = self.realm
            pattern, flags = v.pattern, v.flags
            loc = self.loc(node)

            def regexp(env: list) -> Any:
                ctor = realm.intrinsics.get("%RegExp%")
                if ctor is None:
                    raise throw_at(realm, "SyntaxError", "RegExp is not available", loc)
                return ctor.construct([pattern, flags], ctor)
            return regexp
        if type(v) is A.BigIntLiteral:
            big = JSBigInt(int(v.digits))
            return lambda env: big
        if type(v) is int:
            v = float(v)
        return lambda env: v

    def ex_Identifier(self, node: Any) -> Expr:
        if node.name == "undefined" and self.binding(node) is None and self.an.binding_of(node) is None and \
                self.plain(node):
            gobj = self.realm.global_object
            d = gobj.props.get("undefined")
            if type(d) is PropertyDescriptor and d.writable is False and d.configurable is False:
                return lambda env: UNDEFINED
        return self.read_var(node)

    def ex_ThisExpression(self, node: Any) -> Expr:
        sp = self.special(node)
        if sp is None:
            g = self.realm.global_object
            return lambda env: g
        hops, slot = sp
        realm = self.realm
        loc = self.loc(node)
        from ..values import UNINIT
        up = env_at(hops)

        def this(env: list) -> Any:
            v = up(env)[slot]
            if v is UNINIT:
                raise throw_at(realm, "ReferenceError", "Must call super constructor in derived class before "
                                                        "accessing 'this' or returning from derived constructor", loc)
            return v
        if hops == 0:
            def this0(env: list) -> Any:
                v = env[slot]
                if v is UNINIT:
                    return this(env)
                return v
            return this0
        return this

    def ex_MetaProperty(self, node: Any) -> Expr:
        sp = self.special(node)
        if sp is None:
            return lambda env: UNDEFINED
        up = env_at(sp[0])
        slot = sp[1]
        return lambda env: up(env)[slot]

    def ex_TemplateLiteral(self, node: Any) -> Expr:
        quasis = [q.value.cooked for q in node.quasis]
        exprs = [self.expr(e) for e in node.expressions]
        if not exprs:
            s = quasis[0]
            return lambda env: s
        pairs = list(zip(quasis, exprs))
        tail = quasis[-1]
        realm, loc = self.realm, self.loc(node)
        budget = realm.budget
        big = min(budget.max_string_length, BIG_STRING)

        def template(env: list) -> str:
            parts = []
            for q, e in pairs:
                parts.append(q)
                v = e(env)
                parts.append(v if type(v) is str else to_string(v))
            parts.append(tail)
            s = "".join(parts)
            if len(s) > big:
                if not big_string(budget, len(s), len(s)):
                    raise throw_at(realm, "RangeError", "Invalid string length", loc)
                budget.hold(s, len(s))  # credited once dropped
            return s
        return template

    def ex_SequenceExpression(self, node: Any) -> Expr:
        exprs = [self.expr(e) for e in node.expressions]
        *init, last = exprs

        def sequence(env: list) -> Any:
            for e in init:
                e(env)
            return last(env)
        return sequence

    def ex_ConditionalExpression(self, node: Any) -> Expr:
        test, cons, alt = self.expr(node.test), self.expr(node.consequent), self.expr(node.alternate)
        ck, cv = self.operand_shape(node.consequent, cons)
        fused = self.local_const_op(node.test, _FUSED_COMPARE)
        if ck == "L" and fused is not None:
            cs = cv
            cmp, ts, tc = fused

            def conditional_cmp_local(env: list) -> Any:
                # `n < 2 ? n : ...`: the float compare runs inline; anything else goes through the full test
                a = env[ts]
                if type(a) is float:
                    if cmp(a, tc):
                        return env[cs]
                    return alt(env)
                t = test(env)
                if t is True or (t is not False and to_boolean(t)):
                    return env[cs]
                return alt(env)
            return conditional_cmp_local
        if ck == "L":
            cs = cv

            def conditional_local(env: list) -> Any:
                t = test(env)
                if t is True or (t is not False and to_boolean(t)):
                    return env[cs]
                return alt(env)
            return conditional_local

        def conditional(env: list) -> Any:
            t = test(env)
            if t is True or (t is not False and to_boolean(t)):
                return cons(env)
            return alt(env)
        return conditional

    def ex_LogicalExpression(self, node: Any) -> Expr:
        left, right = self.expr(node.left), self.expr(node.right)
        op = node.operator
        if op == "&&":
            def and_(env: list) -> Any:
                v = left(env)
                return right(env) if to_boolean(v) else v
            return and_
        if op == "||":
            def or_(env: list) -> Any:
                v = left(env)
                return v if to_boolean(v) else right(env)
            return or_

        def nullish(env: list) -> Any:
            v = left(env)
            return right(env) if v is None or v is UNDEFINED else v
        return nullish

    # -- operators
    def ex_UnaryExpression(self, node: Any) -> Expr:
        op = node.operator
        realm = self.realm
        if op == "typeof":
            if type(node.argument) is A.Identifier:
                read = self.read_var(node.argument, typeof=True)
            else:
                read = self.expr(node.argument)
            return lambda env: typeof(read(env))
        if op == "delete":
            return self.delete(node)
        arg = self.expr(node.argument)
        if op == "!":
            return lambda env: not to_boolean(arg(env))
        if op == "-":
            def neg(env: list) -> Any:
                v = arg(env)
                if type(v) is float:
                    return -v
                n = to_numeric(v)
                return JSBigInt(-n.value) if type(n) is JSBigInt else -n
            return neg
        if op == "+":
            def pos(env: list) -> Any:
                v = arg(env)
                return v if type(v) is float else to_number(v)
            return pos
        if op == "~":
            def bnot(env: list) -> Any:
                n = to_numeric(arg(env))
                return JSBigInt(~n.value) if type(n) is JSBigInt else float(~to_int32(n))
            return bnot
        if op == "void":
            def void(env: list) -> Any:
                arg(env)
                return UNDEFINED
            return void
        raise self.syntax_error(f"unknown unary operator {op}", node)

    def delete(self, node: Any) -> Expr:
        target = node.argument
        if type(target) is A.ChainExpression:
            # `delete a?.b`, `delete a?.b.c`, `delete o.f?.()`: a short-circuited chain deletes nothing -> true
            inner = self.delete_target(node, target.expression)

            def delete_chain(env: list) -> Any:
                try:
                    return inner(env)
                except ShortCircuit:
                    return True
            return delete_chain
        return self.delete_target(node, target)

    def delete_target(self, node: Any, target: Any) -> Expr:
        realm = self.realm
        strict = self.scope.strict
        loc = self.loc(node)
        if type(target) is A.MemberExpression and type(target.object) is A.Super:
            return self.super_delete(target)
        if type(target) is A.MemberExpression:
            obj = self.expr(target.object)
            key = self.member_key(target)

            optional = target.optional

            def delete_member(env: list) -> Any:
                o = obj(env)
                if optional and (o is UNDEFINED or o is None):
                    raise SHORT
                k = key(env)
                if o is UNDEFINED or o is None:
                    raise throw_at(realm, "TypeError", f"Cannot convert {realm.display(o)} to object", loc)
                ok = realm.to_object(o).delete(k)
                if not ok and strict:
                    raise throw_at(realm, "TypeError", f"Cannot delete property '{realm.display(k)}'", loc)
                return ok
            return delete_member
        if type(target) is A.Identifier:
            if self.an.binding_of(target) is None and target.name not in realm.global_lex:
                name = target.name
                g = realm.global_object
                return lambda env: g.delete(name)
            return lambda env: False
        e = self.expr(target)

        def delete_value(env: list) -> Any:
            e(env)
            return True
        return delete_value

    def ex_BinaryExpression(self, node: Any) -> Expr:
        op = node.operator
        realm = self.realm
        if type(node.left) is A.PrivateIdentifier:
            return self.private_in(node)
        left, right = self.expr(node.left), self.expr(node.right)
        loc = self.loc(node)
        slow = binary_op(op, realm)
        fast = self.fast_binary(node, op, left, right, slow, loc)
        if fast is not None:
            return fast

        if op == "+":
            add_checked = self.checked_add(loc)

            def add(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a + b
                return add_checked(a, b)
            return add
        if op == "-":
            def sub(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a - b
                return numeric_op("-", a, b)
            return sub
        if op == "*":
            def mul(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a * b
                return numeric_op("*", a, b)
            return mul
        if op in ARITH:
            fast = ARITH[op]

            def arith(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return fast(a, b)
                return numeric_op(op, a, b)
            return arith
        if op == "<":
            def lt(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a < b
                return slow(a, b)
            return lt
        if op == ">":
            def gt(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a > b
                return slow(a, b)
            return gt
        if op == "<=":
            def le(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a <= b
                return slow(a, b)
            return le
        if op == ">=":
            def ge(env: list) -> Any:
                a = left(env)
                b = right(env)
                if type(a) is float and type(b) is float:
                    return a >= b
                return slow(a, b)
            return ge
        if op == "===":
            def seq(env: list) -> Any:
                a = left(env)
                b = right(env)
                t = type(a)
                if t is not type(b):
                    return False
                if t is float or t is str or t is bool or t is JSBigInt:
                    return a == b
                return a is b
            return seq
        if op == "!==":
            def sne(env: list) -> Any:
                a = left(env)
                b = right(env)
                t = type(a)
                if t is not type(b):
                    return True
                if t is float or t is str or t is bool or t is JSBigInt:
                    return a != b
                return a is not b
            return sne
        if op in ("instanceof", "in"):
            def check(env: list) -> Any:
                a = left(env)
                b = right(env)
                try:
                    return slow(a, b)
                except HostJSError as exc:
                    raise throw_at(realm, exc.js_constructor, exc.message, loc) from None
            return check

        def binary(env: list) -> Any:
            return slow(left(env), right(env))
        return binary

    def local_const_op(self, node: Any, ops: dict[str, Callable[[Any, Any], Any]]
                       ) -> tuple[Callable[[Any, Any], Any], int, float] | None:
        """``(pyop, slot, const)`` when node is ``local OP numeric-constant`` with OP in ops, so a caller can fuse it
        (one C call on the float/float path instead of a Python frame); None otherwise."""
        if type(node) is not A.BinaryExpression or node.operator not in ops or type(node.left) is A.PrivateIdentifier:
            return None
        lk, lv = self.operand_shape(node.left, None)  # type: ignore[arg-type]
        rk, rv = self.operand_shape(node.right, None)  # type: ignore[arg-type]
        if lk != "L" or rk != "C":
            return None
        return ops[node.operator], lv, rv

    def operand_shape(self, node: Any, fn: Expr) -> tuple[str, Any]:
        if type(node) is A.Literal and type(node.value) is float:
            return ("C", node.value)
        if type(node) is A.Identifier and self.plain(node):
            b = self.binding(node)
            if b is not None and not b.tdz and self.an.resolve(b, self.scope)[0] == 0:
                return ("L", b.slot)
        return ("E", fn)

    def checked_add(self, loc: str) -> Callable[[Any, Any], Any]:
        """``a + b`` for anything but two numbers, with the string-length limit and the memory charge checked
        before a big string is copied (shared by the generic and the specialised ``+``)."""
        realm = self.realm
        budget = realm.budget
        big = min(budget.max_string_length, BIG_STRING)

        def add_checked(a: Any, b: Any) -> Any:
            if type(a) is str and type(b) is str:
                n = len(a) + len(b)
                if n > big:
                    if not big_string(budget, n, n):
                        raise throw_at(realm, "RangeError", "Invalid string length", loc)
                    s = a + b
                    budget.hold(s, n)  # credited once dropped
                    return s
                return a + b
            s = js_add(a, b)
            if type(s) is str and len(s) > big:
                if not big_string(budget, len(s), len(s)):
                    raise throw_at(realm, "RangeError", "Invalid string length", loc)
                budget.hold(s, len(s))
            return s
        return add_checked

    def fast_binary(self, node: Any, op: str, left: Expr, right: Expr, slow: Any, loc: str) -> Expr | None:
        from .fastops import specialize
        if op == "+":
            slow = self.checked_add(loc)
        return specialize(op, self.operand_shape(node.left, left), self.operand_shape(node.right, right), slow)

    # -- member access
    def member_key(self, node: Any) -> Expr:
        """The property key of a MemberExpression as a closure (ToPropertyKey applied)."""
        if not node.computed:
            name = node.property.name
            return lambda env: name
        prop = self.expr(node.property)

        def key(env: list) -> Any:
            k = prop(env)
            if type(k) is str:
                return k
            return to_property_key(k)
        return key

    def ex_MemberExpression(self, node: Any) -> Expr:
        if type(node.object) is A.Super:
            return self.super_member(node)
        if type(node.property) is A.PrivateIdentifier:
            return self.private_get(node)
        obj = self.expr(node.object)
        realm = self.realm
        loc = self.loc(node)
        optional = node.optional

        def nullish_base(o: Any, k: Any) -> Any:
            if optional:
                raise SHORT
            raise throw_at(realm, "TypeError", f"Cannot read properties of {realm.display(o)} (reading "
                                               f"'{realm.display(k)}')", loc)

        if not node.computed:
            name = node.property.name
            if name == "length":
                def get_length(env: list) -> Any:
                    o = obj(env)
                    if type(o) is JSArray:
                        return float(o.length)
                    if type(o) is str:
                        return float(len(o))
                    if o is UNDEFINED or o is None:
                        return nullish_base(o, name)
                    return get_member(realm, o, name)
                return get_length

            def get_named(env: list) -> Any:
                o = obj(env)
                if isinstance(o, JSObject):
                    if not o.exotic:
                        v = o.props.get(name, MISSING)
                        if v is not MISSING and type(v) is not PropertyDescriptor:
                            return v
                    return o.get(name, o)
                if o is UNDEFINED or o is None:
                    return nullish_base(o, name)
                return realm.get_v(o, name)
            return get_named
        p = node.property
        if type(p) is A.Literal and type(p.value) is float and p.value.is_integer() and 0 <= p.value < 2 ** 31:
            idx = int(p.value)
            skey = str(idx)

            def get_index(env: list) -> Any:
                o = obj(env)
                if type(o) is JSArray:
                    elems = o.elems
                    if idx < len(elems):
                        v = elems[idx]
                        if v is not HOLE and type(v) is not PropertyDescriptor:
                            return v
                    return o.get(skey, o)
                if type(o) is str:
                    return o[idx] if idx < len(o) else UNDEFINED
                if o is UNDEFINED or o is None:
                    return nullish_base(o, skey)
                return get_member(realm, o, skey)
            return get_index
        prop = self.expr(node.property)

        def get_computed(env: list) -> Any:
            o = obj(env)
            k = prop(env)
            if type(k) is float:
                if type(o) is JSArray:
                    elems = o.elems
                    if 0 <= k < len(elems):
                        i = int(k)
                        if i == k:
                            v = elems[i]
                            if v is not HOLE and type(v) is not PropertyDescriptor:
                                return v
                elif type(o) is str and 0 <= k < len(o):
                    i = int(k)
                    if i == k:
                        return o[i]
            if o is UNDEFINED or o is None:
                return nullish_base(o, k)
            key = k if type(k) is str else to_property_key(k)
            if isinstance(o, JSObject):
                return o.get(key, o)
            return realm.get_v(o, key)
        return get_computed

    def ex_ChainExpression(self, node: Any) -> Expr:
        inner = self.expr(node.expression)

        def chain(env: list) -> Any:
            try:
                return inner(env)
            except ShortCircuit:
                return UNDEFINED
        return chain

    # -- calls
    def arguments_list(self, args: list[Any]) -> Callable[[list], list]:
        if any(type(a) is A.SpreadElement for a in args):
            parts = [(type(a) is A.SpreadElement, self.expr(a.argument if type(a) is A.SpreadElement else a))
                     for a in args]
            realm = self.realm

            def spread_args(env: list) -> list:
                out: list = []
                for is_spread, e in parts:
                    if is_spread:
                        spread_into(realm, out, e(env))
                    else:
                        out.append(e(env))
                return out
            return spread_args
        fns = [self.expr(a) for a in args]
        n = len(fns)
        if n == 0:
            return lambda env: []
        if n == 1:
            a0 = fns[0]
            return lambda env: [a0(env)]
        if n == 2:
            a0, a1 = fns
            return lambda env: [a0(env), a1(env)]
        if n == 3:
            a0, a1, a2 = fns
            return lambda env: [a0(env), a1(env), a2(env)]
        return lambda env: [f(env) for f in fns]

    def callee_text(self, node: Any) -> str:
        t = type(node)
        if t is A.Identifier:
            return node.name
        if t is A.MemberExpression:
            base = self.callee_text(node.object)
            if node.computed:
                return f"{base}[...]"
            return f"{base}.{node.property.name}" if type(node.property) is A.Identifier else f"{base}.#..."
        if t is A.ThisExpression:
            return "this"
        if t is A.CallExpression:
            return self.callee_text(node.callee) + "(...)"
        return "(intermediate value)"

    def ex_CallExpression(self, node: Any) -> Expr:
        callee = node.callee
        if type(callee) is A.Super:
            return self.super_call(node)
        realm = self.realm
        stack = realm.stack
        loc = self.loc(node)
        args = self.arguments_list(node.arguments)
        text = self.callee_text(callee)
        optional_call = node.optional
        as_throw = realm.as_throw

        def not_callable(f: Any) -> Any:
            if optional_call and (f is UNDEFINED or f is None):
                raise SHORT
            raise throw_at(realm, "TypeError", f"{text} is not a function", loc)

        if type(callee) is A.MemberExpression and type(callee.object) is not A.Super:
            if type(callee.property) is A.PrivateIdentifier:
                obj = self.expr(callee.object)
                getter = self.private_reader(callee)
                member_optional = callee.optional
            else:
                obj = self.expr(callee.object)
                key = self.member_key(callee)
                member_optional = callee.optional
                getter = None

            def call_method(env: list) -> Any:
                o = obj(env)
                if getter is not None:
                    f = getter(env, o)
                else:
                    k = key(env)
                    if isinstance(o, JSObject):
                        f = o.get(k, o)
                    elif o is UNDEFINED or o is None:
                        if member_optional:
                            raise SHORT
                        raise throw_at(realm, "TypeError", f"Cannot read properties of {realm.display(o)} "
                                                           f"(reading '{realm.display(k)}')", loc)
                    else:
                        f = realm.get_v(o, k)
                a = args(env)
                if not isinstance(f, JSFunction):
                    not_callable(f)
                stack.append(loc)
                try:
                    return f.call(o, a)
                except HostJSError as exc:
                    raise as_throw(exc) from None
                finally:
                    stack.pop()
            return call_method
        if type(callee) is A.ChainExpression and type(callee.expression) is A.MemberExpression:
            # `(o?.f)()`: the parenthesised chain keeps its reference, so `this` is `o` (undefined if it short-circuits)
            member = callee.expression
            obj = self.expr(member.object)
            if type(member.property) is A.PrivateIdentifier:
                read = self.private_reader(member)
            else:
                key = self.member_key(member)
                read = lambda env, o: realm.get_v(o, key(env))  # noqa: E731
            member_optional = member.optional

            def call_chain_method(env: list) -> Any:
                try:
                    o = obj(env)
                    if member_optional and (o is UNDEFINED or o is None):
                        raise SHORT
                    f = read(env, o)
                except ShortCircuit:
                    o = f = UNDEFINED
                a = args(env)
                if not isinstance(f, JSFunction):
                    not_callable(f)
                stack.append(loc)
                try:
                    return f.call(o, a)
                except HostJSError as exc:
                    raise as_throw(exc) from None
                finally:
                    stack.pop()
            return call_chain_method
        if type(callee) is A.MemberExpression and type(callee.object) is A.Super:
            getter_s = self.super_member(callee)
            this_value = self._super_parts(callee)[1]

            def call_super_method(env: list) -> Any:
                f = getter_s(env)
                this = this_value(env)
                a = args(env)
                if not isinstance(f, JSFunction):
                    not_callable(f)
                stack.append(loc)
                try:
                    return f.call(this, a)
                except HostJSError as exc:
                    raise as_throw(exc) from None
                finally:
                    stack.pop()
            return call_super_method
        fn = self.expr(callee)
        from .functions import CompiledFunction, _stack_overflow
        simple_args = not any(type(a) is A.SpreadElement for a in node.arguments) and len(node.arguments) == 1
        if type(callee) is A.Identifier and self.binding(callee) is None and simple_args and self.plain(callee):
            # the hot shape of recursive helpers, fib(n - 1): global function, one argument, no frames in between
            a0 = self.expr(node.arguments[0])
            arg_fused = self.local_const_op(node.arguments[0], _FUSED_ARITH)
            name = callee.name
            glex = realm.global_lex
            gprops = realm.global_object.props
            slow_fn = fn
            budget = realm.budget
            max_depth = budget.max_depth

            def call_global1(env: list) -> Any:
                f = MISSING
                if name not in glex:
                    d = gprops.get(name, MISSING)
                    if type(d) is PropertyDescriptor:
                        if d.get is MISSING:
                            f = d.value
                    elif d is not MISSING:
                        f = d
                if f is MISSING:
                    f = slow_fn(env)
                if arg_fused is not None:
                    # fib(n - 1): the float arithmetic on a local runs inline, no frame for the argument
                    v = env[arg_fused[1]]
                    a = [arg_fused[0](v, arg_fused[2])] if type(v) is float else [a0(env)]
                else:
                    a = [a0(env)]
                stack.append(loc)
                try:
                    if type(f) is CompiledFunction:
                        code = f.code
                        body = code.expr1_body
                        if body is not None:
                            # invoke_expr inlined (same env, depth and budget steps): one frame less per call
                            if len(stack) > max_depth:
                                raise _stack_overflow(realm)
                            budget.left -= 1
                            if budget.left < 0:
                                budget.spent()
                            return body([f.env, UNDEFINED, a[0]])
                        return code.invoke(f, UNDEFINED, a)
                    if not isinstance(f, JSFunction):
                        not_callable(f)
                    return f.call(UNDEFINED, a)
                except HostJSError as exc:
                    raise as_throw(exc) from None
                finally:
                    stack.pop()
            return call_global1

        def call(env: list) -> Any:
            f = fn(env)
            a = args(env)
            stack.append(loc)
            try:
                if type(f) is CompiledFunction:
                    return f.code.invoke(f, UNDEFINED, a)
                if not isinstance(f, JSFunction):
                    not_callable(f)
                return f.call(UNDEFINED, a)
            except HostJSError as exc:
                raise as_throw(exc) from None
            finally:
                stack.pop()
        return call

    def ex_NewExpression(self, node: Any) -> Expr:
        realm = self.realm
        stack = realm.stack
        loc = self.loc(node)
        fn = self.expr(node.callee)
        args = self.arguments_list(node.arguments)
        text = self.callee_text(node.callee)
        as_throw = realm.as_throw

        def new(env: list) -> Any:
            f = fn(env)
            a = args(env)
            if not isinstance(f, JSFunction) or not f.is_constructor():
                raise throw_at(realm, "TypeError", f"{text} is not a constructor", loc)
            stack.append(loc)
            try:
                return f.construct(a, f)
            except HostJSError as exc:
                raise as_throw(exc) from None
            finally:
                stack.pop()
        return new

    def ex_TaggedTemplateExpression(self, node: Any) -> Expr:
        realm = self.realm
        quasi = node.quasi
        key = id(quasi)
        cooked = [q.value.cooked for q in quasi.quasis]
        raw = [q.value.raw for q in quasi.quasis]
        exprs = [self.expr(e) for e in quasi.expressions]
        stack = realm.stack
        loc = self.loc(node)
        cache: list[Any] = []

        def template_object() -> JSArray:
            if cache:
                return cache[0]
            from ..builtins.object import _set_integrity
            raw_arr = realm.new_array(list(raw))
            arr = realm.new_array([UNDEFINED if c is None else c for c in cooked])
            _set_integrity(raw_arr, "frozen")
            arr.define("raw", raw_arr, writable=False, enumerable=False, configurable=False)
            _set_integrity(arr, "frozen")
            cache.append(arr)
            return arr
        _ = key
        tag = node.tag
        if type(tag) is A.MemberExpression and type(tag.object) is not A.Super and \
                type(tag.property) is not A.PrivateIdentifier:
            obj = self.expr(tag.object)
            mkey = self.member_key(tag)

            def fn_and_this(env: list) -> tuple[Any, Any]:
                o = obj(env)
                return get_member(realm, o, mkey(env)), o
        else:
            f_expr = self.expr(tag)

            def fn_and_this(env: list) -> tuple[Any, Any]:
                return f_expr(env), UNDEFINED

        def tagged(env: list) -> Any:
            f, this = fn_and_this(env)
            args = [template_object()] + [e(env) for e in exprs]
            if not isinstance(f, JSFunction):
                raise throw_at(realm, "TypeError", f"{self.callee_text(tag)} is not a function", loc)
            stack.append(loc)
            try:
                return f.call(this, args)
            except HostJSError as exc:
                raise realm.as_throw(exc) from None
            finally:
                stack.pop()
        return tagged

    # -- literals with structure
    def ex_ArrayExpression(self, node: Any) -> Expr:
        realm = self.realm
        proto = realm.array_prototype
        elems = node.elements
        if not any(e is None or type(e) is A.SpreadElement for e in elems):
            fns = [self.expr(e) for e in elems]
            return lambda env: JSArray(proto, [f(env) for f in fns])
        parts = [(0, None) if e is None else (1, self.expr(e.argument)) if type(e) is A.SpreadElement
                 else (2, self.expr(e)) for e in elems]

        def array(env: list) -> Any:
            out: list = []
            for kind, f in parts:
                if kind == 2:
                    out.append(f(env))
                elif kind == 1:
                    spread_into(realm, out, f(env))
                else:
                    out.append(HOLE)
            return JSArray(proto, out)
        return array

    def property_key(self, node: Any) -> Callable[[list], Any]:
        """The key of an object-literal/class member: a constant or a computed closure."""
        if node.computed:
            k = self.expr(node.key)
            return lambda env: to_property_key(k(env))
        key = node.key
        if type(key) is A.Identifier or type(key) is A.PrivateIdentifier:
            name = key.name
        elif type(key) is A.Literal:
            v = key.value
            if type(v) is A.BigIntLiteral:  # `{10n: 1}`: the key is the BigInt's decimal string
                name = str(int(v.digits))
            elif type(v) in (str, int, float):
                name = v if type(v) is str else to_property_key(float(v))
            else:
                raise self.syntax_error("bad property key", key)
        else:
            raise self.syntax_error("bad property key", key)
        return lambda env: name

    def ex_ObjectExpression(self, node: Any) -> Expr:
        realm = self.realm
        oproto = realm.object_prototype
        ops: list[Callable[[list, JSObject], None]] = []
        simple: list[tuple[str, Expr]] = []
        all_simple = True
        for p in node.properties:
            if type(p) is A.SpreadElement:
                all_simple = False
                ops.append(self.object_spread(p))
                continue
            if p.kind == "init" and not p.method and not p.computed and not p.shorthand and \
                    type(p.key) is A.Identifier and p.key.name == "__proto__":
                all_simple = False
                ops.append(self.object_proto_setter(p))
                continue
            if p.kind == "init" and not p.method and not p.computed and \
                    not is_anonymous_function_definition(p.value):
                key = self.property_key(p)(None)
                value = self.expr(p.value)
                simple.append((key, value))

                def put(env: list, o: JSObject, key: Any = key, value: Expr = value) -> None:
                    o.create_data_property(key, value(env))
                ops.append(put)
                continue
            all_simple = False
            ops.append(self.object_member(p))
        if all_simple:
            if len(set(k for k, _ in simple)) == len(simple) and not any(
                    type(k) is str and k.isdigit() for k, _ in simple):
                def object_fast(env: list) -> Any:
                    o = JSObject(oproto)
                    props = o.props
                    for k, v in simple:
                        props[k] = v(env)
                    return o
                return object_fast

        def object_(env: list) -> Any:
            o = JSObject(oproto)
            for op in ops:
                op(env, o)
            return o
        return object_

    def object_spread(self, p: Any) -> Callable[[list, JSObject], None]:
        src = self.expr(p.argument)
        realm = self.realm

        def spread(env: list, o: JSObject) -> None:
            copy_data_properties(realm, o, src(env), ())
        return spread

    def object_proto_setter(self, p: Any) -> Callable[[list, JSObject], None]:
        value = self.expr(p.value)

        def set_proto(env: list, o: JSObject) -> None:
            v = value(env)
            if v is None or isinstance(v, JSObject):
                o.proto = v
        return set_proto

    def object_member(self, p: Any) -> Callable[[list, JSObject], None]:
        key = self.property_key(p)
        if p.kind in ("get", "set") or p.method:
            make = self.method_maker(p.value, "method", p)
            kind = p.kind

            def method(env: list, o: JSObject) -> None:
                k = key(env)
                f = make(env, o, k, "get" if kind == "get" else "set" if kind == "set" else "")
                if kind == "get":
                    old = o.get_own_property(k)
                    setter = old.set if old is not None and old.is_accessor() else UNDEFINED
                    o.define_own_property(k, PropertyDescriptor(get=f, set=setter, enumerable=True,
                                                                configurable=True))
                elif kind == "set":
                    old = o.get_own_property(k)
                    getter = old.get if old is not None and old.is_accessor() else UNDEFINED
                    o.define_own_property(k, PropertyDescriptor(get=getter, set=f, enumerable=True,
                                                                configurable=True))
                else:
                    o.define_own_property(k, PropertyDescriptor(value=f, writable=True, enumerable=True,
                                                                configurable=True))
            return method
        value = self.named_value(p.value, None)

        def put(env: list, o: JSObject) -> None:
            k = key(env)
            o.define_own_property(k, PropertyDescriptor(value=value(env, k), writable=True, enumerable=True,
                                                        configurable=True))
        return put

    def named_value(self, node: Any, name: Any) -> Callable[[list, Any], Any]:
        """A closure ``f(env, key)`` evaluating ``node``, naming an anonymous function/class after ``key``."""
        if is_anonymous_function_definition(node):
            make = self.function_maker_named(node)
            return make
        e = self.expr(node)
        return lambda env, key: e(env)


def copy_data_properties(realm: Any, target: JSObject, source: Any, excluded: Any) -> None:
    """CopyDataProperties (https://tc39.es/ecma262/#sec-copydataproperties)."""
    if source is UNDEFINED or source is None:
        return
    src = realm.to_object(source)
    keys = src.own_property_keys()
    spend_steps(realm.budget, len(keys))  # `{...'x'.repeat(60000)}`: a Python loop per key
    for k in keys:
        if k in excluded:
            continue
        d = src.get_own_property(k)
        if d is not None and d.enumerable is True:
            target.create_data_property(k, src.get(k, src))


_ = (math, JSThrow, strict_equals)
