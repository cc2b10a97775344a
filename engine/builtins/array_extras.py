"""The rest of Array.prototype: sort, reverse, fill, flat(Map), at, lastIndexOf, findLast(Index), reduceRight,
copyWithin, toLocaleString and the copying methods toSorted/toReversed/toSpliced/with.

Generic over array-likes like the spec (HasProperty/Get/Set/DeletePropertyOrThrow per index), with fast paths only
where a plain dense JSArray cannot observe the difference.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from ..errors import JSRangeError, JSTypeError
from ..operations import charged_range, spend_steps, strict_equals, to_boolean, to_integer_or_infinity, to_number, to_string
from ..values import (
    HOLE, MISSING, SYM_UNSCOPABLES, UNDEFINED, JSArray, JSObject, PropertyDescriptor, array_index, is_callable,
)
from . import arg, define_members, raw_props
from .array import array_species_create, charge_result, get_index, is_array, length_of, put, relative_index

__all__ = ["install", "sort_values", "PROTOTYPE_MEMBERS"]

MAX_SAFE = 2 ** 53 - 1


def _delete(o: JSObject, k: int) -> None:
    if not o.delete(str(k)):
        raise JSTypeError(f"Cannot delete property '{k}' of {'[object Array]' if is_array(o) else '#<Object>'}")


def _plain_dense(o: Any) -> bool:
    """A JSArray whose elements are all plain values in ``elems`` (no holes, accessors or sparse part)."""
    if type(o) is not JSArray or len(o.elems) != o.length:
        return False
    for v in o.elems:
        if v is HOLE or type(v) is PropertyDescriptor:
            return False
    return True


def _check_compare(f: Any) -> None:
    if f is not UNDEFINED and not is_callable(f):
        raise JSTypeError("The comparison function must be either a function or undefined")


def sort_values(values: list[Any], comparefn: Any) -> list[Any]:
    """Stable sort with the spec's SortCompare: undefined last, then comparefn or code-unit string order."""
    defined = [v for v in values if v is not UNDEFINED]
    undefs = len(values) - len(defined)
    if comparefn is UNDEFINED:
        keyed = [(to_string(v), v) for v in defined]
        keyed.sort(key=lambda kv: kv[0])
        out = [v for _, v in keyed]
    else:
        def cmp(x: Any, y: Any) -> int:
            r = to_number(comparefn.call(UNDEFINED, [x, y]))
            if r != r or r == 0:
                return 0
            return -1 if r < 0 else 1
        out = sorted(defined, key=functools.cmp_to_key(cmp))
    return out + [UNDEFINED] * undefs


def _sort(realm: Any, this: Any, args: list[Any]) -> Any:
    comparefn = arg(args, 0)
    _check_compare(comparefn)
    o = realm.to_object(this)
    n = length_of(o)
    items = []
    for k in charged_range(realm.budget, n):
        v = get_index(o, k)
        if v is not MISSING:
            items.append(v)
    items = sort_values(items, comparefn)
    for j, v in enumerate(items):
        put(o, j, v)
    for j in range(len(items), n):
        if o.has_property(str(j)):
            _delete(o, j)
    return o


