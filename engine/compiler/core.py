"""The compiler's spine: completion signals, the dispatch, scope tracking and variable access closures.

An expression compiles to ``f(env) -> value``; a statement to ``f(env) -> None | signal``, where a signal is
RETURN (the value is in the function's ``env[1]``), BREAK, CONTINUE or a per-label signal. ``env`` is the innermost
environment list (docs in engine/scope.py).
"""

from __future__ import annotations

from typing import Any, Callable

from .. import ast as A
from ..errors import JSSyntaxError, JSThrow
from ..scope import Analysis, Binding, Scope
from ..values import MISSING, UNDEFINED, UNINIT, JSErrorObject, JSObject, PropertyDescriptor

__all__ = ["Signal", "RETURN", "BREAK", "CONTINUE", "CompilerBase", "Expr", "Stmt", "throw_at", "ShortCircuit"]

Expr = Callable[[list], Any]
Stmt = Callable[[list], Any]


class Signal:
    __slots__ = ("kind", "label")

    def __init__(self, kind: str, label: str | None = None) -> None:
        self.kind = kind
        self.label = label

    def __repr__(self) -> str:
        return f"<{self.kind}{' ' + self.label if self.label else ''}>"


RETURN = Signal("return")
BREAK = Signal("break")
CONTINUE = Signal("continue")


class ShortCircuit(Exception):
    """Raised by an optional link (``a?.b`` with a nullish ``a``); the enclosing ChainExpression returns undefined."""


SHORT = ShortCircuit()


def throw_at(realm: Any, kind: str, message: str, loc: str | None) -> JSThrow:
    """A JSThrow of a new ``kind`` error whose stack starts at ``loc`` (the failing expression)."""
    ctor = realm.intrinsics.get(f"%{kind}%") or realm.intrinsics["%Error%"]
    err = JSErrorObject(ctor.get("prototype"))
    err.props["message"] = PropertyDescriptor(value=message, writable=True, enumerable=False, configurable=True)
    realm.attach_stack(err, kind, message, loc)
    return JSThrow(err, err.js_stack)


