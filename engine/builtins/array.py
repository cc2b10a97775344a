"""Array: constructor, isArray/of/from, and the core and iteration methods of Array.prototype.

More methods (sort, reverse, fill, flat, at, …) live in ``array_extras.py``. Methods are generic (they work on any
array-like ``this``) with fast paths for plain JSArrays.
"""

from __future__ import annotations

from typing import Any

from ..errors import JSRangeError, JSTypeError
from ..operations import (
    BIG_ARRAY, SLOT_BYTES, charge_array, charged_range, same_value_zero, spend_steps, strict_equals, to_boolean, to_integer_or_infinity, to_length, to_number, to_string, to_uint32,
)
from ..values import (
    HOLE, MISSING, SYM_ITERATOR, SYM_SPECIES, SYM_IS_CONCAT_SPREADABLE, SYM_UNSCOPABLES, UNDEFINED, JSArray,
    JSObject, PropertyDescriptor, dense_limit, is_callable, is_constructor,
)
from .string import check_string_length, held_string
from . import (
    arg, define_accessors, define_members, lazy_member_value, make_constructor, proto_from_constructor, raw_props,
)

__all__ = ["install", "array_species_create", "get_index", "length_of", "relative_index", "is_array",
           "charge_result", "PROTOTYPE_MEMBERS", "STATIC_MEMBERS"]

MAX_SAFE = 2 ** 53 - 1


def is_array(v: Any) -> bool:
    return isinstance(v, JSArray)


def length_of(o: JSObject) -> int:
    if type(o) is JSArray:
        return o.length
    return to_length(o.get("length"))


def get_index(o: JSObject, i: int) -> Any:
    """The element at ``i`` or MISSING when the object has no such property (HasProperty false)."""
    if type(o) is JSArray:
        elems = o.elems
        if i < len(elems):
            v = elems[i]
            if v is not HOLE and type(v) is not PropertyDescriptor:
                return v
    k = str(i)
    if o.has_property(k):
        return o.get(k)
    return MISSING


def set_length(o: JSObject, n: int) -> None:
    if not o.set("length", float(n), o):
        raise JSTypeError("Cannot assign to read only property 'length' of object")


def put(o: JSObject, i: int, v: Any) -> None:
    if not o.set(str(i), v, o):
        raise JSTypeError(f"Cannot assign to read only property '{i}' of object")


def relative_index(v: Any, length: int, default: int) -> int:
    if v is UNDEFINED:
        return default
    r = to_integer_or_infinity(v)
    if r < 0:
        return int(max(length + r, 0))
    return int(min(r, length))


def _check_callable(f: Any, what: str) -> None:
    if not is_callable(f):
        raise JSTypeError(f"{what}: {'undefined' if f is UNDEFINED else 'argument'} is not a function")


def array_create(realm: Any, n: int, proto: JSObject | None = None) -> JSArray:
    if n > 4294967295:
        raise JSRangeError("Invalid array length")
    a = JSArray(realm.array_prototype if proto is None else proto)
    a.length = n
    if n <= 100_000 and n <= dense_limit[0]:  # longer: filled at an index at a time, up to the limit
        a.elems = [HOLE] * n
        if n >= BIG_ARRAY:
            charge_array(realm.budget, n)  # `keep.push(new Array(1e5))`: 800 KB a step, unseen by the heap watch
            realm.budget.hold(a.elems, n * SLOT_BYTES)
    return a


def array_species_create(realm: Any, original: Any, n: int) -> JSObject:
    """ArraySpeciesCreate (https://tc39.es/ecma262/#sec-arrayspeciescreate)."""
    if not is_array(original):
        return array_create(realm, n)
    c = original.get("constructor")
    if is_constructor(c):
        c_realm = getattr(c, "realm", realm)
        if c_realm is not realm and c is c_realm.intrinsics.get("%Array%"):
            c = UNDEFINED
    if isinstance(c, JSObject):
        c = c.get(SYM_SPECIES)
        if c is None:
            c = UNDEFINED
    if c is UNDEFINED:
        return array_create(realm, n)
    if not is_constructor(c):
        raise JSTypeError("object.constructor[Symbol.species] is not a constructor")
    if c is realm.intrinsics["%Array%"]:
        return array_create(realm, n)
    return c.construct([float(n)], c)