def _reverse(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    if _plain_dense(o):
        o.elems.reverse()
        return o
    n = length_of(o)
    middle = n // 2
    for lower in charged_range(realm.budget, middle):
        upper = n - lower - 1
        lv = get_index(o, lower)
        uv = get_index(o, upper)
        if lv is not MISSING and uv is not MISSING:
            put(o, lower, uv)
            put(o, upper, lv)
        elif uv is not MISSING:
            put(o, lower, uv)
            _delete(o, upper)
        elif lv is not MISSING:
            _delete(o, lower)
            put(o, upper, lv)
    return o


def _fill(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    value = arg(args, 0)
    k = relative_index(arg(args, 1), n, 0)
    end = relative_index(arg(args, 2), n, n)
    spend_steps(realm.budget, end - k)
    while k < end:
        put(o, k, value)
        k += 1
    return o


def _flatten_into(realm: Any, target: JSObject, source: JSObject, source_len: int, start: int, depth: float,
                  mapper: Any = None, this_arg: Any = UNDEFINED) -> int:
    """FlattenIntoArray (https://tc39.es/ecma262/#sec-flattenintoarray)."""
    target_index = start
    for k in charged_range(realm.budget, source_len):
        element = get_index(source, k)
        if element is MISSING:
            continue
        if mapper is not None:
            element = mapper.call(this_arg, [element, float(k), source])
        if depth > 0 and is_array(element):
            target_index = _flatten_into(realm, target, element, length_of(element), target_index, depth - 1)
        else:
            if target_index >= MAX_SAFE:
                raise JSTypeError("Array too large")
            if not target.create_data_property(str(target_index), element):
                raise JSTypeError(f"Cannot add property {target_index}")
            target_index += 1
    return target_index


def _flat(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    dv = arg(args, 0)
    depth = 1.0
    if dv is not UNDEFINED:
        depth = to_integer_or_infinity(dv)
        if depth < 0:
            depth = 0.0
    a = array_species_create(realm, o, 0)
    _flatten_into(realm, a, o, n, 0, depth)
    return charge_result(realm, a)


def _flat_map(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    mapper = arg(args, 0)
    if not is_callable(mapper):
        raise JSTypeError("flatMap mapper function is not callable")
    a = array_species_create(realm, o, 0)
    _flatten_into(realm, a, o, n, 0, 1, mapper, arg(args, 1))
    return charge_result(realm, a)


def _at(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    rel = to_integer_or_infinity(arg(args, 0))
    k = rel if rel >= 0 else n + rel
    if k < 0 or k >= n:
        return UNDEFINED
    return o.get(str(int(k)))


def _plain_sparse_indices(o: Any) -> list[int] | None:
    """The own indices of a JSArray with only plain values and no indexed properties on its prototype chain (so
    skipping holes is unobservable), else None."""
    if type(o) is not JSArray:
        return None
    p = o.proto
    while p is not None:
        if type(p) is JSArray:
            if any(v is not HOLE for v in p.elems):
                return None
        elif p.exotic:
            return None
        if any(array_index(k) >= 0 for k in p.props):
            return None
        p = p.proto
    idx = []
    for i, v in enumerate(o.elems):
        if v is HOLE:
            continue
        if type(v) is PropertyDescriptor:
            return None
        idx.append(i)
    for k, v in o.props.items():
        i = array_index(k)
        if i >= 0:
            if type(v) is PropertyDescriptor:
                return None
            idx.append(i)
    idx.sort()
    return idx


def _last_index_of(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    if n == 0:
        return -1.0
    start = to_integer_or_infinity(args[1]) if len(args) > 1 else float(n - 1)
    if start == -math.inf:
        return -1.0
    k = int(min(start, n - 1)) if start >= 0 else int(n + start)
    target = arg(args, 0)
    indices = _plain_sparse_indices(o)
    if indices is not None:
        spend_steps(realm.budget, len(indices))
        for i in reversed(indices):
            if i <= k and strict_equals(o.elems[i] if i < len(o.elems) else o.props[str(i)], target):
                return float(i)
        return -1.0
    for i in charged_range(realm.budget, k, -1, -1):
        v = get_index(o, i)
        if v is not MISSING and strict_equals(v, target):
            return float(i)
    return -1.0


def _find_last_common(realm: Any, this: Any, args: list[Any], want_index: bool) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    f = arg(args, 0)
    if not is_callable(f):
        raise JSTypeError(f"{realm.display(f)} is not a function")
    t = arg(args, 1)
    for k in charged_range(realm.budget, n - 1, -1, -1):
        v = o.get(str(k))
        if to_boolean(f.call(t, [v, float(k), o])):
            return float(k) if want_index else v
    return -1.0 if want_index else UNDEFINED


def _find_last(realm: Any, this: Any, args: list[Any]) -> Any:
    return _find_last_common(realm, this, args, False)


def _find_last_index(realm: Any, this: Any, args: list[Any]) -> Any:
    return _find_last_common(realm, this, args, True)


def _reduce_right(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    f = arg(args, 0)
    if not is_callable(f):
        raise JSTypeError(f"{realm.display(f)} is not a function")
    k = n - 1
    if len(args) >= 2:
        acc = args[1]
    else:
        acc = MISSING
        for k in charged_range(realm.budget, n - 1, -1, -1):
            acc = get_index(o, k)
            if acc is not MISSING:
                break
        if acc is MISSING:
            raise JSTypeError("Reduce of empty array with no initial value")
        k -= 1
    for k in charged_range(realm.budget, k, -1, -1):
        v = get_index(o, k)
        if v is not MISSING:
            acc = f.call(UNDEFINED, [acc, v, float(k), o])
    return acc


def _copy_within(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    to = relative_index(arg(args, 0), n, 0)
    frm = relative_index(arg(args, 1), n, 0)
    final = relative_index(arg(args, 2), n, n)
    count = min(final - frm, n - to)
    if count <= 0:
        return o
    spend_steps(realm.budget, count)
    direction = 1
    if frm < to < frm + count:
        direction = -1
        frm += count - 1
        to += count - 1
    while count > 0:
        v = get_index(o, frm)
        if v is not MISSING:
            put(o, to, v)
        else:
            _delete(o, to)
        frm += direction
        to += direction
        count -= 1
    return o


def _to_locale_string(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    stack = getattr(realm, "join_stack", None)
    if stack is not None:
        if any(x is o for x in stack):
            return ""
        stack.append(o)
    try:
        parts = []
        for k in charged_range(realm.budget, n):
            v = o.get(str(k))
            if v is UNDEFINED or v is None:
                parts.append("")
            else:
                f = realm.get_v(v, "toLocaleString")
                if not is_callable(f):
                    raise JSTypeError("toLocaleString is not a function")
                parts.append(to_string(f.call(v, [])))
        return ",".join(parts)
    finally:
        if stack is not None:
            stack.pop()


def _values_of(o: JSObject, n: int) -> list[Any]:
    if _plain_dense(o):
        return list(o.elems)
    return [o.get(str(k)) for k in range(n)]


def _new_array_checked(realm: Any, items: list[Any]) -> JSArray:
    if len(items) > 4294967295:
        raise JSRangeError("Invalid array length")
    return charge_result(realm, realm.new_array(items))


def _to_sorted(realm: Any, this: Any, args: list[Any]) -> Any:
    comparefn = arg(args, 0)
    _check_compare(comparefn)
    o = realm.to_object(this)
    n = length_of(o)
    if n > 4294967295:
        raise JSRangeError("Invalid array length")
    spend_steps(realm.budget, n)
    return _new_array_checked(realm, sort_values(_values_of(o, n), comparefn))


def _to_reversed(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    if n > 4294967295:
        raise JSRangeError("Invalid array length")
    return charge_result(realm, realm.new_array([o.get(str(k)) for k in charged_range(realm.budget, n - 1, -1, -1)]))


def _to_spliced(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    start = relative_index(arg(args, 0), n, 0)
    items = args[2:]
    if not args:
        skip = 0
    elif len(args) == 1:
        skip = n - start
    else:
        sc = to_integer_or_infinity(args[1])
        skip = int(min(max(sc, 0), n - start))
    new_len = n + len(items) - skip
    if new_len > MAX_SAFE:
        raise JSTypeError("Array too large")
    if new_len > 4294967295:
        raise JSRangeError("Invalid array length")
    out = [o.get(str(k)) for k in charged_range(realm.budget, start)]
    out.extend(items)
    out.extend(o.get(str(k)) for k in range(start + skip, n))
    return charge_result(realm, realm.new_array(out))


def _with(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    n = length_of(o)
    rel = to_integer_or_infinity(arg(args, 0))
    idx = rel if rel >= 0 else n + rel
    if idx >= n or idx < 0:
        raise JSRangeError("Invalid index")
    if n > 4294967295:
        raise JSRangeError("Invalid array length")
    spend_steps(realm.budget, n)
    value = arg(args, 1)
    idx = int(idx)
    return charge_result(realm, realm.new_array([value if k == idx else o.get(str(k)) for k in range(n)]))


PROTOTYPE_MEMBERS = [
    ("sort", _sort, 1), ("reverse", _reverse, 0), ("fill", _fill, 1), ("flat", _flat, 0), ("flatMap", _flat_map, 1),
    ("at", _at, 1), ("lastIndexOf", _last_index_of, 1), ("findLast", _find_last, 1),
    ("findLastIndex", _find_last_index, 1), ("reduceRight", _reduce_right, 1), ("copyWithin", _copy_within, 2),
    ("toLocaleString", _to_locale_string, 0), ("toSorted", _to_sorted, 1), ("toReversed", _to_reversed, 0),
    ("toSpliced", _to_spliced, 2), ("with", _with, 2),
]


def install(realm: Any) -> None:
    proto = realm.intrinsics["%Array.prototype%"]
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    d = raw_props(proto).get(SYM_UNSCOPABLES)     # not a pending method: reading it raw keeps the rest lazy
    if type(d) is PropertyDescriptor and isinstance(d.value, JSObject):
        props = d.value.props
        for name in ("toReversed", "toSorted", "toSpliced"):
            props[name] = True
        spec_order = ("at", "copyWithin", "entries", "fill", "find", "findIndex", "findLast", "findLastIndex", "flat",
                      "flatMap", "includes", "keys", "toReversed", "toSorted", "toSpliced", "values")
        ordered = {k: props.pop(k) for k in spec_order if k in props}
        ordered.update(props)
        props.clear()
        props.update(ordered)
