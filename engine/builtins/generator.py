"""Generators and async functions on greenlets: %GeneratorPrototype% (next/return/throw), the function
prototypes of generator/async functions, and the suspend/resume primitives the compiler calls.

A generator body runs in its own greenlet; ``yield`` switches to whoever resumed it. An async function body runs in
a greenlet too; ``await`` registers promise reactions that switch back into it from a promise job. No threads, and
ordinary closures stay synchronous (greenlet earns its place: a generator-based spine would need every closure on
the path to a ``yield`` to be a Python generator).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from greenlet import getcurrent, greenlet

from ..errors import JSThrow, JSTypeError
from ..values import (
    SYM_TO_STRING_TAG, UNDEFINED, BuiltinFunction, JSObject, PropertyDescriptor,
)
from . import arg, define_members, raw_props
from .iterator import iter_result
from .promise import await_value

__all__ = ["install", "GeneratorObject", "GeneratorReturn", "resume", "generator_yield", "async_await",
           "AWAITING"]

AWAITING = object()


class GeneratorReturn(BaseException):
    """``generator.return(v)`` arriving at a ``yield``: unwinds the body running ``finally`` blocks only
    (a BaseException so JS ``catch`` — which catches JSThrow and host errors — never sees it)."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class GeneratorObject(JSObject):
    __slots__ = ("state", "glet", "run")
    class_name = "Generator"

    def __init__(self, proto: JSObject | None, run: Callable[..., Any]) -> None:
        JSObject.__init__(self, proto)
        self.state = "start"
        self.glet: Any = None
        self.run = run


def resume(realm: Any, gen: Any, mode: str, value: Any) -> Any:
    """GeneratorResume / GeneratorResumeAbrupt: run the body to its next ``yield`` (an iterator result)."""
    if type(gen) is not GeneratorObject:
        raise JSTypeError(f"{mode} method called on incompatible receiver {realm.display(gen)}")
    state = gen.state
    if state == "running":
        raise JSTypeError("Generator is already running")
    if state == "done" or (state == "start" and mode != "next"):
        gen.state = "done"
        if mode == "throw":
            raise JSThrow(value)
        return iter_result(realm, value if mode == "return" else UNDEFINED, True)
    if state == "start":
        gen.glet = greenlet(gen.run)
    g = gen.glet
    g.parent = getcurrent()
    gen.state = "running"
    try:
        kind, v = g.switch(mode, value)
    except BaseException:
        gen.state = "done"
        raise
    if kind == "done":
        gen.state = "done"
        gen.glet = None
        return iter_result(realm, v, True)
    gen.state = "suspended"
    if kind == "raw":
        return v
    return iter_result(realm, v, False)


def generator_yield(value: Any, raw: bool = False) -> Any:
    """Suspend the running generator body with ``value``; returns what ``next`` sends, raises for throw/return."""
    g = getcurrent()
    mode, v = g.parent.switch(("raw" if raw else "yield", value))
    if mode == "next":
        return v
    if mode == "throw":
        raise JSThrow(v)
    raise GeneratorReturn(v)


def yield_received(value: Any) -> tuple[str, Any]:
    """Like generator_yield but returns the (mode, value) received, for ``yield*``."""
    g = getcurrent()
    return g.parent.switch(("raw", value))


def _resume(g: Any, mode: str, value: Any) -> None:
    g.parent = getcurrent()
    g.switch(mode, value)


def async_await(realm: Any, value: Any) -> Any:
    """``await value`` inside an async body running in its greenlet: one promise job later, resume with the
    settled value (a primitive needs no promise at all: the job resumes directly, in the same tick)."""
    g = getcurrent()
    if g.parent is None:
        raise JSTypeError("await is only valid in async functions")
    if isinstance(value, JSObject):
        await_value(realm, value, partial(_resume, g, "next"), partial(_resume, g, "throw"))
    else:
        realm.jobs.enqueue(_resume, g, "next", value)
    mode, v = g.parent.switch(AWAITING)
    if mode == "throw":
        raise JSThrow(v)
    return v


def _next(realm: Any, this: Any, args: list[Any]) -> Any:
    return resume(realm, this, "next", arg(args, 0))


def _return(realm: Any, this: Any, args: list[Any]) -> Any:
    return resume(realm, this, "return", arg(args, 0))


def _throw(realm: Any, this: Any, args: list[Any]) -> Any:
    return resume(realm, this, "throw", arg(args, 0))


def _tag(obj: JSObject, tag: str) -> None:
    raw_props(obj)[SYM_TO_STRING_TAG] = PropertyDescriptor(value=tag, writable=False, enumerable=False,
                                                           configurable=True)


def _function_ctor(kind: str) -> Any:
    def construct(realm: Any, args: list[Any], new_target: Any) -> Any:
        from ..operations import to_string
        from ..script import create_dynamic_function
        params = ",".join(to_string(a) for a in args[:-1])
        body = to_string(args[-1]) if args else ""
        return create_dynamic_function(realm, kind, params, body)
    return construct


def install(realm: Any) -> None:
    fp = realm.function_prototype
    iter_proto = realm.intrinsics["%IteratorPrototype%"]
    # generators
    gen_proto = JSObject(iter_proto)
    define_members(realm, gen_proto, [("next", _next, 1), ("return", _return, 1), ("throw", _throw, 1)])
    _tag(gen_proto, "Generator")
    gen_fn_proto = JSObject(fp)
    _tag(gen_fn_proto, "GeneratorFunction")
    gen_fn_proto.define("prototype", gen_proto, writable=False)
    gen_proto.define("constructor", gen_fn_proto, writable=False)
    realm.intrinsics["%GeneratorPrototype%"] = gen_proto
    realm.intrinsics["%GeneratorFunction.prototype%"] = gen_fn_proto
    # async functions
    async_fn_proto = JSObject(fp)
    _tag(async_fn_proto, "AsyncFunction")
    realm.intrinsics["%AsyncFunction.prototype%"] = async_fn_proto
    # async generators (prototype objects; the methods come with the async generator support)
    agen_proto = JSObject(realm.intrinsics["%AsyncIteratorPrototype%"])
    _tag(agen_proto, "AsyncGenerator")
    agen_fn_proto = JSObject(fp)
    _tag(agen_fn_proto, "AsyncGeneratorFunction")
    agen_fn_proto.define("prototype", agen_proto, writable=False)
    agen_proto.define("constructor", agen_fn_proto, writable=False)
    realm.intrinsics["%AsyncGeneratorPrototype%"] = agen_proto
    realm.intrinsics["%AsyncGeneratorFunction.prototype%"] = agen_fn_proto
    for name, proto, kind in (("GeneratorFunction", gen_fn_proto, "generator"),
                              ("AsyncFunction", async_fn_proto, "async"),
                              ("AsyncGeneratorFunction", agen_fn_proto, "asyncgenerator")):
        construct = _function_ctor(kind)
        ctor = BuiltinFunction(realm, lambda r, t, a, c=construct: c(r, a, UNDEFINED), name, 1, construct,
                               proto=realm.intrinsics["%Function%"])
        ctor.define("prototype", proto, writable=False, configurable=False)
        proto.define("constructor", ctor, writable=False)
        realm.intrinsics[f"%{name}%"] = ctor
