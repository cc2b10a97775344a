"""Direct eval: ``eval(text)`` where ``eval`` is %eval% runs ``text`` in the caller's scope
(https://tc39.es/ecma262/#sec-performeval).

The caller's analysis already kept everything the eval code may need reachable (``scope.mark_direct_eval``): its
bindings live in environment lists, the specials (this, arguments, new.target, home object, active function)
exist, and a sloppy function gets a var object (``#evalvars``) that the names a sloppy eval declares go to. The
eval code is parsed with the caller's context (strictness, new.target, super, private names), analysed with the
caller's scope as the parent of its own top scope, compiled for the caller's realm and cached per call site and
text. At run time its top environment list hangs below the caller's: eval code reads and assigns the caller's
bindings with the same (hops, slot) access as nested code.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from .. import ast as A
from ..errors import HostJSError, JSSyntaxError
from ..scope import Analysis, Binding, Scope, analyze_eval, lexical_between, var_scope_of
from ..source import Source
from ..values import UNDEFINED, JSFunction, JSObject, PropertyDescriptor
from .core import RETURN, CompilerBase, Expr, env_at
from .statements import annexb_global_copy

__all__ = ["EvalContext", "eval_context", "parse_eval", "DirectEvalCompiler"]

_CACHE_PER_SITE = 16


class EvalContext:
    """What the caller allows eval code to contain (checked as early errors when it is parsed)."""

    __slots__ = ("strict", "new_target", "super_prop", "super_call", "private_names", "in_field", "param_names")

    def __init__(self, strict: bool, new_target: bool, super_prop: bool, super_call: bool,
                 private_names: frozenset[str], in_field: bool) -> None:
        self.strict = strict
        self.new_target = new_target
        self.super_prop = super_prop
        self.super_call = super_call
        self.private_names = private_names
        self.in_field = in_field
        self.param_names: frozenset[str] | None = None     # set for an eval in a parameter list


def eval_context(scope: Scope) -> EvalContext:
    """The context of a direct eval called in ``scope``."""
    fs = scope.func
    while fs.kind == "function" and fs.arrow:
        fs = fs.parent.func  # type: ignore[union-attr]
    in_function = fs.kind == "function"
    privates: set[str] = set()
    s: Scope | None = scope
    while s is not None:
        if s.kind == "class":
            privates |= s.private_names
        s = s.parent
    return EvalContext(scope.strict, in_function, in_function and fs.is_method, fs.ctor == "derived",
                       frozenset(privates), in_function and type(fs.node) is A.PropertyDefinition)


def _mentions_arguments(program: A.Program) -> A.Node | None:
    stack: list[Any] = list(program.body)
    while stack:
        n = stack.pop()
        t = type(n)
        if t is A.Identifier and n.name == "arguments":
            return n     # type: ignore[no-any-return]
        if t in (A.FunctionExpression, A.FunctionDeclaration):
            continue
        stack.extend(n.children())
    return None


def parse_eval(text: str, ctx: EvalContext) -> tuple[A.Program, Source]:
    """Parse eval code as a Script with the caller's context; raises JSSyntaxError."""
    from ..early_errors import _Checker, _Fn
    from ..parser import _Driver, load_tables
    source = Source(text, "<eval>")
    driver = _Driver(source, load_tables())
    try:
        program = driver.run()
        if ctx.strict:
            program.strict = True
        checker = _Checker(source, {id(n) for n in driver.builder.octal_literals})
        checker.fn = _Fn(False, False, ctx.super_prop, ctx.super_call, ctx.new_target, False)
        if ctx.private_names:
            checker.private_scopes.append(set(ctx.private_names))
            checker.private_refs.append([])
        checker.visit(program)
    except RecursionError:
        raise JSSyntaxError("Maximum nesting depth exceeded", source.span(0, 1)) from None
    if ctx.private_names:
        for ref in checker.private_refs[0]:
            if ref.name not in ctx.private_names:
                raise checker.error(ref, f"Private field '#{ref.name}' must be declared in an enclosing class")
    if ctx.in_field:
        bad = _mentions_arguments(program)
        if bad is not None:
            raise checker.error(bad, "'arguments' is not allowed in class field initializer")
    return program, source


class _VarTarget:
    """Where a sloppy eval's var-scoped name lives: a slot of the caller's var scope, its var object, or the
    global object."""

    __slots__ = ("name", "up", "slot", "dynamic")

    def __init__(self, name: str, up: Callable[[list], list] | None, slot: int, dynamic: bool) -> None:
        self.name = name
        self.up = up
        self.slot = slot
        self.dynamic = dynamic


