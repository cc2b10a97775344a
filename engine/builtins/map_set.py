"""Map, Set, WeakMap, WeakSet (https://tc39.es/ecma262/#sec-keyed-collections) and their iterators.

Entries live in an insertion-ordered list with tombstones plus a dict from a normalized key to the list position,
so iteration is live (entries added during iteration are visited, deleted ones skipped) as the spec's List model
requires. Compaction renumbers positions and moves every open cursor (iterators, a running forEach) with them.
Keys are normalized for SameValueZero: NaN is one key, -0 is +0, and booleans never collide with 1/0.
"""

from __future__ import annotations

import weakref
from typing import Any, Iterator

from ..errors import JSTypeError
from ..operations import to_boolean
from ..values import (
    SYM_ITERATOR, SYM_SPECIES, SYM_TO_STRING_TAG, UNDEFINED, JSObject, JSSymbol, PropertyDescriptor, is_callable,
)
from . import (
    arg, define_accessors, define_members, lazy_member_value, make_constructor, proto_from_constructor, raw_props,
)

__all__ = ["install", "MapObject", "SetObject", "WeakMapObject", "WeakSetObject", "OrderedTable"]


class _NaNKey:
    __slots__ = ()


_NAN = _NaNKey()


def _norm(key: Any) -> Any:
    t = type(key)
    if t is float:
        if key != key:
            return _NAN
        return key + 0.0
    if t is bool:
        return ("bool", key)
    return key


class _Cursor:
    """A position in a table that survives compaction (used by forEach)."""

    __slots__ = ("index", "__weakref__")

    def __init__(self) -> None:
        self.index = 0


class OrderedTable:
    """Insertion-ordered entries ``[key, value]`` with tombstones (None) and live cursors."""

    __slots__ = ("entries", "index", "deleted", "cursors")

    def __init__(self) -> None:
        self.entries: list[list[Any] | None] = []
        self.index: dict[Any, int] = {}
        self.deleted = 0
        self.cursors: "weakref.WeakSet[Any]" = weakref.WeakSet()

    def __len__(self) -> int:
        return len(self.index)

    def get(self, key: Any) -> Any:
        i = self.index.get(_norm(key))
        if i is None:
            return UNDEFINED
        e = self.entries[i]
        assert e is not None
        return e[1]

    def has(self, key: Any) -> bool:
        return _norm(key) in self.index

    def set(self, key: Any, value: Any) -> None:
        nk = _norm(key)
        i = self.index.get(nk)
        if i is not None:
            e = self.entries[i]
            assert e is not None
            e[1] = value
            return
        if type(key) is float and key == 0:
            key = 0.0
        self.index[nk] = len(self.entries)
        self.entries.append([key, value])

    def delete(self, key: Any) -> bool:
        i = self.index.pop(_norm(key), None)
        if i is None:
            return False
        self.entries[i] = None
        self.deleted += 1
        if self.deleted > 16 and self.deleted > len(self.index):
            self._compact()
        return True

    def clear(self) -> None:
        for i in range(len(self.entries)):
            self.entries[i] = None
        self.deleted += len(self.index)
        self.index.clear()
        self._compact()

    def _compact(self) -> None:
        old = self.entries
        live_before = [0] * (len(old) + 1)
        n = 0
        for i, e in enumerate(old):
            live_before[i] = n
            if e is not None:
                n += 1
        live_before[len(old)] = n
        for c in list(self.cursors):
            c.index = live_before[min(c.index, len(old))]
        self.entries = [e for e in old if e is not None]
        self.index = {_norm(e[0]): i for i, e in enumerate(self.entries)}
        self.deleted = 0

    def walk(self, cursor: Any) -> Iterator[list[Any]]:
        """Live iteration from ``cursor.index`` (the cursor is registered so compaction moves it)."""
        self.cursors.add(cursor)
        while True:
            entries = self.entries
            i = cursor.index
            while i < len(entries) and entries[i] is None:
                i += 1
            if i >= len(entries):
                cursor.index = i
                return
            cursor.index = i + 1
            e = entries[i]
            assert e is not None
            yield e


class MapObject(JSObject):
    __slots__ = ("table",)
    class_name = "Map"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.table = OrderedTable()


class SetObject(JSObject):
    __slots__ = ("table",)
    class_name = "Set"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.table = OrderedTable()


class WeakMapObject(JSObject):
    __slots__ = ("table",)
    class_name = "WeakMap"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.table: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