def charge_result(realm: Any, a: Any) -> Any:
    """``a``, an array a built-in made element by element, after ``charge_array``: past ``max_array_length`` a
    ``RangeError``, a big one charged to the memory account. Built-ins whose source is a plain array know the
    count first and call ``charge_array`` before the copy instead."""
    if type(a) is JSArray:
        n = len(a.elems)
        budget = realm.budget
        if n >= BIG_ARRAY or n > budget.max_array_length:  # (two compares here, not a call, for a small one)
            charge_array(budget, n)
            budget.hold(a.elems, n * SLOT_BYTES)  # credited once the array (its slot list) is dropped
    return a


def _dense(o: Any) -> bool:
    """A plain array whose elements all exist (their count is known before a copy, and is real memory)."""
    return type(o) is JSArray and o.length == len(o.elems)


def _create_prop(o: JSObject, i: int, v: Any) -> None:
    if type(o) is JSArray and i == len(o.elems) == o.length and i < dense_limit[0] and o.extensible:
        o.elems.append(v)  # (past the limit: create_data_property's RangeError)
        o.length += 1
        return
    if not o.create_data_property(str(i), v):
        raise JSTypeError(f"Cannot add property {i}, object is not extensible")


# -- constructor and statics


def _array_construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    proto = proto_from_constructor(realm, new_target, "%Array.prototype%") if new_target is not UNDEFINED else None
    if len(args) == 1 and type(args[0]) is float:
        n = args[0]
        if to_uint32(n) != n:
            raise JSRangeError("Invalid array length")
        return array_create(realm, int(n), proto)
    a = JSArray(realm.array_prototype if proto is None else proto, list(args))
    return a


def _array_call(realm: Any, this: Any, args: list[Any]) -> Any:
    return _array_construct(realm, args, UNDEFINED)


def _is_array(realm: Any, this: Any, args: list[Any]) -> Any:
    return is_array(arg(args, 0))


def _of(realm: Any, this: Any, args: list[Any]) -> Any:
    if is_constructor(this) and this is not realm.intrinsics["%Array%"]:
        a = this.construct([float(len(args))], this)
    else:
        a = array_create(realm, 0)
    for i, v in enumerate(args):
        _create_prop(a, i, v)
    set_length(a, len(args))
    return a


def _from(realm: Any, this: Any, args: list[Any]) -> Any:
    from .iterator import get_iterator, iterator_close_on_throw
    items, mapfn, this_arg = arg(args, 0), arg(args, 1), arg(args, 2)
    if mapfn is not UNDEFINED:
        _check_callable(mapfn, "Array.from")
    use_ctor = is_constructor(this) and this is not realm.intrinsics["%Array%"]
    using = realm.get_v(items, SYM_ITERATOR) if items is not UNDEFINED and items is not None else UNDEFINED
    if using is not UNDEFINED and using is not None:
        a = this.construct([], this) if use_ctor else array_create(realm, 0)
        it, nxt = get_iterator(realm, items, using)
        k = 0
        budget = realm.budget
        while True:
            budget.left -= 1  # a built-in ``next`` spends no step of its own
            if budget.left < 0:
                budget.spent()
            r = nxt.call(it, [])
            if not isinstance(r, JSObject):
                raise JSTypeError("iterator result is not an object")
            if to_boolean(r.get("done")):
                set_length(a, k)
                return charge_result(realm, a)
            v = r.get("value")
            try:
                if mapfn is not UNDEFINED:
                    v = mapfn.call(this_arg, [v, float(k)])
                _create_prop(a, k, v)
            except BaseException:
                iterator_close_on_throw(it)
                raise
            k += 1
    src = realm.to_object(items)
    n = length_of(src)
    a = this.construct([float(n)], this) if use_ctor else array_create(realm, 0)
    for k in charged_range(realm.budget, n):
        v = src.get(str(k))
        if mapfn is not UNDEFINED:
            v = mapfn.call(this_arg, [v, float(k)])
        _create_prop(a, k, v)
    set_length(a, n)
    return charge_result(realm, a)