def _var_target(name: str, var_scope: Scope, root: Scope, in_params: bool = False) -> _VarTarget:
    """``root``: the scope the access is compiled in. ``in_params``: an eval in a parameter list, whose vars live
    outside the body's (the body's own declarations of the name are other bindings)."""
    if var_scope.kind == "script":
        return _VarTarget(name, None, -1, False)
    b = var_scope.bindings.get(name)
    if in_params:
        b = None
    elif b is not None and not b.is_lexical and b.kind not in ("blockfunction", "funcname"):
        hops, slot = Analysis.resolve(b, root)
        return _VarTarget(name, env_at(hops), slot, False)
    if name == "arguments" and not in_params and not var_scope.arrow and "arguments" in var_scope.specials:
        hops, slot = Analysis.resolve(var_scope.specials["arguments"], root)
        return _VarTarget(name, env_at(hops), slot, False)
    dyn = var_scope.dyn
    if dyn is None:
        return _VarTarget(name, None, -2, True)     # no var object: cannot declare here
    hops, slot = Analysis.resolve(dyn, root)
    return _VarTarget(name, env_at(hops), slot, True)


def _var_object(t: _VarTarget, env: list) -> JSObject:
    e = t.up(env)  # type: ignore[misc]
    o = e[t.slot]
    if not isinstance(o, JSObject):
        o = e[t.slot] = JSObject(None)     # made on first use: functions without eval never pay for it
    return o


class DirectEvalCompiler(CompilerBase):
    """Compiles direct eval call sites and the eval code they run."""

    def ex_CallExpression(self, node: Any) -> Expr:
        if id(node) in self.an.direct_evals:
            return self.direct_eval_call(node)
        return super().ex_CallExpression(node)  # type: ignore[misc, no-any-return]

    def delete(self, node: Any) -> Expr:
        """``delete x`` also finds a name a sloppy eval declared (or a `with` object holds)."""
        base = super().delete(node)  # type: ignore[misc]
        target = node.argument
        if type(target) is not A.Identifier:
            return base  # type: ignore[no-any-return]
        withs = self.with_objects(target)
        if not withs:
            return base  # type: ignore[no-any-return]
        from .core import _with_has
        key = target.name

        def delete_dynamic(env: list) -> Any:
            for up, slot in withs:
                o = up(env)[slot]
                if _with_has(o, key):
                    return o.delete(key)
            return base(env)
        return delete_dynamic

    def direct_eval_call(self, node: Any) -> Expr:
        realm = self.realm
        stack = realm.stack
        loc = self.loc(node)
        as_throw = realm.as_throw
        fn = self.expr(node.callee)
        args = self.arguments_list(node.arguments)  # type: ignore[attr-defined]
        caller = self.scope
        ctx = eval_context(caller)
        ctx.param_names = self.an.param_evals.get(id(node))
        cache: OrderedDict[str, tuple[A.Program, Source, Analysis]] = OrderedDict()
        eval_fn = realm.intrinsics.get("%eval%")
        compiler_type = type(self)

        def code_for(text: str) -> Callable[[list], Any]:
            # the parse and analysis are kept per text; each eval compiles afresh, since its code is new parse
            # nodes (a tagged template in it gets a new template object)
            parsed = cache.get(text)
            try:
                if parsed is None:
                    parsed = cache[text] = parse_and_analyze_eval(text, caller, ctx)
                    if len(cache) > _CACHE_PER_SITE:
                        cache.popitem(last=False)
                return compile_eval(compiler_type, realm, text, caller, ctx, parsed)
            except JSSyntaxError as exc:
                raise realm.throw("SyntaxError", exc.message) from None

        def direct_eval(env: list) -> Any:
            f = fn(env)
            a = args(env)
            if f is eval_fn and eval_fn is not None:
                if not a:
                    return UNDEFINED
                text = a[0]
                if type(text) is not str:
                    return text
                stack.append(loc)
                try:
                    return code_for(text)(env)
                finally:
                    stack.pop()
            if not isinstance(f, JSFunction):
                from .core import throw_at
                raise throw_at(realm, "TypeError", "eval is not a function", loc)
            stack.append(loc)
            try:
                return f.call(UNDEFINED, a)
            except HostJSError as exc:
                raise as_throw(exc) from None
            finally:
                stack.pop()
        return direct_eval

    def eval_annexb_copy(self, node: Any, vb: Binding) -> Callable[[list], None]:
        """B.3.3.3: evaluating a block function in sloppy eval code sets the caller's var binding."""
        read = self._read_var(node.id)
        root = vb.scope
        t = _var_target(vb.name, var_scope_of(root.parent), self.scope)  # type: ignore[arg-type]
        name = vb.name
        if t.up is None:
            return annexb_global_copy(self.realm, name, read)
        up, slot = t.up, t.slot
        if t.dynamic:
            def copy_dynamic(env: list) -> None:
                _var_object(t, env).set(name, read(env))
            return copy_dynamic

        def copy_static(env: list) -> None:
            up(env)[slot] = read(env)
        return copy_static


def parse_and_analyze_eval(text: str, caller: Scope, ctx: EvalContext) -> tuple[A.Program, Source, Analysis]:
    program, source = parse_eval(text, ctx)
    return program, source, analyze_eval(program, caller, ctx.param_names is not None)


