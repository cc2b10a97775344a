"""%AsyncFromSyncIteratorPrototype% (https://tc39.es/ecma262/#sec-%asyncfromsynciteratorprototype%-object): what
``yield*`` in an async generator delegates to when the operand has only ``Symbol.iterator``. Each method calls the
sync iterator, then awaits the result's ``value`` and closes the sync iterator when that value rejects."""

from __future__ import annotations

from typing import Any

from ..errors import HostJSError, JSThrow, JSTypeError
from ..operations import get_method, to_boolean
from ..values import UNDEFINED, JSObject
from . import define_members
from .iterator import iter_result, iterator_close, iterator_close_on_throw
from .promise import PromiseObject, perform_then, promise_resolve, reject_promise, resolve_promise

__all__ = ["install", "AsyncFromSyncIterator", "create_async_from_sync_iterator"]

CATCHABLE = (JSThrow, HostJSError, RecursionError)


class AsyncFromSyncIterator(JSObject):
    """An object with [[SyncIteratorRecord]]: the sync iterator and its ``next`` method."""

    __slots__ = ("sync_iterator", "sync_next")
    sync_iterator: Any
    sync_next: Any


def create_async_from_sync_iterator(realm: Any, it: Any, nxt: Any) -> AsyncFromSyncIterator:
    """CreateAsyncFromSyncIterator(syncIteratorRecord)."""
    o = AsyncFromSyncIterator(realm.intrinsics["%AsyncFromSyncIteratorPrototype%"])
    o.sync_iterator = it
    o.sync_next = nxt
    return o


def _new_promise(realm: Any) -> PromiseObject:
    return PromiseObject(realm.intrinsics["%Promise.prototype%"])


def _reject(realm: Any, p: PromiseObject, exc: BaseException) -> PromiseObject:
    """IfAbruptRejectPromise."""
    reject_promise(realm, p, realm.to_js_value(exc))
    return p


def _continuation(realm: Any, result: Any, p: PromiseObject, o: AsyncFromSyncIterator,
                  close_on_rejection: bool) -> PromiseObject:
    """AsyncFromSyncIteratorContinuation(result, promiseCapability, syncIteratorRecord, closeOnRejection)."""
    try:
        done = to_boolean(result.get("done"))
        value = result.get("value")
    except CATCHABLE as exc:
        return _reject(realm, p, exc)
    try:
        wrapper = promise_resolve(realm, realm.intrinsics["%Promise%"], value)
    except CATCHABLE as exc:
        if not done and close_on_rejection:
            iterator_close_on_throw(o.sync_iterator)
        return _reject(realm, p, exc)

    def unwrap(v: Any) -> Any:
        return iter_result(realm, v, done)

    def close_iterator(error: Any) -> Any:
        iterator_close_on_throw(o.sync_iterator)
        raise JSThrow(error)

    on_rejected: Any = UNDEFINED if done or not close_on_rejection else close_iterator
    perform_then(realm, wrapper, unwrap, on_rejected, p)
    return p


def _this(this: Any, name: str) -> AsyncFromSyncIterator:
    if type(this) is not AsyncFromSyncIterator:
        raise JSTypeError(f"AsyncFromSyncIterator.prototype.{name} called on an incompatible receiver")
    return this


def _next(realm: Any, this: Any, args: list[Any]) -> Any:
    """%AsyncFromSyncIteratorPrototype%.next(value): an absent value is not passed on."""
    o = _this(this, "next")
    p = _new_promise(realm)
    try:
        result = o.sync_next.call(o.sync_iterator, args[:1])
        if not isinstance(result, JSObject):
            raise JSTypeError("iterator result is not an object")
    except CATCHABLE as exc:
        return _reject(realm, p, exc)
    return _continuation(realm, result, p, o, True)


def _return(realm: Any, this: Any, args: list[Any]) -> Any:
    """%AsyncFromSyncIteratorPrototype%.return(value)."""
    o = _this(this, "return")
    p = _new_promise(realm)
    try:
        ret = get_method(o.sync_iterator, "return")
        if ret is UNDEFINED:
            resolve_promise(realm, p, iter_result(realm, args[0] if args else UNDEFINED, True))
            return p
        result = ret.call(o.sync_iterator, args[:1])
        if not isinstance(result, JSObject):
            raise JSTypeError("iterator result is not an object")
    except CATCHABLE as exc:
        return _reject(realm, p, exc)
    return _continuation(realm, result, p, o, False)


def _throw(realm: Any, this: Any, args: list[Any]) -> Any:
    """%AsyncFromSyncIteratorPrototype%.throw(value): without a sync ``throw``, close the iterator and reject."""
    o = _this(this, "throw")
    p = _new_promise(realm)
    try:
        th = get_method(o.sync_iterator, "throw")
        if th is UNDEFINED:
            iterator_close(o.sync_iterator)
            raise JSTypeError("The iterator does not provide a 'throw' method")
        result = th.call(o.sync_iterator, args[:1])
        if not isinstance(result, JSObject):
            raise JSTypeError("iterator result is not an object")
    except CATCHABLE as exc:
        return _reject(realm, p, exc)
    return _continuation(realm, result, p, o, True)


def install(realm: Any) -> None:
    proto = JSObject(realm.intrinsics["%AsyncIteratorPrototype%"])
    define_members(realm, proto, [("next", _next, 1), ("return", _return, 1), ("throw", _throw, 1)])
    realm.intrinsics["%AsyncFromSyncIteratorPrototype%"] = proto
