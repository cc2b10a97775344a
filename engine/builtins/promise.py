"""Promise (https://tc39.es/ecma262/#sec-promise-objects): jobs go on the realm's JobQueue, never on asyncio.

Reactions may carry a Python callable instead of a JS handler; ``await`` uses that to resume a suspended function
without allocating JS functions.

Memory account (``engine/budget.py``): a reaction waiting on a pending promise is charged to the realm's budget and
credited when the promise settles (queued jobs are counted by the budget from the queue's length).
``f = () => Promise.resolve().then(f)`` keeps a chain of pending promises growing (one more waiting reaction per
turn, while the job queue stays short): that chain is what the account sees, long before CPython's full collections
over it stall the process.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import HostJSError, JSThrow, JSTypeError
from ..values import (
    SYM_SPECIES, SYM_TO_STRING_TAG, UNDEFINED, BuiltinFunction, JSObject, PropertyDescriptor, is_callable,
    is_constructor,
)
from . import arg, define_accessors, define_members, make_constructor, proto_from_constructor

__all__ = ["install", "PromiseObject", "new_promise_capability", "new_promise_capability_intrinsic",
           "promise_resolve", "perform_then", "resolve_promise", "reject_promise", "await_value"]

CATCHABLE = (JSThrow, HostJSError, RecursionError)
PENDING, FULFILLED, REJECTED = "pending", "fulfilled", "rejected"

#: Bytes charged per reaction waiting on a pending promise: a link of a ``.then`` chain measured with tracemalloc
#: (its promise, capability, resolving functions and closures: ~1.5 KB).
REACTION_BYTES = 1500


class PromiseObject(JSObject):
    __slots__ = ("state", "result", "reactions", "handled")
    class_name = "Promise"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.state = PENDING
        self.result: Any = UNDEFINED
        self.reactions: list[tuple[Any, Any, Any]] | None = []   # (capability, on_fulfilled, on_rejected)
        self.handled = False


class Capability:
    __slots__ = ("promise", "resolve", "reject")

    def __init__(self, promise: Any, resolve: Any, reject: Any) -> None:
        self.promise = promise
        self.resolve = resolve
        self.reject = reject


def _catch_to_value(realm: Any, exc: BaseException) -> Any:
    return realm.to_js_value(exc)


def fulfill_promise(realm: Any, p: PromiseObject, value: Any) -> None:
    reactions = p.reactions
    p.state, p.result, p.reactions = FULFILLED, value, None
    if reactions:
        realm.budget.memory -= REACTION_BYTES * len(reactions)
    for cap, on_ful, _ in reactions or ():
        realm.jobs.enqueue(_reaction_job, realm, cap, on_ful, value, False)


def reject_promise(realm: Any, p: PromiseObject, reason: Any) -> None:
    reactions = p.reactions
    p.state, p.result, p.reactions = REJECTED, reason, None
    if not p.handled:
        realm.pending_rejections.append(p)
    if reactions:
        realm.budget.memory -= REACTION_BYTES * len(reactions)
    for cap, _, on_rej in reactions or ():
        realm.jobs.enqueue(_reaction_job, realm, cap, on_rej, reason, True)


def resolve_promise(realm: Any, p: PromiseObject, resolution: Any) -> None:
    """The body of a promise resolve function once ``alreadyResolved`` was checked."""
    if resolution is p:
        reject_promise(realm, p, realm.new_error("TypeError", "Chaining cycle detected for promise"))
        return
    if not isinstance(resolution, JSObject):
        fulfill_promise(realm, p, resolution)
        return
    try:
        then = resolution.get("then")
    except CATCHABLE as exc:
        reject_promise(realm, p, _catch_to_value(realm, exc))
        return
    if not is_callable(then):
        fulfill_promise(realm, p, resolution)
        return
    realm.jobs.enqueue(_resolve_thenable_job, realm, p, resolution, then)


def _resolve_thenable_job(realm: Any, p: PromiseObject, thenable: Any, then: Any) -> None:
    resolve, reject = create_resolving_functions(realm, p)
    try:
        then.call(thenable, [resolve, reject])
    except CATCHABLE as exc:
        reject.call(UNDEFINED, [_catch_to_value(realm, exc)])


def create_resolving_functions(realm: Any, p: PromiseObject) -> tuple[BuiltinFunction, BuiltinFunction]:
    done = [False]

    def resolve(realm_: Any, this: Any, args: list[Any]) -> Any:
        if not done[0]:
            done[0] = True
            resolve_promise(realm, p, arg(args, 0))
        return UNDEFINED

    def reject(realm_: Any, this: Any, args: list[Any]) -> Any:
        if not done[0]:
            done[0] = True
            reject_promise(realm, p, arg(args, 0))
        return UNDEFINED

    return BuiltinFunction(realm, resolve, "", 1), BuiltinFunction(realm, reject, "", 1)


def _reaction_job(realm: Any, cap: Any, handler: Any, argument: Any, is_reject: bool) -> None:
    """PromiseReactionJob (https://tc39.es/ecma262/#sec-promisereactionjob)."""
    if handler is UNDEFINED:
        if cap is None:
            return
        if is_reject:
            cap.reject.call(UNDEFINED, [argument]) if not isinstance(cap, PromiseObject) else \
                reject_promise(realm, cap, argument)
        else:
            cap.resolve.call(UNDEFINED, [argument]) if not isinstance(cap, PromiseObject) else \
                resolve_promise(realm, cap, argument)
        return
    try:
        if isinstance(handler, JSObject):
            result = handler.call(UNDEFINED, [argument])
        else:
            result = handler(argument)
    except CATCHABLE as exc:
        if cap is None:
            raise
        value = _catch_to_value(realm, exc)
        if isinstance(cap, PromiseObject):
            if cap.state == PENDING:
                reject_promise(realm, cap, value)
        else:
            cap.reject.call(UNDEFINED, [value])
        return
    if cap is None:
        return
    if isinstance(cap, PromiseObject):
        if cap.state == PENDING:
            resolve_promise(realm, cap, result)
    else:
        cap.resolve.call(UNDEFINED, [result])


def perform_then(realm: Any, p: PromiseObject, on_ful: Any, on_rej: Any, cap: Any) -> None:
    """PerformPromiseThen. ``cap`` is a Capability, a PromiseObject we own (resolved directly), or None;
    handlers are JS functions, UNDEFINED, or Python callables taking the value."""
    if p.state == PENDING:
        p.reactions.append((cap, on_ful, on_rej))
        realm.budget.memory += REACTION_BYTES
    elif p.state == FULFILLED:
        realm.jobs.enqueue(_reaction_job, realm, cap, on_ful, p.result, False)
    else:
        realm.jobs.enqueue(_reaction_job, realm, cap, on_rej, p.result, True)
    p.handled = True


def new_promise_capability(realm: Any, c: Any) -> Capability:
    """NewPromiseCapability(C)."""
    if c is realm.intrinsics["%Promise%"]:
        p = PromiseObject(realm.intrinsics["%Promise.prototype%"])
        resolve, reject = create_resolving_functions(realm, p)
        return Capability(p, resolve, reject)
    if not is_constructor(c):
        raise JSTypeError("Promise resolver is not a constructor")
    slots: list[Any] = [UNDEFINED, UNDEFINED]

    def executor(realm_: Any, this: Any, args: list[Any]) -> Any:
        if slots[0] is not UNDEFINED or slots[1] is not UNDEFINED:
            raise JSTypeError("Promise executor has already been invoked with non-undefined arguments")
        slots[0], slots[1] = arg(args, 0), arg(args, 1)
        return UNDEFINED

    p = c.construct([BuiltinFunction(realm, executor, "", 2)], c)
    if not is_callable(slots[0]) or not is_callable(slots[1]):
        raise JSTypeError("Promise resolve or reject function is not callable")
    return Capability(p, slots[0], slots[1])


def new_promise_capability_intrinsic(realm: Any) -> tuple[PromiseObject, BuiltinFunction, BuiltinFunction]:
    p = PromiseObject(realm.intrinsics["%Promise.prototype%"])
    resolve, reject = create_resolving_functions(realm, p)
    return p, resolve, reject


def promise_resolve(realm: Any, c: Any, x: Any) -> Any:
    """PromiseResolve(C, x)."""
    if isinstance(x, PromiseObject):
        if x.get("constructor") is c:
            return x
    if c is realm.intrinsics["%Promise%"]:
        p = PromiseObject(realm.intrinsics["%Promise.prototype%"])
        resolve_promise(realm, p, x)
        return p
    cap = new_promise_capability(realm, c)
    cap.resolve.call(UNDEFINED, [x])
    return cap.promise


def await_value(realm: Any, v: Any, on_ful: Callable[[Any], Any], on_rej: Callable[[Any], Any]) -> None:
    """Await's promise part: resolve ``v`` to a native promise and react with Python callables."""
    p = promise_resolve(realm, realm.intrinsics["%Promise%"], v)
    perform_then(realm, p, on_ful, on_rej, None)


# -- constructor and statics


def _promise_call(realm: Any, this: Any, args: list[Any]) -> Any:
    raise JSTypeError("Promise constructor cannot be invoked without 'new'")


def _promise_construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    executor = arg(args, 0)
    if not is_callable(executor):
        raise JSTypeError(f"Promise resolver {realm.display(executor)} is not a function")
    p = PromiseObject(proto_from_constructor(realm, new_target, "%Promise.prototype%"))
    resolve, reject = create_resolving_functions(realm, p)
    try:
        executor.call(UNDEFINED, [resolve, reject])
    except CATCHABLE as exc:
        reject.call(UNDEFINED, [_catch_to_value(realm, exc)])
    return p


def _static_resolve(realm: Any, this: Any, args: list[Any]) -> Any:
    if not isinstance(this, JSObject):
        raise JSTypeError("PromiseResolve called on non-object")
    return promise_resolve(realm, this, arg(args, 0))


def _static_reject(realm: Any, this: Any, args: list[Any]) -> Any:
    cap = new_promise_capability(realm, this)
    cap.reject.call(UNDEFINED, [arg(args, 0)])
    return cap.promise


def _get_resolve(realm: Any, c: Any) -> Any:
    r = c.get("resolve")
    if not is_callable(r):
        raise JSTypeError("Promise resolve is not a function")
    return r


def _combinator(kind: str) -> Any:
    def combinator(realm: Any, this: Any, args: list[Any]) -> Any:
        from .iterator import get_iterator
        from ..operations import to_boolean
        cap = new_promise_capability(realm, this)
        try:
            resolve_fn = _get_resolve(realm, this)
            it, nxt = get_iterator(realm, arg(args, 0))
        except CATCHABLE as exc:
            cap.reject.call(UNDEFINED, [_catch_to_value(realm, exc)])
            return cap.promise
        values: list[Any] = []
        remaining = [1]
        index = 0

        def finish() -> None:
            if kind == "any":
                err = realm.new_error("AggregateError", "All promises were rejected")
                err.define("errors", realm.new_array(list(values)))
                cap.reject.call(UNDEFINED, [err])
            else:
                cap.resolve.call(UNDEFINED, [realm.new_array(list(values))])

        done = False
        try:
            while True:
                try:
                    r = nxt.call(it, [])
                    if not isinstance(r, JSObject):
                        raise JSTypeError("iterator result is not an object")
                    if to_boolean(r.get("done")):
                        done = True
                        remaining[0] -= 1
                        if remaining[0] == 0 and kind != "race":
                            finish()
                        return cap.promise
                    v = r.get("value")
                except CATCHABLE:
                    done = True
                    raise
                if kind != "race":
                    values.append(UNDEFINED)
                next_promise = resolve_fn.call(this, [v])
                i = index
                called = [False]

                def settle(value: Any, i: int = i, called: list[bool] = called, how: str = "") -> Any:
                    if called[0]:
                        return UNDEFINED
                    called[0] = True
                    if kind == "allSettled":
                        o = realm.new_object()
                        o.props["status"] = "fulfilled" if how == "ok" else "rejected"
                        o.props["value" if how == "ok" else "reason"] = value
                        value = o
                    values[i] = value
                    remaining[0] -= 1
                    if remaining[0] == 0:
                        finish()
                    return UNDEFINED

                def fn(h: Callable[..., Any], length: int = 1) -> BuiltinFunction:
                    return BuiltinFunction(realm, lambda r_, t, a: h(arg(a, 0)), "", length)

                if kind == "all":
                    on_ok, on_err = fn(lambda v, s=settle: s(v, how="ok")), cap.reject
                elif kind == "allSettled":
                    on_ok, on_err = fn(lambda v, s=settle: s(v, how="ok")), fn(lambda v, s=settle: s(v, how="err"))
                elif kind == "any":
                    on_ok, on_err = cap.resolve, fn(lambda v, s=settle: s(v, how="err"))
                else:
                    on_ok, on_err = cap.resolve, cap.reject
                if kind != "race":
                    remaining[0] += 1
                then = realm.get_v(next_promise, "then")
                if not is_callable(then):
                    raise JSTypeError("then is not a function")
                then.call(next_promise, [on_ok, on_err])
                index += 1
        except CATCHABLE as exc:
            if not done:
                from .iterator import iterator_close_on_throw
                iterator_close_on_throw(it)
            cap.reject.call(UNDEFINED, [_catch_to_value(realm, exc)])
            return cap.promise

    return combinator


def _this_promise(this: Any, name: str) -> PromiseObject:
    if not isinstance(this, PromiseObject):
        raise JSTypeError(f"Method Promise.prototype.{name} called on incompatible receiver")
    return this


def _species_constructor(realm: Any, o: JSObject, default: Any) -> Any:
    c = o.get("constructor")
    if c is UNDEFINED:
        return default
    if not isinstance(c, JSObject):
        raise JSTypeError("object.constructor is not an object")
    s = c.get(SYM_SPECIES)
    if s is UNDEFINED or s is None:
        return default
    if is_constructor(s):
        return s
    raise JSTypeError("object.constructor[Symbol.species] is not a constructor")


def _then(realm: Any, this: Any, args: list[Any]) -> Any:
    p = _this_promise(this, "then")
    c = _species_constructor(realm, p, realm.intrinsics["%Promise%"])
    on_ful, on_rej = arg(args, 0), arg(args, 1)
    if c is realm.intrinsics["%Promise%"]:
        result = PromiseObject(realm.intrinsics["%Promise.prototype%"])
        perform_then(realm, p, on_ful if is_callable(on_ful) else UNDEFINED,
                     on_rej if is_callable(on_rej) else UNDEFINED, result)
        return result
    cap = new_promise_capability(realm, c)
    perform_then(realm, p, on_ful if is_callable(on_ful) else UNDEFINED,
                 on_rej if is_callable(on_rej) else UNDEFINED, cap)
    return cap.promise


def _catch(realm: Any, this: Any, args: list[Any]) -> Any:
    then = realm.get_v(this, "then")
    if not is_callable(then):
        raise JSTypeError("then is not a function")
    return then.call(this, [UNDEFINED, arg(args, 0)])


def _finally(realm: Any, this: Any, args: list[Any]) -> Any:
    if not isinstance(this, JSObject):
        raise JSTypeError("Promise.prototype.finally called on non-object")
    c = _species_constructor(realm, this, realm.intrinsics["%Promise%"])
    on_finally = arg(args, 0)
    if not is_callable(on_finally):
        then_ok, then_err = on_finally, on_finally
    else:
        def then_finally(r_: Any, t: Any, a: list[Any]) -> Any:
            value = arg(a, 0)
            result = on_finally.call(UNDEFINED, [])
            p = promise_resolve(realm, c, result)
            ret = BuiltinFunction(realm, lambda r2, t2, a2: value, "", 0)
            return realm.get_v(p, "then").call(p, [ret])

        def catch_finally(r_: Any, t: Any, a: list[Any]) -> Any:
            reason = arg(a, 0)
            result = on_finally.call(UNDEFINED, [])
            p = promise_resolve(realm, c, result)

            def thrower(r2: Any, t2: Any, a2: list[Any]) -> Any:
                from ..errors import JSThrow
                raise JSThrow(reason)
            return realm.get_v(p, "then").call(p, [BuiltinFunction(realm, thrower, "", 0)])

        then_ok = BuiltinFunction(realm, then_finally, "", 1)
        then_err = BuiltinFunction(realm, catch_finally, "", 1)
    then = realm.get_v(this, "then")
    if not is_callable(then):
        raise JSTypeError("then is not a function")
    return then.call(this, [then_ok, then_err])


def _species_getter(realm: Any, this: Any, args: list[Any]) -> Any:
    return this


def _with_resolvers(realm: Any, this: Any, args: list[Any]) -> Any:
    cap = new_promise_capability(realm, this)
    o = realm.new_object()
    o.props["promise"] = cap.promise
    o.props["resolve"] = cap.resolve
    o.props["reject"] = cap.reject
    return o


def install(realm: Any) -> None:
    proto = realm.new_object()
    ctor = make_constructor(realm, "Promise", 1, _promise_call, _promise_construct, proto)
    define_members(realm, ctor, [
        ("resolve", _static_resolve, 1), ("reject", _static_reject, 1), ("all", _combinator("all"), 1),
        ("allSettled", _combinator("allSettled"), 1), ("any", _combinator("any"), 1),
        ("race", _combinator("race"), 1), ("withResolvers", _with_resolvers, 0)])
    define_accessors(realm, ctor, [(SYM_SPECIES, _species_getter, None)])
    define_members(realm, proto, [("then", _then, 2), ("catch", _catch, 1), ("finally", _finally, 1)])
    proto.props[SYM_TO_STRING_TAG] = PropertyDescriptor(value="Promise", writable=False, enumerable=False,
                                                        configurable=True)
    if "%AggregateError%" not in realm.intrinsics:
        _install_aggregate_error(realm)


def _install_aggregate_error(realm: Any) -> None:
    from ..operations import to_string
    from ..values import JSErrorObject
    from .iterator import iterate
    error_proto = realm.intrinsics["%Error.prototype%"]

    def construct(realm_: Any, args: list[Any], new_target: Any) -> Any:
        if new_target is UNDEFINED:
            new_target = realm.intrinsics["%AggregateError%"]
        o = JSErrorObject(proto_from_constructor(realm, new_target, "%AggregateError.prototype%"))
        msg = arg(args, 1)
        text = ""
        if msg is not UNDEFINED:
            text = to_string(msg)
            o.define("message", text)
        options = arg(args, 2)
        if isinstance(options, JSObject) and options.has_property("cause"):
            o.define("cause", options.get("cause"))
        o.define("errors", realm.new_array(list(iterate(realm, arg(args, 0)))))
        realm.attach_stack(o, "AggregateError", text)
        return o

    p = realm.new_object(error_proto)
    c = make_constructor(realm, "AggregateError", 2, lambda r, t, a: construct(r, a, UNDEFINED), construct, p)
    c.proto = realm.intrinsics["%Error%"]
    p.define("name", "AggregateError")
    p.define("message", "")
