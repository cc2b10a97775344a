"""Scripts: parse, analyze, compile, and GlobalDeclarationInstantiation; dynamic functions (``Function(...)``),
indirect ``eval``, and ``run_snippet`` for tests."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, Callable

from . import ast as A
from .errors import JSSyntaxError, JSThrow
from .scope import Scope, analyze, bound_names
from .source import Source
from .values import UNDEFINED, UNINIT, PropertyDescriptor

__all__ = ["Script", "compile_script", "create_dynamic_function", "run_snippet", "parse_and_compile"]


class Script:
    """A compiled script bound to a realm; ``run()`` instantiates its globals, runs it and returns the completion
    value of its last top-level expression statement."""

    def __init__(self, realm: Any, program: A.Program, body: Callable[[list], Any], nslots: int,
                 template: list, source: Source, hoisted: Any) -> None:
        self.realm = realm
        self.program = program
        self.body = body
        self.nslots = nslots
        self.template = template
        self.source = source
        self.hoisted = hoisted
        self.completion: list[Any] = [UNDEFINED]

    @property
    def filename(self) -> str:
        return self.source.filename

    def run(self) -> Any:
        self.instantiate_globals()
        env = self.template[:]
        if self.hoisted is not None:
            self.hoisted(env)
        self.completion[0] = UNDEFINED
        self.body(env)
        return self.completion[0]

    def instantiate_globals(self) -> None:
        """GlobalDeclarationInstantiation (https://tc39.es/ecma262/#sec-globaldeclarationinstantiation)."""
        realm = self.realm
        g = realm.global_object
        lex_names: list[tuple[str, str]] = []
        var_names: list[str] = []
        fn_names: list[str] = []
        for st in self.program.body:
            while type(st) is A.LabeledStatement:
                st = st.body
            if self.eval_code and type(st) is not A.FunctionDeclaration:
                continue
            if type(st) is A.VariableDeclaration and st.kind != "var":
                for d in st.declarations:
                    lex_names += [(i.name, st.kind) for i in bound_names(d.id)]
            elif type(st) is A.ClassDeclaration:
                lex_names.append((st.id.name, "class"))
            elif type(st) is A.FunctionDeclaration:
                fn_names.append(st.id.name)
        root = self.analysis_root
        for name, b in root.bindings.items():
            if b.kind == "var":
                var_names.append(name)
        for name, _ in lex_names:
            if name in realm.global_lex:
                raise realm.throw("SyntaxError", f"Identifier '{name}' has already been declared")
            d = g.get_own_property(name)
            if d is not None and d.configurable is False:
                raise realm.throw("SyntaxError", f"Identifier '{name}' has already been declared")
        annexb = root.annexb_only
        for name in var_names + fn_names:
            if name in realm.global_lex and name not in annexb:
                raise realm.throw("SyntaxError", f"Identifier '{name}' has already been declared")
        for name in fn_names:
            d = g.get_own_property(name)
            if not (g.is_extensible() if d is None else d.configurable is True or
                    (d.is_data() and d.writable is True and d.enumerable is True)):
                raise realm.throw("TypeError", f"Cannot redefine global function '{name}'")
        for name in var_names:
            if name not in annexb and g.get_own_property(name) is None and not g.is_extensible():
                raise realm.throw("TypeError", f"Cannot define global variable '{name}'")
        if annexb:
            # B.3.3.2: a block function whose var binding cannot be made stays block-scoped only
            var_names = [n for n in var_names if n not in annexb or
                         (n not in realm.global_lex and (g.get_own_property(n) is not None or g.is_extensible()))]
        for name, kind in lex_names:
            realm.global_lex[name] = UNINIT
            if kind == "const":
                realm.global_consts.add(name)
        for name in fn_names:
            d = g.get_own_property(name)
            if d is None or d.configurable is True:
                g.define_own_property(name, PropertyDescriptor(value=UNDEFINED, writable=True, enumerable=True,
                                                               configurable=self.eval_code))
        for name in var_names:
            if g.get_own_property(name) is None and g.is_extensible():
                g.define_own_property(name, PropertyDescriptor(value=UNDEFINED, writable=True, enumerable=True,
                                                               configurable=self.eval_code))

    analysis_root: Any = None
    eval_code = False
    pending_bodies: list[Callable[[], None]] = []  # lazily compiled top-level functions (compile_bodies)

    def compile_bodies(self) -> Iterator[None]:
        """Compile the bodies of the script's top-level functions ahead of their first call, yielding between
        them (a lazily compiled script only; see ``parse_and_compile``). These are most often its event handlers:
        a session starting on real time compiles each in a loop turn of its own, so the first event (the
        ``CallAlerting`` handler answering, recording and connecting an agent) does not compile its whole body in
        the same piece. Functions nested in them stay lazy."""
        pending, self.pending_bodies = self.pending_bodies, []
        for i, compile_ahead in enumerate(pending):
            if i:
                yield
            compile_ahead()


class _Analysed:
    """A parsed and analysed script text, and whether it has compiled without an early error yet."""

    __slots__ = ("program", "analysis", "compiled")

    def __init__(self, program: A.Program, analysis: Any) -> None:
        self.program = program
        self.analysis = analysis
        self.compiled = False


_ANALYSED: "OrderedDict[tuple[str, str, bool], _Analysed]" = OrderedDict()
_ANALYSED_MAX = 64
_ANALYSED_MAX_TEXT = 1 << 20


def _parse_and_analyze(text: str, filename: str, eval_code: bool) -> _Analysed:
    """Parse and resolve scopes, remembering the last few results: the AST and its analysis are realm-independent
    and never mutated by the compiler, so sessions running the same scenario file (load mode, a pytest suite, the
    test262 harness files) parse it once."""
    from .parser import parse_script
    key = (text, filename, eval_code)
    hit = _ANALYSED.get(key)
    if hit is not None:
        _ANALYSED.move_to_end(key)
        return hit
    program = parse_script(text, filename)
    result = _Analysed(program, analyze(program, eval_code, may_eval="eval" in text or "\\u" in text))
    if len(text) > _ANALYSED_MAX_TEXT:
        return result
    _ANALYSED[key] = result
    if len(_ANALYSED) > _ANALYSED_MAX:
        _ANALYSED.popitem(last=False)
    return result


def parse_and_compile(realm: Any, text: str, filename: str, eval_code: bool = False) -> Script:
    """Parse (cached) and compile ``text`` for ``realm``. The first compile of a text is eager, so it raises every
    early error the compiler finds; later ones (the same scenario in the next session) compile function bodies on
    their first call, which spreads a session's compile over its events and skips the handlers it never fires."""
    from .compiler import Compiler
    from .compiler.core import RETURN
    source = Source(text, filename)
    analysed = _parse_and_analyze(text, filename, eval_code)
    program, analysis = analysed.program, analysed.analysis
    compiler = Compiler(realm, analysis, source)
    compiler.lazy = analysed.compiled and not eval_code
    compiler.deferred = [] if compiler.lazy else None
    root = analysis.root
    completion: list[Any] = [UNDEFINED]
    compiler.completion = completion
    entry = None
    if eval_code:
        compiler.scope = analysis.scope_of(program.body)
        entry = compiler.block_entry(compiler.scope)
    stmts = [compiler.stmt(st) for st in program.body]

    def body(env: list) -> Any:
        if entry is not None:
            env = entry(env)
        for s in stmts:
            r = s(env)
            if r is not None and r is not RETURN:
                return r
        return None
    template = [UNDEFINED] * root.nslots
    compiler._mark_uninit(root, template)
    hoisted = compiler.hoisted_functions(root)
    script = Script(realm, program, body, root.nslots, template, source, hoisted)
    script.completion = completion
    script.analysis_root = root
    script.eval_code = eval_code
    script.pending_bodies = compiler.deferred or []
    compiler.deferred = None  # functions compiled later (nested ones, on their first call) stay lazy
    analysed.compiled = True
    return script


def compile_script(realm: Any, text: str, filename: str = "<script>") -> Script:
    """Parse and compile (JSSyntaxError on bad syntax); ``realm.compile_script`` calls this."""
    return parse_and_compile(realm, text, filename)


_PREFIX = {"function": "function", "generator": "function*", "async": "async function",
           "asyncgenerator": "async function*"}


def create_dynamic_function(realm: Any, kind: str, params: str, body: str) -> Any:
    """CreateDynamicFunction: ``new Function(params..., body)`` compiled in the global scope."""
    prefix = _PREFIX[kind]
    text = f"({prefix} anonymous({params}\n) {{\n{body}\n}})"
    try:
        script = parse_and_compile(realm, text, "<anonymous>")
    except JSSyntaxError as exc:
        raise realm.throw("SyntaxError", exc.message) from None
    stmts = script.program.body
    if len(stmts) != 1 or type(stmts[0]) is not A.ExpressionStatement or \
            type(stmts[0].expression) is not A.FunctionExpression:
        raise realm.throw("SyntaxError", "Invalid function body")
    return script.run()


_GLOBAL_CALLER = Scope("script", None, None)    # what indirect eval code hangs below (never modified)


def indirect_eval(realm: Any, text: Any) -> Any:
    """PerformEval for an indirect call: eval code in the global scope (a strict one keeps its declarations);
    non-strings come back unchanged."""
    if type(text) is not str:
        return text
    from .compiler import Compiler
    from .compiler.eval import EvalContext, compile_eval
    ctx = EvalContext(False, False, False, False, frozenset(), False)
    try:
        run = compile_eval(Compiler, realm, text, _GLOBAL_CALLER, ctx)
    except JSSyntaxError as exc:
        raise realm.throw("SyntaxError", exc.message) from None
    return run([None, UNDEFINED])


def run_snippet(source: str, realm: Any = None) -> str:
    """Run JS in a fresh realm with a ``print`` global; returns the printed lines (and ``Uncaught …`` for an
    exception that escaped), for table-driven tests."""
    from .operations import to_string
    from .realm import Realm
    from .values import describe_thrown
    r = realm or Realm()
    out: list[str] = []

    def print_(realm_: Any, this: Any, args: list[Any]) -> Any:
        out.append(" ".join(_show(a) for a in args))
        return UNDEFINED

    def _show(v: Any) -> str:
        from .values import JSObject, JSSymbol
        if isinstance(v, JSSymbol):
            return repr(v)
        if isinstance(v, JSObject):
            try:
                return to_string(v)
            except Exception:
                return describe_thrown(v)
        return to_string(v)

    r.define_global("print", r.new_function("print", print_, 1))
    r.on_unhandled_rejection(lambda reason: out.append("Unhandled rejection: " + describe_thrown(reason)))
    try:
        script = r.compile_script(source, "snippet.js")
        r.run_task(script.run)
    except JSThrow as exc:
        out.append("Uncaught " + describe_thrown(exc.value))
    except JSSyntaxError as exc:
        out.append("SyntaxError: " + exc.message)
    return "\n".join(out)
