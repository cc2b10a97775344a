"""Functions: the compiled function object, its code (env layout, parameter binding, `this`, `arguments`), calls
and construction, generators, async functions, `yield`, `await`, `for await`."""

from __future__ import annotations

from typing import Any, Callable

from greenlet import greenlet

from .. import ast as A
from ..errors import JSThrow, JSTypeError
from ..operations import to_boolean
from ..scope import Scope
from ..values import (
    SYM_ASYNC_ITERATOR, UNDEFINED, UNINIT, JSFunction, JSObject, PropertyDescriptor,
)
from .arguments import make_arguments, make_mapped_arguments, parameter_map
from .core import RETURN, CompilerBase, Expr, is_anonymous_function_definition, throw_at

__all__ = ["FunctionCode", "CompiledFunction", "FunctionCompiler"]


class FunctionCode:
    """What a function node compiles to, shared by all closures made from it."""

    __slots__ = ("name", "length", "strict", "kind", "arrow", "is_method", "nslots", "template", "nparams",
                 "simple", "bind_params", "body", "concise", "this_slot", "args_slot", "nt_slot", "home_slot",
                 "func_slot", "funcname_slot", "source_text", "invoke", "construct", "has_prototype", "hoisted",
                 "length_desc", "name_desc", "class_kind", "realm", "expr1_body", "arg_map")

    def __init__(self) -> None:
        self.class_kind = ""     # "", "base" or "derived" for class constructors
        self.expr1_body: Any = None  # set when invoke is invoke_expr with one parameter: call sites may inline it


class CompiledFunction(JSFunction):
    """A closure made from FunctionCode: code + captured env (+ home object, class fields)."""

    __slots__ = ("code", "env", "home", "fields")

    def call(self, this: Any, args: list[Any]) -> Any:
        return self.code.invoke(self, this, args)

    def construct(self, args: list[Any], new_target: Any) -> Any:
        c = self.code.construct
        if c is None:
            return JSFunction.construct(self, args, new_target)
        return c(self, args, new_target)

    def is_constructor(self) -> bool:
        return self.code.construct is not None

    def source_text(self) -> str:
        return self.code.source_text


def _static_prefix(text: str) -> int:
    """Length of ``static`` plus the blanks and comments after it (toString starts at the member itself)."""
    i = 6
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        else:
            break
    return i


_NULL_DESC = PropertyDescriptor(value=None, writable=False, enumerable=False, configurable=False)


def _stack_overflow(realm: Any) -> JSThrow:
    return realm.throw("RangeError", "Maximum call stack size exceeded")