class WeakSetObject(JSObject):
    __slots__ = ("table",)
    class_name = "WeakSet"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.table: "weakref.WeakKeyDictionary[Any, bool]" = weakref.WeakKeyDictionary()


class CollectionIterator(JSObject):
    """Map and Set iterators: a live cursor over the collection's table; ``kind`` is keys, values or entries."""

    __slots__ = ("table", "index", "kind", "done", "is_map")

    def __init__(self, proto: JSObject, table: OrderedTable, kind: str, is_map: bool) -> None:
        JSObject.__init__(self, proto)
        self.table = table
        self.index = 0
        self.kind = kind
        self.done = False
        self.is_map = is_map
        table.cursors.add(self)

    @property
    def class_name(self) -> str:  # type: ignore[override]
        return "Map Iterator" if self.is_map else "Set Iterator"


def _check(this: Any, cls: type, method: str) -> Any:
    if type(this) is not cls:
        raise JSTypeError(f"Method {cls.class_name}.prototype.{method} called on incompatible receiver")
    return this.table


def _can_be_held_weakly(v: Any) -> bool:
    if isinstance(v, JSObject):
        return True
    return type(v) is JSSymbol and not v.registered


def _fill_from_iterable(realm: Any, target: JSObject, iterable: Any, adder_name: str, pairs: bool) -> None:
    """The constructors' AddEntriesFromIterable: call ``target[adder_name]`` for each item, closing on error."""
    from ..realm import CATCHABLE
    from .iterator import get_iterator, iterator_close_on_throw
    adder = target.get(adder_name)
    if not is_callable(adder):
        raise JSTypeError(f"'{realm.display(adder)}' returned for property '{adder_name}' is not a function")
    it, nxt = get_iterator(realm, iterable)
    while True:
        if not is_callable(nxt):
            raise JSTypeError("iterator.next is not a function")
        r = nxt.call(it, [])
        if not isinstance(r, JSObject):
            raise JSTypeError(f"Iterator result {realm.display(r)} is not an object")
        if to_boolean(r.get("done")):
            return
        item = r.get("value")
        try:
            if pairs:
                if not isinstance(item, JSObject):
                    raise JSTypeError(f"Iterator value {realm.display(item)} is not an entry object")
                adder.call(target, [item.get("0"), item.get("1")])
            else:
                adder.call(target, [item])
        except CATCHABLE:
            iterator_close_on_throw(it)
            raise


def _ctor(cls: type, name: str, adder: str, pairs: bool) -> tuple[Any, Any]:
    def call(realm: Any, this: Any, args: list[Any]) -> Any:
        raise JSTypeError(f"Constructor {name} requires 'new'")

    def construct(realm: Any, args: list[Any], new_target: Any) -> Any:
        obj = cls(proto_from_constructor(realm, new_target, f"%{name}.prototype%"))
        iterable = arg(args, 0)
        if iterable is not UNDEFINED and iterable is not None:
            _fill_from_iterable(realm, obj, iterable, adder, pairs)
        return obj

    return call, construct


# -- Map


def _map_get(realm: Any, this: Any, args: list[Any]) -> Any:
    return _check(this, MapObject, "get").get(arg(args, 0))


def _map_set(realm: Any, this: Any, args: list[Any]) -> Any:
    _check(this, MapObject, "set").set(arg(args, 0), arg(args, 1))
    return this


def _map_has(realm: Any, this: Any, args: list[Any]) -> Any:
    return _check(this, MapObject, "has").has(arg(args, 0))


def _map_delete(realm: Any, this: Any, args: list[Any]) -> Any:
    return _check(this, MapObject, "delete").delete(arg(args, 0))


def _map_clear(realm: Any, this: Any, args: list[Any]) -> Any:
    _check(this, MapObject, "clear").clear()
    return UNDEFINED


def _map_size(realm: Any, this: Any, args: list[Any]) -> Any:
    return float(len(_check(this, MapObject, "size")))


def _for_each(cls: type) -> Any:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        table = _check(this, cls, "forEach")
        f = arg(args, 0)
        if not is_callable(f):
            raise JSTypeError(f"{realm.display(f)} is not a function")
        t = arg(args, 1)
        cursor = _Cursor()
        for e in table.walk(cursor):
            if cls is MapObject:
                f.call(t, [e[1], e[0], this])
            else:
                f.call(t, [e[0], e[0], this])
        return UNDEFINED
    return method