class CompilerBase:
    """State shared by the mixins: realm, analysis, the current scope and function, labels, file name."""

    def __init__(self, realm: Any, analysis: Analysis, source: Any) -> None:
        self.realm = realm
        self.an = analysis
        self.source = source
        self.filename = source.filename
        self.scope: Scope = analysis.root  # type: ignore[assignment]
        self.fname = ""                     # name of the function being compiled, for stack frames
        self.pending_labels: list[str] = []
        self.label_signals: dict[tuple[str, str], Signal] = {}
        self.func_node: Any = None
        self.completion: list[Any] | None = None   # script/eval code: the cell the completion value goes to
        self.lazy = False  # compile function bodies on first call (FunctionCompiler._defer)
        self.deferred: list[Callable[[], None]] | None = None  # while set: deferred top-level bodies (script.py)

    # -- dispatch
    def expr(self, node: Any) -> Expr:
        m = getattr(self, "ex_" + node.type, None)
        if m is None:
            raise self.syntax_error(f"{node.type} is not supported", node)
        return m(node)

    def stmt(self, node: Any) -> Stmt:
        m = getattr(self, "st_" + node.type, None)
        if m is None:
            raise self.syntax_error(f"{node.type} is not supported", node)
        f = m(node)
        cell = self.completion
        if cell is not None and node.type in _RESETS_COMPLETION:
            # UpdateEmpty(completion, undefined): these statements complete with undefined unless a nested
            # expression statement gives a value
            def reset_completion(env: list) -> Any:
                cell[0] = UNDEFINED
                return f(env)
            return reset_completion
        return f

    def syntax_error(self, message: str, node: Any) -> JSSyntaxError:
        return JSSyntaxError(message, self.source.span(node.start, node.end) if node is not None else None)

    def loc(self, node: Any) -> str:
        where = f"{self.filename}:{node.line}:{node.column + 1}"
        return f"at {self.fname} ({where})" if self.fname else f"at {where}"

    def signal(self, kind: str, label: str) -> Signal:
        key = (kind, label)
        s = self.label_signals.get(key)
        if s is None:
            s = self.label_signals[key] = Signal(kind, label)
        return s

    # -- scopes
    def enter(self, node: Any) -> Scope | None:
        s = self.an.scope_of(node)
        if s is not None:
            prev = self.scope
            self.scope = s
            return prev
        return None

    def block_entry(self, scope: Scope) -> Callable[[list], list] | None:
        """What entering ``scope`` does at run time: a new env list (materialized) and/or TDZ resets; None if
        nothing."""
        resets = [b.slot for b in scope.lexicals if b.tdz]
        if scope.materialized:
            n = scope.nslots
            template = [UNDEFINED] * n
            for b in scope.bindings.values():
                if b.is_lexical:
                    template[b.slot] = UNINIT

            def enter_env(env: list) -> list:
                e = template[:]
                e[0] = env
                return e
            return enter_env
        if resets:
            if len(resets) == 1:
                r0 = resets[0]

                def reset1(env: list) -> list:
                    env[r0] = UNINIT
                    return env
                return reset1

            def reset(env: list) -> list:
                for r in resets:
                    env[r] = UNINIT
                return env
            return reset
        return None

    # -- variables
    def binding(self, ident: Any) -> Binding | None:
        b = self.an.binding_of(ident)
        if b is not None and b.is_global:
            return None
        return b

    def plain(self, ident: Any) -> bool:
        """False when the identifier may be found on a `with` object (fast paths must step aside)."""
        return id(ident) not in self.an.with_refs

    def with_objects(self, ident: Any) -> list[tuple[Callable[[list], list], int]]:
        return [(env_at(h), slot) for h, slot in
                (self.an.resolve(b, self.scope) for b in self.an.with_refs.get(id(ident), ()))]

    def read_var(self, ident: Any, name: str | None = None, typeof: bool = False) -> Expr:
        """A closure reading an identifier (ReferenceError for an undeclared global, TDZ checks), looking at the
        objects of enclosing `with` statements first."""
        if typeof and self.binding(ident) is None:
            base = self.read_global(ident.name, ident, typeof=True)
        else:
            base = self._read_var(ident, name)
        withs = self.with_objects(ident)
        if not withs:
            return base
        key = ident.name

        def read_with(env: list) -> Any:
            for up, slot in withs:
                o = up(env)[slot]
                if _with_has(o, key):
                    return o.get(key, o)
            return base(env)
        return read_with

    def _read_var(self, ident: Any, name: str | None = None) -> Expr:
        name = ident.name if name is None else name
        b = self.binding(ident)
        if b is None:
            return self.read_global(name, ident)
        hops, slot = self.an.resolve(b, self.scope)
        loc = self.loc(ident)
        realm = self.realm
        if b.tdz:
            def tdz_fail() -> Any:
                raise throw_at(realm, "ReferenceError", f"Cannot access '{name}' before initialization", loc)
            if hops == 0:
                def read0t(env: list) -> Any:
                    v = env[slot]
                    if v is UNINIT:
                        tdz_fail()
                    return v
                return read0t
            if hops == 1:
                def read1t(env: list) -> Any:
                    v = env[0][slot]
                    if v is UNINIT:
                        tdz_fail()
                    return v
                return read1t

            def readnt(env: list) -> Any:
                for _ in range(hops):
                    env = env[0]
                v = env[slot]
                if v is UNINIT:
                    tdz_fail()
                return v
            return readnt
        if hops == 0:
            return lambda env: env[slot]
        if hops == 1:
            return lambda env: env[0][slot]
        if hops == 2:
            return lambda env: env[0][0][slot]

        def readn(env: list) -> Any:
            for _ in range(hops):
                env = env[0]
            return env[slot]
        return readn

    def read_global(self, name: str, node: Any, typeof: bool = False) -> Expr:
        realm = self.realm
        glex = realm.global_lex
        gobj = realm.global_object
        gprops = gobj.props
        loc = self.loc(node)

        def slow() -> Any:
            if gobj.has_property(name):
                return gobj.get(name, gobj)
            if typeof:
                return UNDEFINED
            raise throw_at(realm, "ReferenceError", f"{name} is not defined", loc)

        def read_global(env: list) -> Any:
            v = glex.get(name, MISSING)
            if v is MISSING:
                v = gprops.get(name, MISSING)
                if type(v) is PropertyDescriptor:
                    if v.get is MISSING:
                        return v.value
                    return slow()
                if v is MISSING:
                    return slow()
                return v
            if v is UNINIT:
                raise throw_at(realm, "ReferenceError", f"Cannot access '{name}' before initialization", loc)
            return v
        return read_global

    def write_var(self, ident: Any, init: bool = False) -> Callable[[list, Any], None]:
        """A closure ``write(env, value)`` assigning an identifier; ``init`` for declarations (no TDZ/const check)."""
        base = self._write_var(ident, init)
        withs = self.with_objects(ident)
        if not withs:
            return base
        key = ident.name
        strict = self.scope.strict

        def write_with(env: list, value: Any) -> None:
            for up, slot in withs:
                o = up(env)[slot]
                if _with_has(o, key):
                    if not o.set(key, value, o) and strict:
                        raise self.realm.throw("TypeError", f"Cannot assign to read only property '{key}'")
                    return
            base(env, value)
        return write_with

    def with_reference(self, ident: Any) -> Callable[[list], tuple[Callable[[], Any], Callable[[Any], None]]]:
        """For compound assignment inside `with`: resolve the identifier once, then get and put on the same base."""
        withs = self.with_objects(ident)
        base_read = self._read_var(ident)
        base_write = self._write_var(ident)
        key = ident.name
        strict = self.scope.strict
        realm = self.realm

        def ref(env: list) -> tuple[Callable[[], Any], Callable[[Any], None]]:
            for up, slot in withs:
                o = up(env)[slot]
                if _with_has(o, key):
                    def put(v: Any, o: Any = o) -> None:
                        if not o.set(key, v, o) and strict:
                            raise realm.throw("TypeError", f"Cannot assign to read only property '{key}'")
                    return (lambda o=o: o.get(key, o)), put
            return (lambda: base_read(env)), (lambda v: base_write(env, v))
        return ref

    def _write_var(self, ident: Any, init: bool = False) -> Callable[[list, Any], None]:
        name = ident.name
        b = self.an.binding_of(ident)
        realm = self.realm
        loc = self.loc(ident)
        strict = self.scope.strict
        if b is None or b.is_global:
            glex = realm.global_lex
            gobj = realm.global_object
            gprops = gobj.props
            lexical = b is not None and b.is_lexical
            consts = realm.global_consts

            def write_global(env: list, value: Any) -> None:
                if name in glex:
                    if not init:
                        if glex[name] is UNINIT:
                            raise throw_at(realm, "ReferenceError",
                                           f"Cannot access '{name}' before initialization", loc)
                        if name in consts:
                            raise throw_at(realm, "TypeError", "Assignment to constant variable.", loc)
                    glex[name] = value
                    return
                if lexical:
                    glex[name] = value
                    return
                v = gprops.get(name, MISSING)
                if v is not MISSING:
                    if type(v) is not PropertyDescriptor:
                        gprops[name] = value
                        return
                    if v.writable is True:
                        v.value = value
                        return
                if v is MISSING and not init and strict and not gobj.has_property(name):
                    raise throw_at(realm, "ReferenceError", f"{name} is not defined", loc)
                if not gobj.set(name, value, gobj) and strict:
                    raise throw_at(realm, "TypeError", f"Cannot assign to read only property '{name}' of object", loc)
            return write_global
        hops, slot = self.an.resolve(b, self.scope)
        if not init and (b.kind == "const" or (b.kind == "funcname")):
            is_const = b.kind == "const"
            tdz = b.tdz
            read = self.read_var(ident)

            def write_const(env: list, value: Any) -> None:
                if tdz:
                    read(env)
                if is_const:
                    raise throw_at(realm, "TypeError", "Assignment to constant variable.", loc)
                if strict:
                    raise throw_at(realm, "TypeError", "Assignment to constant variable.", loc)
            return write_const
        if not init and b.tdz:
            read = self.read_var(ident)

            def write_tdz(env: list, value: Any) -> None:
                read(env)
                for _ in range(hops):
                    env = env[0]
                env[slot] = value
            return write_tdz
        if hops == 0:
            def write0(env: list, value: Any) -> None:
                env[slot] = value
            return write0
        if hops == 1:
            def write1(env: list, value: Any) -> None:
                env[0][slot] = value
            return write1

        def writen(env: list, value: Any) -> None:
            for _ in range(hops):
                env = env[0]
            env[slot] = value
        return writen

    def special(self, node: Any) -> tuple[int, int] | None:
        """(hops, slot) of the special binding (this/newtarget/home) a node refers to, or None at top level."""
        b = self.an.binding_of(node)
        if b is None:
            return None
        return self.an.resolve(b, self.scope)

    def special_named(self, name: str) -> tuple[int, int] | None:
        s = self.scope.func
        while s.kind == "function" and s.arrow:
            s = s.parent.func  # type: ignore[union-attr]
        if s.kind == "script":
            return None
        b = s.specials.get(name)
        if b is None:
            return None
        return self.an.resolve(b, self.scope)


_RESETS_COMPLETION = {"IfStatement", "WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement",
                      "ForOfStatement", "SwitchStatement", "TryStatement", "WithStatement"}


def _with_has(o: Any, key: str) -> bool:
    """HasBinding of an object environment record: the property exists and is not blocked by @@unscopables."""
    from ..operations import to_boolean
    from ..values import SYM_UNSCOPABLES
    if not isinstance(o, JSObject) or not o.has_property(key):     # a sloppy eval's var object is made lazily
        return False
    u = o.get(SYM_UNSCOPABLES)
    return not (isinstance(u, JSObject) and to_boolean(u.get(key)))


def env_at(hops: int) -> Callable[[list], list]:
    if hops == 0:
        return lambda env: env
    if hops == 1:
        return lambda env: env[0]

    def up(env: list) -> list:
        for _ in range(hops):
            env = env[0]
        return env
    return up


def is_anonymous_function_definition(node: Any) -> bool:
    t = type(node)
    if t in (A.FunctionExpression, A.ClassExpression):
        return node.id is None
    return t is A.ArrowFunctionExpression


__all__ += ["env_at", "is_anonymous_function_definition", "JSObject"]
