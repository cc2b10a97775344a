"""The iteration protocol: %IteratorPrototype%, array iterators, and the helpers the compiler and built-ins use
(GetIterator, IteratorStep, IteratorClose as a Python generator with a fast path for plain arrays)."""

from __future__ import annotations

from typing import Any, Iterator

from ..errors import EngineError, HostJSError, JSThrow, JSTypeError
from ..operations import BIG_ARRAY, SLOT_BYTES, charge_array, spend_steps, to_boolean, to_length
from ..values import (
    HOLE, MISSING, SYM_ITERATOR, SYM_TO_STRING_TAG, UNDEFINED, BuiltinFunction, JSArray, JSObject,
    PropertyDescriptor, is_callable,
)
from . import define_members, lazy_member_value, raw_props

CATCHABLE = (JSThrow, HostJSError, RecursionError)

__all__ = ["install", "get_iterator", "iterate", "spread_into", "iter_result", "iterator_close", "ArrayIterator",
           "create_array_iterator"]


def iter_result(realm: Any, value: Any, done: bool) -> JSObject:
    """CreateIterResultObject; a step of the budget, as built-in ``next`` methods spend none of their own
    (``new Set(s)`` over a long string would otherwise loop for free)."""
    budget = realm.budget
    budget.left -= 1
    if budget.left < 0:
        budget.spent()
    o = JSObject(realm.object_prototype)
    o.props["value"] = value
    o.props["done"] = done
    return o


def get_iterator(realm: Any, obj: Any, method: Any = MISSING) -> tuple[Any, Any]:
    """GetIterator(obj, sync): the iterator object and its ``next`` method."""
    if method is MISSING:
        method = realm.get_v(obj, SYM_ITERATOR)
    if not is_callable(method):
        raise JSTypeError(f"{realm.display(obj) if not isinstance(obj, JSObject) else 'object'} is not iterable")
    it = method.call(obj, [])
    if not isinstance(it, JSObject):
        raise JSTypeError("Result of the Symbol.iterator method is not an object")
    nxt = it.get("next")
    return it, nxt if is_callable(nxt) else NOT_CALLABLE_NEXT


class _NotCallableNext:
    """Stands for a ``next`` that is not callable: calling it is the spec's TypeError (at IteratorStep time)."""

    __slots__ = ()

    def call(self, this: Any, args: list[Any]) -> Any:
        raise JSTypeError("iterator.next is not a function")


NOT_CALLABLE_NEXT = _NotCallableNext()


def iterator_close(it: Any) -> None:
    """IteratorClose for a normal (non-throw) exit: call ``return`` and check its result is an object."""
    ret = it.get("return")
    if ret is UNDEFINED or ret is None:
        return
    if not is_callable(ret):
        raise JSTypeError("iterator.return is not a function")
    r = ret.call(it, [])
    if not isinstance(r, JSObject):
        raise JSTypeError("iterator result is not an object")


def iterator_close_on_throw(it: Any) -> None:
    """IteratorClose for a throw completion: call ``return``, ignoring whatever it does."""
    try:
        ret = it.get("return")
        if is_callable(ret):
            ret.call(it, [])
    except CATCHABLE:
        pass


def _is_plain_array_iteration(realm: Any, obj: Any) -> bool:
    if type(obj) is not JSArray:
        return False
    if realm.get_v(obj, SYM_ITERATOR) is not realm.intrinsics["%Array.prototype.values%"]:
        return False
    d = realm.intrinsics["%ArrayIteratorPrototype%"].props.get("next")
    return type(d) is PropertyDescriptor and d.value is realm.intrinsics["%ArrayIteratorNext%"]


def spread_into(realm: Any, out: list[Any], obj: Any) -> None:
    """``...obj`` in an array literal or an argument list: its elements appended to ``out``.

    Why here and not per spread: ``[...a, ...a]`` or ``f(...a, ...a)`` checked each spread alone and reached twice
    ``max_array_length``; the limit is on what ``out`` becomes (a ``RangeError`` naming it, before the copy for a
    plain array, as ``concat`` and ``push`` do), and a big result's new slots are charged to the memory account
    (an endless generator spread is charged as it goes, ``BIG_ARRAY`` slots at a time)."""
    budget = realm.budget
    if _is_plain_array_iteration(realm, obj):
        n = obj.length
        spend_steps(budget, n)  # a Python loop over every element
        total = len(out) + n
        if total >= BIG_ARRAY or total > budget.max_array_length:
            charge_array(budget, total, n)  # before the copy
            budget.hold(out, n * SLOT_BYTES if total >= BIG_ARRAY else 0)
        elems = obj.elems
        if n == len(elems) and HOLE not in elems and not any(type(v) is PropertyDescriptor for v in elems):
            out.extend(elems)
        else:
            out.extend(_array_elements(obj))
        return
    limit = budget.max_array_length
    mark = min(len(out) + BIG_ARRAY, limit + 1)
    for v in iterate(realm, obj):
        out.append(v)
        if len(out) >= mark:
            charge_array(budget, len(out), 0)  # the RangeError past the limit (closes the iterator)
            budget.charge(BIG_ARRAY * SLOT_BYTES)
            budget.hold(out, BIG_ARRAY * SLOT_BYTES)
            mark = min(len(out) + BIG_ARRAY, limit + 1)