def _iter_method(cls: type, kind: str, proto_name: str) -> Any:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        table = _check(this, cls, kind)
        return CollectionIterator(realm.intrinsics[proto_name], table, kind, cls is MapObject)
    return method


def _iter_next(is_map: bool) -> Any:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        from .iterator import iter_result
        if type(this) is not CollectionIterator or this.is_map is not is_map:
            raise JSTypeError(f"{'Map' if is_map else 'Set'} Iterator.prototype.next called on incompatible receiver")
        if this.done:
            return iter_result(realm, UNDEFINED, True)
        for e in this.table.walk(this):
            if this.kind == "keys":
                return iter_result(realm, e[0], False)
            if this.kind == "values":
                return iter_result(realm, e[1] if is_map else e[0], False)
            return iter_result(realm, realm.new_array([e[0], e[1] if is_map else e[0]]), False)
        this.done = True
        return iter_result(realm, UNDEFINED, True)
    return method


def _map_group_by(realm: Any, this: Any, args: list[Any]) -> Any:
    """Map.groupBy(items, callback): a Map from each callback result to the array of items that gave it."""
    from ..realm import CATCHABLE
    from .iterator import get_iterator, iterator_close_on_throw
    items, callback = arg(args, 0), arg(args, 1)
    if items is UNDEFINED or items is None:
        raise JSTypeError("Map.groupBy called on null or undefined")
    if not is_callable(callback):
        raise JSTypeError(f"{realm.display(callback)} is not a function")
    groups = OrderedTable()
    it, nxt = get_iterator(realm, items)
    k = 0
    while True:
        r = nxt.call(it, []) if is_callable(nxt) else None
        if not isinstance(r, JSObject):
            raise JSTypeError("Iterator result is not an object")
        if to_boolean(r.get("done")):
            break
        value = r.get("value")
        try:
            key = callback.call(UNDEFINED, [value, float(k)])
        except CATCHABLE:
            iterator_close_on_throw(it)
            raise
        existing = groups.get(key)
        if existing is UNDEFINED:
            groups.set(key, realm.new_array([value]))
        else:
            existing.append(value)
        k += 1
    m = MapObject(realm.intrinsics["%Map.prototype%"])
    m.table = groups
    return m


# -- Set


def _set_add(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, SetObject, "add")
    v = arg(args, 0)
    if not table.has(v):
        table.set(v, v)
    return this


def _set_has(realm: Any, this: Any, args: list[Any]) -> Any:
    return _check(this, SetObject, "has").has(arg(args, 0))


def _set_delete(realm: Any, this: Any, args: list[Any]) -> Any:
    return _check(this, SetObject, "delete").delete(arg(args, 0))


def _set_clear(realm: Any, this: Any, args: list[Any]) -> Any:
    _check(this, SetObject, "clear").clear()
    return UNDEFINED


def _set_size(realm: Any, this: Any, args: list[Any]) -> Any:
    return float(len(_check(this, SetObject, "size")))


# -- WeakMap / WeakSet


def _weak_key(realm: Any, v: Any, what: str) -> Any:
    if not _can_be_held_weakly(v):
        raise JSTypeError(f"Invalid value used {what}")
    return v


def _wm_get(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakMapObject, "get")
    k = arg(args, 0)
    return table.get(k, UNDEFINED) if _can_be_held_weakly(k) else UNDEFINED


def _wm_set(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakMapObject, "set")
    table[_weak_key(realm, arg(args, 0), "as weak map key")] = arg(args, 1)
    return this


def _wm_has(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakMapObject, "has")
    k = arg(args, 0)
    return _can_be_held_weakly(k) and k in table


def _wm_delete(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakMapObject, "delete")
    k = arg(args, 0)
    if _can_be_held_weakly(k) and k in table:
        del table[k]
        return True
    return False


def _ws_add(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakSetObject, "add")
    table[_weak_key(realm, arg(args, 0), "in weak set")] = True
    return this


def _ws_has(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakSetObject, "has")
    k = arg(args, 0)
    return _can_be_held_weakly(k) and k in table


def _ws_delete(realm: Any, this: Any, args: list[Any]) -> Any:
    table = _check(this, WeakSetObject, "delete")
    k = arg(args, 0)
    if _can_be_held_weakly(k) and k in table:
        del table[k]
        return True
    return False


def _species(realm: Any, this: Any, args: list[Any]) -> Any:
    return this