class FunctionCompiler(CompilerBase):

    # -- function objects
    def function_code(self, node: Any, name: str, kind: str = "normal", class_kind: str = "") -> FunctionCode:
        """Compile a function node. ``kind``: normal, arrow, method, getter, setter, classctor, field.

        With ``self.lazy`` only what a function object shows before it runs is made now (name, length, kind,
        source text); the body compiles on the first call or ``new`` (:meth:`_defer`)."""
        realm = self.realm
        scope: Scope = self.an.scope_of(node)  # type: ignore[assignment]
        code = FunctionCode()
        code.realm = realm
        code.class_kind = class_kind
        code.name = name
        is_arrow = type(node) is A.ArrowFunctionExpression
        generator = bool(getattr(node, "generator", False))
        is_async = bool(getattr(node, "async_", False))
        code.arrow = is_arrow
        code.strict = scope.strict
        code.is_method = kind in ("method", "getter", "setter", "classctor", "field")
        code.kind = ("asyncgenerator" if generator and is_async else "generator" if generator else
                     "async" if is_async else "normal")
        params = getattr(node, "params", [])
        length = 0
        for p in params:
            if type(p) in (A.AssignmentPattern, A.RestElement):
                break
            length += 1
        code.length = length
        code.source_text = self.source.text[node.start:node.end]
        code.has_prototype = kind == "normal" and not is_arrow and code.kind in ("normal", "generator",
                                                                                 "asyncgenerator") \
            or (kind == "method" and code.kind in ("generator", "asyncgenerator"))
        code.length_desc = PropertyDescriptor(value=float(length), writable=False, enumerable=False,
                                              configurable=True)
        code.name_desc = PropertyDescriptor(value=name, writable=False, enumerable=False, configurable=True)
        constructible = kind == "classctor" or (kind == "normal" and not is_arrow and code.kind == "normal")
        if self.lazy:
            self._defer(code, node, name, constructible)
        else:
            self._compile_body(code, node, name, constructible)
        return code

    def _defer(self, code: FunctionCode, node: Any, name: str, constructible: bool) -> None:
        """Compile ``code``'s body when it is first called or constructed. Only for a script whose text has been
        compiled once already (``parse_and_compile``): its early errors would have been raised then, so deferring
        cannot hide one. A session's scenario then compiles in pieces, each handler on its first event, and the
        handlers a call never fires are never compiled."""
        compile_body = self._compile_body

        def first_call(f: Any, this: Any, args: list) -> Any:
            compile_body(code, node, name, constructible)
            return code.invoke(f, this, args)

        def first_construct(f: Any, args: list, new_target: Any) -> Any:
            compile_body(code, node, name, constructible)
            return code.construct(f, args, new_target)

        code.invoke = first_call
        code.construct = first_construct if constructible else None
        if self.deferred is not None:  # a function of the script's top-level code: a body to compile ahead

            def compile_ahead() -> None:
                if code.invoke is first_call:
                    compile_body(code, node, name, constructible)

            self.deferred.append(compile_ahead)

    def _compile_body(self, code: FunctionCode, node: Any, name: str, constructible: bool) -> None:
        """The body, its parameters and bindings, then ``invoke``/``construct`` (set last: a compile cut short by
        a stack overflow leaves the deferred entry points in place)."""
        realm = self.realm
        scope: Scope = self.an.scope_of(node)  # type: ignore[assignment]
        is_arrow = code.arrow
        params = getattr(node, "params", [])
        prev_scope, prev_fname, prev_labels, prev_completion = self.scope, self.fname, self.pending_labels, \
            self.completion
        self.scope = scope
        self.fname = name or "<anonymous>"
        self.pending_labels = []
        self.completion = None
        try:
            code.nslots = scope.nslots
            simple = all(type(p) is A.Identifier for p in params)
            names = [p.name for p in params] if simple else []
            if simple and len(set(names)) != len(names):
                simple = False
            if simple:
                for i, p in enumerate(params):
                    if scope.bindings[p.name].slot != 2 + i:
                        simple = False
                        break
            code.simple = simple
            code.arg_map = None
            if not scope.strict and not is_arrow and all(type(p) is A.Identifier for p in params):
                code.arg_map = parameter_map([p.name for p in params],
                                             {p.name: scope.bindings[p.name].slot for p in params})
            code.nparams = len(params) if simple else 0
            template = [UNDEFINED] * scope.nslots
            self._mark_uninit(scope, template)
            if not simple:
                for b in scope.bindings.values():
                    if b.kind == "param":
                        template[b.slot] = UNINIT
            code.template = template
            code.bind_params = None
            if not simple:
                binders = []
                for i, p in enumerate(params):
                    if type(p) is A.RestElement:
                        binders.append((i, True, self.binder(p.argument, True)))
                    else:
                        binders.append((i, False, self.binder(p, True)))

                def bind_params(env: list, args: list) -> None:
                    n = len(args)
                    for i, rest, bind in binders:
                        if rest:
                            bind(env, realm.new_array(list(args[i:])))
                        else:
                            bind(env, args[i] if i < n else UNDEFINED)
                code.bind_params = bind_params
            sp = scope.specials
            code.this_slot = sp["this"].slot if "this" in sp else -1
            code.args_slot = sp["arguments"].slot if "arguments" in sp else -1
            code.nt_slot = sp["newtarget"].slot if "newtarget" in sp else -1
            code.home_slot = sp["home"].slot if "home" in sp else -1
            code.func_slot = sp["func"].slot if "func" in sp else -1
            fnb = None
            if type(node) is A.FunctionExpression and node.id is not None:
                fnb = scope.bindings.get(node.id.name)
            code.funcname_slot = fnb.slot if fnb is not None and fnb.kind == "funcname" else -1
            code.hoisted = self.hoisted_functions(scope)
            body = node.body
            if is_arrow and node.expression:
                code.concise = True
                code.body = self.expr(body)
            elif type(body) is A.BlockStatement and len(body.body) == 1 and \
                    type(body.body[0]) is A.ReturnStatement and body.body[0].argument is not None and \
                    code.kind == "normal":
                code.concise = True
                code.body = self.expr(body.body[0].argument)
            elif type(body) is A.BlockStatement:
                code.concise = False
                code.body = self.statements(body.body)
            else:   # class field initializer / static block handled by callers
                code.concise = True
                field_name = getattr(node, "field_name", None)
                if field_name is not None and is_anonymous_function_definition(body):
                    make_named = self.function_maker_named(body)
                    code.body = lambda env: make_named(env, field_name)
                else:
                    code.body = self.expr(body)
        finally:
            self.scope, self.fname, self.pending_labels = prev_scope, prev_fname, prev_labels
            self.completion = prev_completion
        code.invoke = self.make_invoke(code)
        code.construct = self.make_construct(code) if constructible else None

    def _mark_uninit(self, scope: Scope, template: list) -> None:
        for b in scope.bindings.values():
            if b.is_lexical and b.slot < len(template) and scope.host() is scope.func:
                template[b.slot] = UNINIT
        for c in scope.children:
            if c.kind in ("function", "script") or c.materialized:
                continue
            self._mark_uninit(c, template)

    def new_function(self, code: FunctionCode, env: list, name_desc: PropertyDescriptor | None = None) -> Any:
        realm = self.realm
        k = code.kind
        proto = (realm.function_prototype if k == "normal" else
                 realm.intrinsics["%GeneratorFunction.prototype%"] if k == "generator" else
                 realm.intrinsics["%AsyncFunction.prototype%"] if k == "async" else
                 realm.intrinsics["%AsyncGeneratorFunction.prototype%"])
        f = CompiledFunction(proto)
        f.realm = realm
        f.code = code
        f.env = env
        f.home = None
        f.fields = None
        props = f.props
        props["length"] = code.length_desc
        props["name"] = code.name_desc if name_desc is None else name_desc
        if k == "normal" and not code.strict and not code.arrow and not code.is_method:
            props["arguments"] = _NULL_DESC     # what V8 gives sloppy functions (an allowed extension)
            props["caller"] = _NULL_DESC
        if code.has_prototype:
            if k == "normal":
                p = JSObject(realm.object_prototype)
                p.props["constructor"] = PropertyDescriptor(value=f, writable=True, enumerable=False,
                                                            configurable=True)
            else:
                p = JSObject(realm.intrinsics["%GeneratorPrototype%" if k == "generator" else
                                              "%AsyncGeneratorPrototype%"])
            props["prototype"] = PropertyDescriptor(value=p, writable=True, enumerable=False, configurable=False)
        return f

    def function_maker(self, node: Any, kind: str = "normal") -> Callable[[list], Any]:
        name = node.id.name if getattr(node, "id", None) is not None else ""
        code = self.function_code(node, name, kind)
        new_function = self.new_function
        return lambda env: new_function(code, env)

    def function_maker_named(self, node: Any) -> Callable[[list, Any], Any]:
        """``make(env, key)``: an anonymous function or class named after the key it is assigned to."""
        if type(node) is A.ClassExpression:
            make_class = self.class_maker(node)
            return lambda env, key: make_class(env, key)
        from ..builtins import function_name_of
        static = type(node) is A.FunctionExpression and node.id is not None
        code = self.function_code(node, node.id.name if static else "", "normal")
        new_function = self.new_function

        def make(env: list, key: Any) -> Any:
            if static or key is None:
                return new_function(code, env)
            name = function_name_of(key)
            if name == code.name:
                return new_function(code, env)
            return new_function(code, env, PropertyDescriptor(value=name, writable=False, enumerable=False,
                                                              configurable=True))
        return make

    def method_maker(self, node: Any, kind: str = "method", member: Any = None) -> Callable[[list, Any, Any, str], Any]:
        """``make(env, home, key, prefix)`` for object/class methods, getters and setters (``member``: the Property
        or MethodDefinition, whose text is what toString shows)."""
        from ..builtins import function_name_of
        code = self.function_code(node, "", kind)
        if member is not None:
            text = self.source.text[member.start:node.end]
            if getattr(member, "static", False) and text.startswith("static"):
                text = text[_static_prefix(text):]
            code.source_text = text
        new_function = self.new_function

        def make(env: list, home: Any, key: Any, prefix: str) -> Any:
            f = new_function(code, env, PropertyDescriptor(value=function_name_of(key, prefix), writable=False,
                                                           enumerable=False, configurable=True))
            f.home = home
            return f
        return make

    def ex_FunctionExpression(self, node: Any) -> Expr:
        return self.function_maker(node)

    def ex_ArrowFunctionExpression(self, node: Any) -> Expr:
        return self.function_maker(node)

    # -- calling
    def make_setup(self, code: FunctionCode) -> Callable[[Any, list, Any, list, Any], None] | None:
        """Bindings made on entry besides simple parameters: this, arguments, new.target, home, the function's
        own name, non-simple parameters, hoisted function declarations."""
        realm = self.realm
        steps: list[Callable[[Any, list, Any, list, Any], None]] = []
        ts = code.this_slot
        if ts >= 0 and code.class_kind != "derived":
            if code.strict:
                def bind_this(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                    env[ts] = this
            else:
                g = realm.global_object

                def bind_this(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                    if this is UNDEFINED or this is None:
                        env[ts] = g
                    elif isinstance(this, JSObject):
                        env[ts] = this
                    else:
                        env[ts] = realm.to_object(this)
            steps.append(bind_this)
        elif ts >= 0:
            def bind_uninit(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                env[ts] = UNINIT
            steps.append(bind_uninit)
        if code.nt_slot >= 0:
            nts = code.nt_slot

            def bind_nt(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                env[nts] = nt
            steps.append(bind_nt)
        if code.home_slot >= 0:
            hs = code.home_slot

            def bind_home(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                env[hs] = f.home
            steps.append(bind_home)
        if code.func_slot >= 0:
            fs = code.func_slot

            def bind_func(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                env[fs] = f
            steps.append(bind_func)
        if code.funcname_slot >= 0:
            fns = code.funcname_slot

            def bind_name(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                env[fns] = f
            steps.append(bind_name)
        if code.args_slot >= 0:
            a_s = code.args_slot
            pmap = code.arg_map
            if pmap is not None:
                def bind_mapped(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                    env[a_s] = make_mapped_arguments(realm, f, args, env, pmap)
                steps.append(bind_mapped)
            else:
                def bind_arguments(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                    env[a_s] = make_arguments(realm, f, args)
                steps.append(bind_arguments)
        if code.bind_params is not None:
            bp = code.bind_params

            def bind_params(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                bp(env, args)
            steps.append(bind_params)
        if code.hoisted is not None:
            ho = code.hoisted

            def hoist(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
                ho(env)
            steps.append(hoist)
        if not steps:
            return None
        if len(steps) == 1:
            return steps[0]

        def setup(f: Any, env: list, this: Any, args: list, nt: Any) -> None:
            for s in steps:
                s(f, env, this, args, nt)
        return setup

    def make_env_builder(self, code: FunctionCode) -> Callable[[Any, list], list]:
        n = code.nparams
        tail = code.template[2 + n:]
        pad = [UNDEFINED] * n
        if n == 0:
            def env0(f: Any, args: list) -> list:
                env = [f.env, UNDEFINED]
                env += tail
                return env
            return env0
        if not tail:
            def env_params(f: Any, args: list) -> list:
                k = len(args)
                if k == n:
                    return [f.env, UNDEFINED, *args]
                if k > n:
                    return [f.env, UNDEFINED, *args[:n]]
                return [f.env, UNDEFINED, *args, *pad[k:]]
            return env_params

        def env_full(f: Any, args: list) -> list:
            k = len(args)
            if k == n:
                env = [f.env, UNDEFINED, *args]
            elif k > n:
                env = [f.env, UNDEFINED, *args[:n]]
            else:
                env = [f.env, UNDEFINED, *args, *pad[k:]]
            env += tail
            return env
        return env_full

    def make_invoke(self, code: FunctionCode) -> Callable[[Any, Any, list], Any]:
        realm = self.realm
        budget = realm.budget
        build = self.make_env_builder(code)
        setup = self.make_setup(code)
        body = code.body
        concise = code.concise
        kind = code.kind

        if code.class_kind:
            def class_call(f: Any, this: Any, args: list) -> Any:
                raise realm.throw("TypeError", f"Class constructor {code.name} cannot be invoked without 'new'")
            return class_call

        if kind == "normal":
            n = code.nparams
            if setup is None and concise and n and len(code.template) == 2 + n:
                pad = [UNDEFINED] * n

                max_depth = budget.max_depth
                stack = realm.stack

                def invoke_expr(f: Any, this: Any, args: list) -> Any:
                    # depth = the JS call sites on realm.stack (every JS call pushes one), cheaper than a counter
                    k = len(args)
                    if k == n:
                        env = [f.env, UNDEFINED, *args]
                    elif k > n:
                        env = [f.env, UNDEFINED, *args[:n]]
                    else:
                        env = [f.env, UNDEFINED, *args, *pad[k:]]
                    if len(stack) > max_depth:
                        raise _stack_overflow(realm)
                    budget.left -= 1
                    if budget.left < 0:
                        budget.spent()
                    return body(env)
                if n == 1:
                    code.expr1_body = body
                return invoke_expr
            if setup is None and not concise:
                def invoke_simple(f: Any, this: Any, args: list) -> Any:
                    env = build(f, args)
                    if budget.depth >= budget.max_depth:
                        raise _stack_overflow(realm)
                    budget.left -= 1
                    if budget.left < 0:
                        budget.spent()
                    budget.depth += 1
                    try:
                        r = body(env)
                    finally:
                        budget.depth -= 1
                    if r is RETURN:
                        return env[1]
                    return UNDEFINED
                return invoke_simple

            def invoke(f: Any, this: Any, args: list) -> Any:
                env = build(f, args)
                if budget.depth >= budget.max_depth:
                    raise _stack_overflow(realm)
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
                budget.depth += 1
                try:
                    if setup is not None:
                        setup(f, env, this, args, UNDEFINED)
                    r = body(env)
                finally:
                    budget.depth -= 1
                if concise:
                    return r
                if r is RETURN:
                    return env[1]
                return UNDEFINED
            return invoke

        def run_body(env: list) -> Any:
            r = body(env)
            if concise:
                return r
            return env[1] if r is RETURN else UNDEFINED

        if kind == "generator":
            from ..builtins.generator import GeneratorObject, GeneratorReturn
            from ..builtins import proto_from_constructor

            def invoke_generator(f: Any, this: Any, args: list) -> Any:
                env = build(f, args)
                if setup is not None:
                    setup(f, env, this, args, UNDEFINED)
                proto = f.get("prototype")
                if not isinstance(proto, JSObject):
                    proto = realm.intrinsics["%GeneratorPrototype%"]

                def run(mode: str, value: Any) -> Any:
                    try:
                        return ("done", run_body(env))
                    except GeneratorReturn as ret:
                        return ("done", ret.value)
                return GeneratorObject(proto, run)
            _ = proto_from_constructor
            return invoke_generator

        if kind == "async":
            from ..builtins.promise import PromiseObject, reject_promise, resolve_promise
            from ..realm import CATCHABLE

            def invoke_async(f: Any, this: Any, args: list) -> Any:
                p = PromiseObject(realm.intrinsics["%Promise.prototype%"])
                if budget.depth >= budget.max_depth:
                    raise _stack_overflow(realm)
                budget.depth += 1
                try:
                    env = build(f, args)

                    def run() -> None:
                        try:
                            if setup is not None:
                                setup(f, env, this, args, UNDEFINED)
                            value = run_body(env)
                        except CATCHABLE as exc:
                            reject_promise(realm, p, realm.to_js_value(exc))
                            return None
                        resolve_promise(realm, p, value)
                        return None
                    greenlet(run).switch()
                finally:
                    budget.depth -= 1
                return p
            return invoke_async

        def invoke_async_generator(f: Any, this: Any, args: list) -> Any:
            from ..builtins.async_generator import new_async_generator
            env = build(f, args)
            if setup is not None:
                setup(f, env, this, args, UNDEFINED)
            return new_async_generator(realm, f, lambda: run_body(env))
        return invoke_async_generator

    def make_construct(self, code: FunctionCode) -> Callable[[Any, list, Any], Any]:
        realm = self.realm
        budget = realm.budget
        build = self.make_env_builder(code)
        setup = self.make_setup(code)
        body = code.body
        ts = code.this_slot
        derived = code.class_kind == "derived"
        concise = code.concise
        from ..builtins import proto_from_constructor

        def construct(f: Any, args: list, new_target: Any) -> Any:
            if budget.depth >= budget.max_depth:
                raise _stack_overflow(realm)
            env = build(f, args)
            this: Any = UNINIT
            if not derived:
                this = JSObject(proto_from_constructor(realm, new_target, "%Object.prototype%"))
            budget.depth += 1
            try:
                if setup is not None:
                    setup(f, env, this, args, new_target)
                if not derived and f.fields:
                    from .classes import initialize_fields
                    initialize_fields(realm, this, f)
                r = body(env)
            finally:
                budget.depth -= 1
            v = r if concise else env[1] if r is RETURN else UNDEFINED
            if v is not UNDEFINED:
                if isinstance(v, JSObject):
                    return v
                if derived:
                    raise realm.throw("TypeError", "Derived constructors may only return object or undefined")
            if derived:
                this = env[ts] if ts >= 0 else UNINIT
                if this is UNINIT:
                    raise realm.throw("ReferenceError", "Must call super constructor in derived class before "
                                                        "accessing 'this' or returning from derived constructor")
            return this
        return construct

    # -- yield / await
    def ex_YieldExpression(self, node: Any) -> Expr:
        from ..builtins.generator import generator_yield
        realm = self.realm
        arg = self.expr(node.argument) if node.argument is not None else (lambda env: UNDEFINED)
        is_async = self.scope.func.node is not None and getattr(self.scope.func.node, "async_", False)
        if is_async:
            from ..builtins.async_generator import async_generator_yield, async_generator_yield_star
            if node.delegate:
                return lambda env: async_generator_yield_star(realm, arg(env))
            return lambda env: async_generator_yield(realm, arg(env))
        if not node.delegate:
            return lambda env: generator_yield(arg(env))
        return lambda env: yield_star(realm, arg(env))

    def ex_AwaitExpression(self, node: Any) -> Expr:
        from ..builtins.generator import async_await
        realm = self.realm
        arg = self.expr(node.argument)
        return lambda env: async_await(realm, arg(env))

    def for_await(self, node: Any) -> Any:
        from ..builtins.generator import async_await
        from ..realm import CATCHABLE
        brk, cont = self.loop_signals()
        entry, bind, right, body = self.for_each_head(node)
        realm = self.realm

        def for_await(env: list) -> Any:
            it, nxt, sync = get_async_iterator(realm, right(entry(env) if entry is not None else env))
            while True:
                res = nxt.call(it, [])
                res = async_await(realm, res)
                if not isinstance(res, JSObject):
                    raise JSTypeError("iterator result is not an object")
                if to_boolean(res.get("done")):
                    return None
                v = res.get("value")
                if sync:
                    try:
                        v = async_await(realm, v)
                    except CATCHABLE:
                        from ..builtins.iterator import iterator_close_on_throw
                        iterator_close_on_throw(it)     # a rejected value closes the sync iterator
                        raise
                try:
                    e = entry(env) if entry is not None else env
                    bind(e, v)
                    r = body(e)
                except CATCHABLE:
                    _close_async(realm, it, True)
                    raise
                if r is not None:
                    if r in brk:
                        _close_async(realm, it, False)
                        return None
                    if r not in cont:
                        _close_async(realm, it, False)
                        return r
        return for_await


def get_async_iterator(realm: Any, obj: Any) -> tuple[Any, Any, bool]:
    method = realm.get_v(obj, SYM_ASYNC_ITERATOR)
    if method is UNDEFINED or method is None:
        from ..builtins.iterator import get_iterator
        it, nxt = get_iterator(realm, obj)
        return it, nxt, True
    if not isinstance(method, JSFunction):
        raise JSTypeError("Symbol.asyncIterator is not a function")
    it = method.call(obj, [])
    if not isinstance(it, JSObject):
        raise JSTypeError("Result of the Symbol.asyncIterator method is not an object")
    from ..builtins.iterator import NOT_CALLABLE_NEXT
    nxt = it.get("next")
    return it, nxt if isinstance(nxt, JSFunction) else NOT_CALLABLE_NEXT, False


def _close_async(realm: Any, it: Any, on_throw: bool) -> None:
    from ..builtins.generator import async_await
    from ..realm import CATCHABLE
    try:
        ret = it.get("return")
        if ret is UNDEFINED or ret is None:
            return
        if not isinstance(ret, JSFunction):
            raise JSTypeError("iterator.return is not a function")
        r = async_await(realm, ret.call(it, []))
        if not on_throw and not isinstance(r, JSObject):
            raise JSTypeError("iterator result is not an object")
    except CATCHABLE:
        if not on_throw:
            raise


def yield_star(realm: Any, iterable: Any) -> Any:
    """``yield* iterable`` in a generator (https://tc39.es/ecma262/#sec-generator-function-definitions-runtime-
    semantics-evaluation): forwards next/throw/return to the inner iterator."""
    from ..builtins.generator import GeneratorReturn, yield_received
    from ..builtins.iterator import get_iterator, iterator_close
    it, nxt = get_iterator(realm, iterable)
    mode, value = "next", UNDEFINED
    while True:
        if mode == "next":
            r = nxt.call(it, [value])
        elif mode == "throw":
            th = it.get("throw")
            if th is UNDEFINED or th is None:
                iterator_close(it)
                raise JSTypeError("The iterator does not provide a 'throw' method")
            r = th.call(it, [value])
        else:
            rt = it.get("return")
            if rt is UNDEFINED or rt is None:
                raise GeneratorReturn(value)
            r = rt.call(it, [value])
        if not isinstance(r, JSObject):
            raise JSTypeError("iterator result is not an object")
        if to_boolean(r.get("done")):
            v = r.get("value")
            if mode == "return":
                raise GeneratorReturn(v)
            return v
        mode, value = yield_received(r)


_ = throw_at
