"""Built-in methods made on first use: a realm defines ~360 built-in functions, and a session touches a few dozen.

``defer_members`` stores a placeholder for each method (in its place in the property order, shared by all realms)
plus the realm under a private key, and switches the object's class to a twin whose ``props`` attribute is a
property: the first time anything reads the object's properties, every placeholder becomes its function, the
private key goes, and the object gets its own class back, so the fast paths see an ordinary object from then on.
Writes made while setting up intrinsics go through ``raw_props`` and keep the object lazy. Placeholders and the key
never leave this module: every read of ``props`` goes through the property.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .values import MISSING, UNDEFINED, BuiltinFunction, JSObject, PropertyDescriptor

__all__ = ["LazyMember", "LazyAccessor", "LAZY_TYPES", "defer_members", "raw_props", "materialize",
           "lazy_member_value"]

_SLOT = JSObject.__dict__["props"]      # the slot's member descriptor: the dict itself, placeholders included
_raw_get: Callable[[Any], Any] = _SLOT.__get__
_raw_set: Callable[[Any, Any], None] = _SLOT.__set__


class _RealmKey:
    """The private key under which a lazy object keeps its realm (neither a str nor a JSSymbol: no JS key)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<realm of pending members>"


_REALM = _RealmKey()

#: lazy twin class -> the class it stands in for
LAZY_TYPES: dict[type, type] = {}
_TWINS: dict[tuple[type, bool], type] = {}


class LazyMember:
    """A built-in method not made yet: ``BuiltinFunction(realm, fn, name, length)`` once made; realm-independent,
    so one placeholder serves every realm."""

    __slots__ = ("fn", "name", "length")

    def __init__(self, fn: Callable[..., Any], name: str, length: int) -> None:
        self.fn = fn
        self.name = name
        self.length = length

    def make(self, realm: Any) -> PropertyDescriptor:
        return PropertyDescriptor(BuiltinFunction(realm, self.fn, self.name, self.length), MISSING, MISSING,
                                  True, False, True)


class LazyAccessor:
    """An accessor property not made yet (a host class's getter and/or setter): ``get``/``set`` are built-in
    ``fn(realm, this, args)`` callables or ``None``; realm-independent, so one placeholder serves every realm."""

    __slots__ = ("name", "get", "set", "enumerable")

    def __init__(self, name: str, get: Callable[..., Any] | None, set: Callable[..., Any] | None,
                 enumerable: bool = True) -> None:
        self.name = name
        self.get = get
        self.set = set
        self.enumerable = enumerable

    def make(self, realm: Any) -> PropertyDescriptor:
        getter = UNDEFINED if self.get is None else BuiltinFunction(realm, self.get, f"get {self.name}", 0)
        setter = UNDEFINED if self.set is None else BuiltinFunction(realm, self.set, f"set {self.name}", 1)
        return PropertyDescriptor(MISSING, getter, setter, MISSING, self.enumerable, True)


_PLACEHOLDERS = (LazyMember, LazyAccessor)


def _get_props(self: JSObject) -> dict[Any, Any]:
    raw: dict[Any, Any] = _raw_get(self)
    self.__class__ = LAZY_TYPES[type(self)]
    realm = raw.pop(_REALM)
    for k, v in raw.items():
        if type(v) in _PLACEHOLDERS:
            raw[k] = v.make(realm)     # same key: the property order stays
    return self.props   # the dict, or what a class with its own lazy ``props`` (runtime's FrozenTable) makes of it


def _set_props(self: JSObject, value: dict[Any, Any]) -> None:
    self.__class__ = LAZY_TYPES[type(self)]
    _raw_set(self, value)


def _get_own_property_per_key(self: JSObject, key: Any) -> PropertyDescriptor | None:
    """[[GetOwnProperty]] of a per-key lazy object: makes only the member asked for."""
    raw = _raw_get(self)
    v = raw.get(key, MISSING)
    if v is MISSING or key is _REALM:
        return None
    if type(v) in _PLACEHOLDERS:
        v = raw[key] = v.make(raw[_REALM])
    if type(v) is PropertyDescriptor:
        return v
    return PropertyDescriptor(v, MISSING, MISSING, True, True, True)


def _twin(cls: type, per_key: bool = False) -> type:
    twin = _TWINS.get((cls, per_key))
    if twin is None:
        body: dict[str, Any] = {
            "__slots__": (), "__module__": __name__, "props": property(_get_props, _set_props),
            "__doc__": f"A {cls.__name__} whose built-in methods are made on first use."}
        if per_key:
            # Exotic: property reads go through get_own_property (the fast paths step aside), which makes one member;
            # anything reading ``props`` itself (keys, writes, deletes) makes them all and restores the class.
            assert not getattr(cls, "exotic", False), "per-key laziness needs an ordinary [[GetOwnProperty]]"
            body.update(exotic=True, get_own_property=_get_own_property_per_key,
                        __doc__=f"A {cls.__name__} whose built-in methods are made one by one on first read.")
        twin = type(("LazyEach" if per_key else "Lazy") + cls.__name__, (cls,), body)
        _TWINS[(cls, per_key)] = twin
        LAZY_TYPES[twin] = cls
    return twin


def raw_props(obj: JSObject) -> dict[Any, Any]:
    """The property dict without making pending methods: for writes only (a read could see a placeholder)."""
    return _raw_get(obj)  # type: ignore[no-any-return]


def materialize(obj: Any) -> None:
    """Make ``obj``'s pending methods now (for code that checks ``type(obj)`` before reading its properties)."""
    if type(obj) in LAZY_TYPES:
        _get_props(obj)


def defer_members(realm: Any, target: JSObject, members: Iterable[tuple[Any, LazyMember | LazyAccessor]],
                  *, per_key: bool = False) -> None:
    """Define ``(key, placeholder)`` built-in methods (or accessors) on ``target``, made on the first read of
    ``target``. With ``per_key``, a property read makes only that member (``target`` is exotic meanwhile: for
    objects whose members are read rarely and few at a time, such as host prototypes, never for hot built-ins)."""
    raw = _raw_get(target)
    if _REALM not in raw:
        raw[_REALM] = realm
    raw.update(members)
    cls = type(target)
    if cls not in LAZY_TYPES:
        target.__class__ = _twin(cls, per_key)


def lazy_member_value(target: JSObject, key: Any) -> Any:
    """The function stored at ``key``, made now if pending, leaving the rest of ``target`` lazy (for intrinsics
    that install code registers, such as ``%Array.prototype.values%``, and for aliases)."""
    raw = _raw_get(target)
    v = raw[key]
    if type(v) is LazyMember:
        v = raw[key] = v.make(raw[_REALM])
    return v.value if type(v) is PropertyDescriptor else v