def _tag(obj: JSObject, name: str) -> None:
    raw_props(obj)[SYM_TO_STRING_TAG] = PropertyDescriptor(value=name, writable=False, enumerable=False,
                                                           configurable=True)


def _alias(proto: JSObject, key: Any, existing: str) -> None:
    raw_props(proto)[key] = PropertyDescriptor(value=lazy_member_value(proto, existing), writable=True,
                                               enumerable=False, configurable=True)


# Tables built once: their closures are realm-independent (the realm comes as an argument), and one placeholder per
# entry then serves every realm (engine/lazy.py).
_MAP_CTOR = _ctor(MapObject, "Map", "set", True)
_MAP_MEMBERS = [
    ("clear", _map_clear, 0), ("delete", _map_delete, 1),
    ("entries", _iter_method(MapObject, "entries", "%MapIteratorPrototype%"), 0),
    ("forEach", _for_each(MapObject), 1), ("get", _map_get, 1), ("has", _map_has, 1),
    ("keys", _iter_method(MapObject, "keys", "%MapIteratorPrototype%"), 0), ("set", _map_set, 2),
    ("values", _iter_method(MapObject, "values", "%MapIteratorPrototype%"), 0),
]
_MAP_ITER_MEMBERS = [("next", _iter_next(True), 0)]
_SET_CTOR = _ctor(SetObject, "Set", "add", False)
_SET_MEMBERS = [
    ("add", _set_add, 1), ("clear", _set_clear, 0), ("delete", _set_delete, 1),
    ("entries", _iter_method(SetObject, "entries", "%SetIteratorPrototype%"), 0),
    ("forEach", _for_each(SetObject), 1), ("has", _set_has, 1),
    ("values", _iter_method(SetObject, "values", "%SetIteratorPrototype%"), 0),
]
_SET_ITER_MEMBERS = [("next", _iter_next(False), 0)]
_WEAKMAP_CTOR = _ctor(WeakMapObject, "WeakMap", "set", True)
_WEAKSET_CTOR = _ctor(WeakSetObject, "WeakSet", "add", False)


def install(realm: Any) -> None:
    iter_base = realm.intrinsics.get("%IteratorPrototype%", realm.object_prototype)

    map_proto = realm.new_object()
    map_ctor = make_constructor(realm, "Map", 0, *_MAP_CTOR, map_proto)
    define_accessors(realm, map_ctor, [(SYM_SPECIES, _species, None)])
    define_members(realm, map_ctor, [("groupBy", _map_group_by, 2)])
    define_members(realm, map_proto, _MAP_MEMBERS)
    define_accessors(realm, map_proto, [("size", _map_size, None)])
    _alias(map_proto, SYM_ITERATOR, "entries")
    _tag(map_proto, "Map")
    map_iter = JSObject(iter_base)
    define_members(realm, map_iter, _MAP_ITER_MEMBERS)
    _tag(map_iter, "Map Iterator")
    realm.intrinsics["%MapIteratorPrototype%"] = map_iter

    set_proto = realm.new_object()
    set_ctor = make_constructor(realm, "Set", 0, *_SET_CTOR, set_proto)
    define_accessors(realm, set_ctor, [(SYM_SPECIES, _species, None)])
    define_members(realm, set_proto, _SET_MEMBERS)
    define_accessors(realm, set_proto, [("size", _set_size, None)])
    _alias(set_proto, "keys", "values")
    _alias(set_proto, SYM_ITERATOR, "values")
    _tag(set_proto, "Set")
    set_iter = JSObject(iter_base)
    define_members(realm, set_iter, _SET_ITER_MEMBERS)
    _tag(set_iter, "Set Iterator")
    realm.intrinsics["%SetIteratorPrototype%"] = set_iter

    wm_proto = realm.new_object()
    make_constructor(realm, "WeakMap", 0, *_WEAKMAP_CTOR, wm_proto)
    define_members(realm, wm_proto, [("delete", _wm_delete, 1), ("get", _wm_get, 1), ("has", _wm_has, 1),
                                     ("set", _wm_set, 2)])
    _tag(wm_proto, "WeakMap")

    ws_proto = realm.new_object()
    make_constructor(realm, "WeakSet", 0, *_WEAKSET_CTOR, ws_proto)
    define_members(realm, ws_proto, [("add", _ws_add, 1), ("delete", _ws_delete, 1), ("has", _ws_has, 1)])
    _tag(ws_proto, "WeakSet")