def _array_elements(obj: JSArray) -> Iterator[Any]:
    """A plain array's elements in order, as its iterator gives them: the length read again at every step, holes
    and accessors read through ``get``."""
    i = 0
    elems = obj.elems
    while i < obj.length:
        v = elems[i] if i < len(elems) else HOLE
        if v is HOLE or type(v) is PropertyDescriptor:
            v = obj.get(str(i))
        yield v
        i += 1


def iterate(realm: Any, obj: Any) -> Iterator[Any]:
    """Iterate a JS iterable from Python.

    Abandoning the loop early (an exception in the loop body, ``close()``, or dropping the generator) calls the JS
    iterator's ``return`` as IteratorClose with a throw completion: whatever ``return`` does is ignored, so nothing
    escapes a generator finaliser (CPython would print "Exception ignored in: <generator object iterate>" on
    stderr). A caller that breaks out normally and must see ``return``'s errors calls ``iterator_close`` itself.
    """
    budget = realm.budget
    if _is_plain_array_iteration(realm, obj):
        spend_steps(budget, obj.length)  # `[...a]`, `f(...a)`: a Python loop over every element
        if obj.length >= BIG_ARRAY or obj.length > budget.max_array_length:
            charge_array(budget, obj.length)  # and a copy of it: `a = [...a, ...a]` doubling
        yield from _array_elements(obj)
        return
    it, nxt = get_iterator(realm, obj)
    while True:
        budget.left -= 1  # a built-in ``next`` (Set, Map, string iterators) spends no step of its own
        if budget.left < 0:
            budget.spent()
        r = nxt.call(it, []) if is_callable(nxt) else _not_callable()
        if not isinstance(r, JSObject):
            raise JSTypeError(f"Iterator result {realm.display(r)} is not an object")
        if to_boolean(r.get("done")):
            return
        value = r.get("value")
        try:
            yield value
        except GeneratorExit:
            _close_quietly(it)
            raise


def _close_quietly(it: Any) -> None:
    """IteratorClose from a generator's close(): the JS ``return`` runs, but no engine error may leave it."""
    try:
        ret = it.get("return")
        if is_callable(ret):
            ret.call(it, [])
    except (EngineError, RecursionError):
        # A BudgetExceeded is re-raised by the budget at the task's next checkpoint; JS errors are ignored by spec.
        pass


def _not_callable() -> Any:
    raise JSTypeError("iterator.next is not a function")


class ArrayIterator(JSObject):
    """%ArrayIteratorPrototype% instances: ``kind`` is keys, values or entries."""

    __slots__ = ("target", "index", "kind")
    class_name = "Array Iterator"

    def __init__(self, proto: JSObject, target: Any, kind: str) -> None:
        JSObject.__init__(self, proto)
        self.target = target
        self.index = 0
        self.kind = kind


def create_array_iterator(realm: Any, target: Any, kind: str) -> ArrayIterator:
    return ArrayIterator(realm.intrinsics["%ArrayIteratorPrototype%"], target, kind)


def _array_iterator_next(realm: Any, this: Any, args: list[Any]) -> Any:
    if type(this) is not ArrayIterator:
        raise JSTypeError("next method called on incompatible receiver")
    target = this.target
    if target is None:
        return iter_result(realm, UNDEFINED, True)
    i = this.index
    if type(target) is JSArray:
        n = target.length
    elif type(target) is str:
        n = len(target)
    else:
        n = to_length(target.get("length"))
    if i >= n:
        this.target = None
        return iter_result(realm, UNDEFINED, True)
    this.index = i + 1
    if this.kind == "keys":
        return iter_result(realm, float(i), False)
    v = realm.get_v(target, str(i))
    if this.kind == "values":
        return iter_result(realm, v, False)
    return iter_result(realm, realm.new_array([float(i), v]), False)


def _return_this(realm: Any, this: Any, args: list[Any]) -> Any:
    return this


def install(realm: Any) -> None:
    iter_proto = realm.new_object()
    raw_props(iter_proto)[SYM_ITERATOR] = PropertyDescriptor(
        value=BuiltinFunction(realm, _return_this, "[Symbol.iterator]", 0), writable=True, enumerable=False,
        configurable=True)
    realm.intrinsics["%IteratorPrototype%"] = iter_proto
    async_iter_proto = realm.new_object()
    from ..values import SYM_ASYNC_ITERATOR
    raw_props(async_iter_proto)[SYM_ASYNC_ITERATOR] = PropertyDescriptor(
        value=BuiltinFunction(realm, _return_this, "[Symbol.asyncIterator]", 0), writable=True, enumerable=False,
        configurable=True)
    realm.intrinsics["%AsyncIteratorPrototype%"] = async_iter_proto
    ai_proto = realm.new_object(iter_proto)
    define_members(realm, ai_proto, [("next", _array_iterator_next, 0)])
    raw_props(ai_proto)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="Array Iterator", writable=False,
                                                                enumerable=False, configurable=True)
    realm.intrinsics["%ArrayIteratorPrototype%"] = ai_proto
    realm.intrinsics["%ArrayIteratorNext%"] = lazy_member_value(ai_proto, "next")