def compile_eval(compiler_type: Any, realm: Any, text: str, caller: Scope, ctx: EvalContext,
                 parsed: tuple[A.Program, Source, Analysis] | None = None) -> Callable[[list], Any]:
    """Parse, analyse (unless ``parsed``) and compile eval code; returns ``run(caller_env) -> completion value``."""
    program, source, an = parsed if parsed is not None else parse_and_analyze_eval(text, caller, ctx)
    root: Scope = an.root  # type: ignore[assignment]
    c = compiler_type(realm, an, source)
    c.scope = root
    c.fname = "eval"
    completion: list[Any] = [UNDEFINED]
    c.completion = completion
    instantiate = None if root.strict else _declaration_instantiation(c, an, caller, root, ctx.param_names)
    stmts = [c.stmt(st) for st in program.body]
    template: list[Any] = [UNDEFINED] * root.nslots
    c._mark_uninit(root, template)
    hoisted = c.hoisted_functions(root)

    def run(env: list) -> Any:
        e = template[:]
        e[0] = env
        if instantiate is not None:
            instantiate(e)
        if hoisted is not None:
            hoisted(e)
        prev = completion[0]
        completion[0] = UNDEFINED
        try:
            for s in stmts:
                r = s(e)
                if r is not None and r is not RETURN:
                    break
            return completion[0]
        finally:
            completion[0] = prev
    return run


def _declaration_instantiation(c: Any, an: Analysis, caller: Scope, root: Scope,
                               param_names: frozenset[str] | None) -> Callable[[list], None]:
    """EvalDeclarationInstantiation for sloppy eval code: its vars and functions go to the caller's var scope.
    In a parameter list the parameters (and `arguments`) are what a var may not redeclare: the body's
    declarations are not in scope yet."""
    realm = c.realm
    var_scope = var_scope_of(caller)
    functions: dict[str, Any] = {}
    for d in an.eval_functions:
        functions[d.id.name] = d            # the last declaration of a name wins
    makers = [(name, c.function_maker(d)) for name, d in functions.items()]
    annexb = root.annexb_only
    plain = [n for n in an.eval_var_names if n not in functions and n not in annexb]
    in_scope = lexical_between(caller, var_scope) if param_names is None else param_names
    conflicts = sorted(in_scope & set(an.eval_var_names) - annexb)

    def syntax_error(name: str) -> Any:
        return realm.throw("SyntaxError", f"Identifier '{name}' has already been declared")

    if var_scope.kind == "script":
        g = realm.global_object
        glex = realm.global_lex

        def instantiate_global(env: list) -> None:
            for name in plain + list(functions):
                if name in glex:
                    raise syntax_error(name)
            if conflicts:
                raise syntax_error(conflicts[0])
            for name in functions:
                d = g.get_own_property(name)
                ok = g.is_extensible() if d is None else \
                    d.configurable is True or (d.is_data() and d.writable is True and d.enumerable is True)
                if not ok:
                    raise realm.throw("TypeError", f"Cannot declare global function '{name}'")
            for name in plain:
                if g.get_own_property(name) is None and not g.is_extensible():
                    raise realm.throw("TypeError", f"Cannot declare global variable '{name}'")
            for name in annexb:
                if name not in glex and name not in functions and g.get_own_property(name) is None and \
                        g.is_extensible():
                    g.define_own_property(name, PropertyDescriptor(value=UNDEFINED, writable=True, enumerable=True,
                                                                   configurable=True))
            for name, make in makers:
                fo = make(env)
                d = g.get_own_property(name)
                if d is None or d.configurable is True:
                    g.define_own_property(name, PropertyDescriptor(value=fo, writable=True, enumerable=True,
                                                                   configurable=True))
                else:
                    g.define_own_property(name, PropertyDescriptor(value=fo))
            for name in plain:
                if g.get_own_property(name) is None and g.is_extensible():
                    g.define_own_property(name, PropertyDescriptor(value=UNDEFINED, writable=True, enumerable=True,
                                                                   configurable=True))
        return instantiate_global

    targets = {name: _var_target(name, var_scope, root, param_names is not None) for name in an.eval_var_names}
    missing = [n for n, t in targets.items() if t.dynamic and t.up is None]
    fn_targets = [(targets[name], make) for name, make in makers]
    dyn_vars = [targets[n] for n in an.eval_var_names if n not in functions and targets[n].dynamic]

    def instantiate_local(env: list) -> None:
        if conflicts:
            raise syntax_error(conflicts[0])
        if missing:
            raise realm.throw("SyntaxError", f"eval cannot declare '{missing[0]}' here")
        for t in dyn_vars:
            o = _var_object(t, env)
            if t.name not in o.props:
                o.props[t.name] = UNDEFINED
        for t, make in fn_targets:
            fo = make(env)
            if t.dynamic:
                _var_object(t, env).props[t.name] = fo
            else:
                t.up(env)[t.slot] = fo  # type: ignore[misc]
    return instantiate_local
