"""Async generators (https://tc39.es/ecma262/#sec-asyncgenerator-objects): a request queue in front of a body
running in its greenlet. ``yield`` settles the head request and, when more requests are queued, carries on
without switching; ``await`` works as in async functions."""

from __future__ import annotations

import weakref
from collections import deque
from typing import Any, Callable

from greenlet import getcurrent, greenlet

from ..errors import HostJSError, JSThrow, JSTypeError
from ..operations import get_method, to_boolean
from ..values import JSObject, UNDEFINED
from . import arg, define_members
from .async_from_sync import create_async_from_sync_iterator
from .generator import GeneratorReturn, async_await
from .iterator import iter_result
from .promise import PromiseObject, await_value, reject_promise, resolve_promise

__all__ = ["install", "AsyncGeneratorObject", "new_async_generator", "async_generator_yield",
           "async_generator_yield_star"]

CATCHABLE = (JSThrow, HostJSError, RecursionError)
YIELDED = object()


class AsyncGeneratorObject(JSObject):
    __slots__ = ("state", "glet", "run", "queue", "realm")
    class_name = "AsyncGenerator"


_running: weakref.WeakKeyDictionary[Any, AsyncGeneratorObject] = weakref.WeakKeyDictionary()


def new_async_generator(realm: Any, f: Any, run_body: Callable[[], Any]) -> AsyncGeneratorObject:
    proto = f.get("prototype")
    if not isinstance(proto, JSObject):
        proto = realm.intrinsics["%AsyncGeneratorPrototype%"]
    gen = AsyncGeneratorObject(proto)
    gen.state = "start"
    gen.glet = None
    gen.queue = deque()
    gen.realm = realm

    def run(mode: str, value: Any) -> Any:
        _running[getcurrent()] = gen
        try:
            try:
                v = run_body()
                if isinstance(v, JSObject):
                    v = async_await(realm, v)
            except GeneratorReturn as ret:
                v = ret.value
        except CATCHABLE as exc:
            gen.state = "completed"
            _, _, p = gen.queue.popleft()
            reject_promise(realm, p, realm.to_js_value(exc))
            _running.pop(getcurrent(), None)
            resume_next(realm, gen)
            return None
        gen.state = "completed"
        _, _, p = gen.queue.popleft()
        resolve_promise(realm, p, iter_result(realm, v, True))
        _running.pop(getcurrent(), None)
        resume_next(realm, gen)
        return None

    gen.run = run
    return gen


def resume_next(realm: Any, gen: AsyncGeneratorObject) -> None:
    """AsyncGeneratorResumeNext: serve queued requests while the body is not running."""
    while gen.queue:
        if gen.state in ("executing", "awaiting-return"):
            return
        mode, value, p = gen.queue[0]
        if gen.state == "completed" or (gen.state == "start" and mode != "next"):
            gen.state = "completed"
            if mode == "next":
                gen.queue.popleft()
                resolve_promise(realm, p, iter_result(realm, UNDEFINED, True))
                continue
            if mode == "throw":
                gen.queue.popleft()
                reject_promise(realm, p, value)
                continue
            gen.state = "awaiting-return"

            def done(v: Any, ok: bool, p: Any = p) -> None:
                gen.state = "completed"
                gen.queue.popleft()
                if ok:
                    resolve_promise(realm, p, iter_result(realm, v, True))
                else:
                    reject_promise(realm, p, v)
                resume_next(realm, gen)
            try:
                await_value(realm, value, lambda v: done(v, True), lambda e: done(e, False))
            except CATCHABLE as exc:
                done(realm.to_js_value(exc), False)
            return
        if gen.state == "start":
            gen.glet = greenlet(gen.run)
        gen.state = "executing"
        g = gen.glet
        g.parent = getcurrent()
        g.switch(mode, value)
        return