def _species_getter(realm: Any, this: Any, args: list[Any]) -> Any:
    return this


STATIC_MEMBERS = [("isArray", _is_array, 1), ("of", _of, 0), ("from", _from, 1)]


# -- prototype: core


def _protos_lack_indices(o: JSObject, lo: int, hi: int) -> bool:
    """No object on o's prototype chain has an own property at an index in [lo, hi) (so a Set there is a plain
    define on o: no inherited setter or read-only property to honour)."""
    p = o.proto
    while p is not None:
        if (p.exotic and type(p) is not JSArray) or (type(p) is JSArray and len(p.elems) > lo):
            return False
        props = p.props
        if props and (str(lo) in props if hi - lo == 1 else any(str(i) in props for i in range(lo, hi))):
            return False
        p = p.proto
    return True


def _push(realm: Any, this: Any, args: list[Any]) -> Any:
    if type(this) is JSArray and this.length == len(this.elems) and this.extensible and this.length_writable \
            and _protos_lack_indices(this, this.length, this.length + len(args)):
        if this.length + len(args) > realm.budget.max_array_length:
            raise JSRangeError("Invalid array length")
        this.elems.extend(args)
        this.length = len(this.elems)
        return float(this.length)
    o = realm.to_object(this)
    n = length_of(o)
    if n + len(args) > MAX_SAFE:
        raise JSTypeError("Pushing too many elements")
    if args and type(o) is JSArray and realm.budget.max_array_length < n + len(args) <= 4294967295:
        # Beyond 2**32 - 1 the spec itself throws, after the puts (set_length below): leave that case to it.
        raise JSRangeError("Invalid array length")
    for v in args:
        put(o, n, v)
        n += 1
    set_length(o, n)
    return float(n)


def _pop(realm: Any, this: Any, args: list[Any]) -> Any:
    if type(this) is JSArray and this.length == len(this.elems) and this.length_writable and this.elems:
        v = this.elems[-1]
        if v is not HOLE and type(v) is not PropertyDescriptor:
            this.elems.pop()
            this.length -= 1
            return v
    o = realm.to_object(this)
    n = length_of(o)
    if n == 0:
        set_length(o, 0)
        return UNDEFINED
    v = o.get(str(n - 1))
    if not o.delete(str(n - 1)):
        raise JSTypeError(f"Cannot delete property '{n - 1}'")
    set_length(o, n - 1)
    return v


def _shift(realm: Any, this: Any, args: list[Any]) -> Any:
    if type(this) is JSArray and this.length == len(this.elems) and this.length_writable and this.extensible \
            and all(v is not HOLE and type(v) is not PropertyDescriptor for v in this.elems):
        if not this.elems:
            return UNDEFINED
        this.length -= 1
        return this.elems.pop(0)
    o = realm.to_object(this)
    n = length_of(o)
    if n == 0:
        set_length(o, 0)
        return UNDEFINED
    first = o.get("0")
    for k in charged_range(realm.budget, 1, n):
        v = get_index(o, k)
        if v is MISSING:
            if not o.delete(str(k - 1)):
                raise JSTypeError("Cannot delete property")
        else:
            put(o, k - 1, v)
    if not o.delete(str(n - 1)):
        raise JSTypeError("Cannot delete property")
    set_length(o, n - 1)
    return first


def _unshift(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    c = len(args)
    if c:
        if n + c > MAX_SAFE:
            raise JSTypeError("Unshift too many elements")
        for k in charged_range(realm.budget, n, 0, -1):
            v = get_index(o, k - 1)
            if v is MISSING:
                if not o.delete(str(k + c - 1)):
                    raise JSTypeError("Cannot delete property")
            else:
                put(o, k + c - 1, v)
        for j, v in enumerate(args):
            put(o, j, v)
    set_length(o, n + c)
    return float(n + c)


def _slice(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    k = relative_index(arg(args, 0), n, 0)
    end = relative_index(arg(args, 1), n, n)
    count = max(end - k, 0)
    a = array_species_create(realm, o, count)  # may throw first (an invalid length for the species)
    dense = _dense(o)
    if dense and (count >= BIG_ARRAY or count > realm.budget.max_array_length):
        charge_array(realm.budget, count)
    i = 0
    for k in charged_range(realm.budget, k, end):
        v = get_index(o, k)
        if v is not MISSING:
            _create_prop(a, i, v)
        i += 1
    set_length(a, i)
    return a if dense else charge_result(realm, a)


def _splice(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    start = relative_index(arg(args, 0), n, 0)
    if not args:
        delete_count = 0
    elif len(args) == 1:
        delete_count = n - start
    else:
        dc = to_integer_or_infinity(args[1])
        delete_count = int(min(max(dc, 0), n - start))
    items = list(args[2:])
    if n + len(items) - delete_count > MAX_SAFE:
        raise JSTypeError("Splice result too long")
    a = array_species_create(realm, o, delete_count)
    spend_steps(realm.budget, delete_count + len(items))
    charge_array(realm.budget, delete_count if _dense(o) else 0)
    for k in range(delete_count):
        v = get_index(o, start + k)
        if v is not MISSING:
            _create_prop(a, k, v)
    set_length(a, delete_count)
    ic = len(items)
    if type(o) is JSArray and o.length == len(o.elems) and o.length_writable and o.extensible and \
            all(v is not HOLE and type(v) is not PropertyDescriptor for v in o.elems):
        if n - delete_count + ic > realm.budget.max_array_length and ic > delete_count:
            charge_array(realm.budget, n - delete_count + ic, 0)  # its RangeError, as push's
        o.elems[start:start + delete_count] = items
        o.length = len(o.elems)
        return a
    if ic < delete_count:
        for k in range(start, n - delete_count):
            v = get_index(o, k + delete_count)
            if v is MISSING:
                if not o.delete(str(k + ic)):
                    raise JSTypeError("Cannot delete property")
            else:
                put(o, k + ic, v)
        for k in range(n, n - delete_count + ic, -1):
            if not o.delete(str(k - 1)):
                raise JSTypeError("Cannot delete property")
    elif ic > delete_count:
        for k in range(n - delete_count, start, -1):
            v = get_index(o, k + delete_count - 1)
            if v is MISSING:
                if not o.delete(str(k + ic - 1)):
                    raise JSTypeError("Cannot delete property")
            else:
                put(o, k + ic - 1, v)
    for j, v in enumerate(items):
        put(o, start + j, v)
    set_length(o, n - delete_count + ic)
    return a


def _is_concat_spreadable(o: Any) -> bool:
    if not isinstance(o, JSObject):
        return False
    s = o.get(SYM_IS_CONCAT_SPREADABLE)
    if s is not UNDEFINED:
        return to_boolean(s)
    return is_array(o)


def _concat(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    a = array_species_create(realm, o, 0)
    n = charged = 0
    before = realm.budget.memory + realm.budget.swept
    for e in [o] + list(args):
        if _is_concat_spreadable(e):
            ln = length_of(e)
            if n + ln > MAX_SAFE:
                raise JSTypeError("Concat result too long")
            if _dense(e) and (n + ln >= BIG_ARRAY or n + ln > realm.budget.max_array_length):
                charge_array(realm.budget, n + ln, ln)  # before the copy: `a = a.concat(a)` doubling
                charged += ln if n + ln >= BIG_ARRAY else 0
            for k in charged_range(realm.budget, ln):
                v = get_index(e, k)
                if v is not MISSING:
                    _create_prop(a, n, v)
                n += 1
        else:
            _create_prop(a, n, e)
            n += 1
    set_length(a, n)
    if type(a) is JSArray and (n >= BIG_ARRAY or n > realm.budget.max_array_length):
        charge_array(realm.budget, len(a.elems), len(a.elems) - charged)
        realm.budget.hold(a.elems, realm.budget.memory + realm.budget.swept - before)
    return a


def _join(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    sep = arg(args, 0)
    sep = "," if sep is UNDEFINED else to_string(sep)
    if o in realm.join_stack:
        return ""
    realm.join_stack.append(o)
    try:
        parts = []
        for k in charged_range(realm.budget, n):
            v = o.get(str(k)) if not (type(o) is JSArray and k < len(o.elems) and o.elems[k] is not HOLE and
                                      type(o.elems[k]) is not PropertyDescriptor) else o.elems[k]
            parts.append("" if v is UNDEFINED or v is None else to_string(v))
        check_string_length(sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0), realm)
        s = sep.join(parts)
    finally:
        realm.join_stack.pop()
    return held_string(realm, s)


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    f = o.get("join")
    if not is_callable(f):
        return realm.intrinsics["%Object.prototype.toString%"].call(o, [])
    return f.call(o, [])


def _index_of(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    if n == 0:
        return -1.0
    k = relative_index(arg(args, 1), n, 0)
    target = arg(args, 0)
    for i in charged_range(realm.budget, k, n):
        v = get_index(o, i)
        if v is not MISSING and strict_equals(v, target):
            return float(i)
    return -1.0


def _includes(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    if n == 0:
        return False
    k = relative_index(arg(args, 1), n, 0)
    target = arg(args, 0)
    for i in charged_range(realm.budget, k, n):
        if same_value_zero(o.get(str(i)), target):
            return True
    return False


# -- prototype: iteration


def _iter_setup(realm: Any, this: Any, args: list[Any], name: str) -> tuple[JSObject, int, Any, Any]:
    o = realm.to_object(this)
    n = length_of(o)
    f = arg(args, 0)
    if not is_callable(f):
        raise JSTypeError(f"{realm.display(f)} is not a function")
    return o, n, f, arg(args, 1)


def _for_each(realm: Any, this: Any, args: list[Any]) -> Any:
    o, n, f, t = _iter_setup(realm, this, args, "forEach")
    for k in charged_range(realm.budget, 0, n):
        v = get_index(o, k)
        if v is not MISSING:
            f.call(t, [v, float(k), o])
    return UNDEFINED


def _map(realm: Any, this: Any, args: list[Any]) -> Any:
    o, n, f, t = _iter_setup(realm, this, args, "map")
    a = array_species_create(realm, o, n)
    for k in charged_range(realm.budget, 0, n):
        v = get_index(o, k)
        if v is not MISSING:
            r = f.call(t, [v, float(k), o])
            if type(a) is JSArray and k < len(a.elems) and a.elems[k] is HOLE:
                a.elems[k] = r
            elif not a.create_data_property(str(k), r):
                raise JSTypeError(f"Cannot add property {k}")
    return charge_result(realm, a)


def _filter(realm: Any, this: Any, args: list[Any]) -> Any:
    o, n, f, t = _iter_setup(realm, this, args, "filter")
    a = array_species_create(realm, o, 0)
    i = 0
    for k in charged_range(realm.budget, 0, n):
        v = get_index(o, k)
        if v is not MISSING and to_boolean(f.call(t, [v, float(k), o])):
            _create_prop(a, i, v)
            i += 1
    return charge_result(realm, a)


def _some(realm: Any, this: Any, args: list[Any]) -> Any:
    o, n, f, t = _iter_setup(realm, this, args, "some")
    for k in charged_range(realm.budget, 0, n):
        v = get_index(o, k)
        if v is not MISSING and to_boolean(f.call(t, [v, float(k), o])):
            return True
    return False


def _every(realm: Any, this: Any, args: list[Any]) -> Any:
    o, n, f, t = _iter_setup(realm, this, args, "every")
    for k in charged_range(realm.budget, 0, n):
        v = get_index(o, k)
        if v is not MISSING and not to_boolean(f.call(t, [v, float(k), o])):
            return False
    return True


def _find_common(realm: Any, this: Any, args: list[Any], want_index: bool) -> Any:
    o, n, f, t = _iter_setup(realm, this, args, "find")
    for k in charged_range(realm.budget, 0, n):
        v = o.get(str(k))
        if to_boolean(f.call(t, [v, float(k), o])):
            return float(k) if want_index else v
    return -1.0 if want_index else UNDEFINED


def _find(realm: Any, this: Any, args: list[Any]) -> Any:
    return _find_common(realm, this, args, False)


def _find_index(realm: Any, this: Any, args: list[Any]) -> Any:
    return _find_common(realm, this, args, True)


def _reduce(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    f = arg(args, 0)
    if not is_callable(f):
        raise JSTypeError(f"{realm.display(f)} is not a function")
    k = 0
    if len(args) >= 2:
        acc = args[1]
    else:
        acc = MISSING
        for k in charged_range(realm.budget, 0, n):
            acc = get_index(o, k)
            if acc is not MISSING:
                break
        if acc is MISSING:
            raise JSTypeError("Reduce of empty array with no initial value")
        k += 1
    for k in charged_range(realm.budget, k, n):
        v = get_index(o, k)
        if v is not MISSING:
            acc = f.call(UNDEFINED, [acc, v, float(k), o])
    return acc


def _iterator_method(kind: str) -> Any:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        from .iterator import create_array_iterator
        return create_array_iterator(realm, realm.to_object(this), kind)
    return method


PROTOTYPE_MEMBERS = [
    ("push", _push, 1), ("pop", _pop, 0), ("shift", _shift, 0), ("unshift", _unshift, 1), ("slice", _slice, 2),
    ("splice", _splice, 2), ("concat", _concat, 1), ("join", _join, 1), ("toString", _to_string, 0),
    ("indexOf", _index_of, 1), ("includes", _includes, 1),
    ("forEach", _for_each, 1), ("map", _map, 1), ("filter", _filter, 1), ("some", _some, 1), ("every", _every, 1),
    ("find", _find, 1), ("findIndex", _find_index, 1), ("reduce", _reduce, 1),
    ("keys", _iterator_method("keys"), 0), ("values", _iterator_method("values"), 0),
    ("entries", _iterator_method("entries"), 0),
]


def install(realm: Any) -> None:
    proto = JSArray(realm.object_prototype)
    realm.array_prototype = proto
    realm.join_stack = []
    ctor = make_constructor(realm, "Array", 1, _array_call, _array_construct, proto)
    define_members(realm, ctor, STATIC_MEMBERS)
    define_accessors(realm, ctor, [(SYM_SPECIES, _species_getter, None)])
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    values = lazy_member_value(proto, "values")
    raw_props(proto)[SYM_ITERATOR] = PropertyDescriptor(value=values, writable=True, enumerable=False,
                                                        configurable=True)
    realm.intrinsics["%Array.prototype.values%"] = values
    unscopables = JSObject(None)
    for name in ("at", "copyWithin", "entries", "fill", "find", "findIndex", "findLast", "findLastIndex", "flat",
                 "flatMap", "includes", "keys", "values"):
        raw_props(unscopables)[name] = True
    raw_props(proto)[SYM_UNSCOPABLES] = PropertyDescriptor(value=unscopables, writable=False, enumerable=False,
                                                           configurable=True)