def _enqueue(realm: Any, this: Any, mode: str, value: Any) -> Any:
    p = PromiseObject(realm.intrinsics["%Promise.prototype%"])
    if type(this) is not AsyncGeneratorObject:
        reject_promise(realm, p, realm.new_error("TypeError", f"{mode} method called on incompatible receiver"))
        return p
    this.queue.append((mode, value, p))
    if this.state not in ("executing", "awaiting-return"):
        resume_next(realm, this)
    return p


def _yield_completion(realm: Any, value: Any) -> tuple[str, Any]:
    """AsyncGeneratorYield(value) up to AsyncGeneratorUnwrapYieldResumption: settle the head request with
    ``value`` and return the next request's completion as (mode, value); a return's value is awaited."""
    g = getcurrent()
    gen = _running.get(g)
    if gen is None:
        raise JSTypeError("yield outside an async generator")
    _, _, p = gen.queue.popleft()
    resolve_promise(realm, p, iter_result(realm, value, False))
    if gen.queue:
        mode, received, _ = gen.queue[0]
    else:
        gen.state = "suspendedYield"
        mode, received = g.parent.switch(YIELDED)
        gen.state = "executing"
    if mode == "return":
        try:
            received = async_await(realm, received)
        except CATCHABLE as exc:
            return "throw", realm.to_js_value(exc)
    return mode, received


def async_generator_yield(realm: Any, value: Any) -> Any:
    """``yield value`` in an async generator body."""
    mode, received = _yield_completion(realm, async_await(realm, value))
    if mode == "next":
        return received
    if mode == "throw":
        raise JSThrow(received)
    raise GeneratorReturn(received)


def _async_iterator_close(realm: Any, it: Any) -> None:
    """AsyncIteratorClose(iteratorRecord, a normal completion)."""
    ret = get_method(it, "return")
    if ret is UNDEFINED:
        return
    r = async_await(realm, ret.call(it, []))
    if not isinstance(r, JSObject):
        raise JSTypeError("iterator result is not an object")


def async_generator_yield_star(realm: Any, iterable: Any) -> Any:
    """``yield* iterable`` in an async generator (https://tc39.es/ecma262/#sec-generator-function-definitions-
    runtime-semantics-evaluation, generatorKind async): next/throw/return go to the inner iterator, a sync one
    through %AsyncFromSyncIteratorPrototype%."""
    from ..compiler.functions import get_async_iterator
    it, nxt, sync = get_async_iterator(realm, iterable)
    if sync:
        it = create_async_from_sync_iterator(realm, it, nxt)
        nxt = realm.intrinsics["%AsyncFromSyncIteratorPrototype%"].get("next")
    mode, received = "next", UNDEFINED
    while True:
        if mode == "next":
            inner = nxt.call(it, [received])
        elif mode == "throw":
            th = get_method(it, "throw")
            if th is UNDEFINED:
                _async_iterator_close(realm, it)
                raise JSTypeError("The iterator does not provide a 'throw' method")
            inner = th.call(it, [received])
        else:
            rt = get_method(it, "return")
            if rt is UNDEFINED:
                raise GeneratorReturn(async_await(realm, received))
            inner = rt.call(it, [received])
        inner = async_await(realm, inner)
        if not isinstance(inner, JSObject):
            raise JSTypeError("iterator result is not an object")
        if to_boolean(inner.get("done")):
            v = inner.get("value")
            if mode == "return":
                raise GeneratorReturn(async_await(realm, v))
            return v
        mode, received = _yield_completion(realm, inner.get("value"))


def _next(realm: Any, this: Any, args: list[Any]) -> Any:
    return _enqueue(realm, this, "next", arg(args, 0))


def _return(realm: Any, this: Any, args: list[Any]) -> Any:
    return _enqueue(realm, this, "return", arg(args, 0))


def _throw(realm: Any, this: Any, args: list[Any]) -> Any:
    return _enqueue(realm, this, "throw", arg(args, 0))


def install(realm: Any) -> None:
    proto = realm.intrinsics["%AsyncGeneratorPrototype%"]
    define_members(realm, proto, [("next", _next, 1), ("return", _return, 1), ("throw", _throw, 1)])
