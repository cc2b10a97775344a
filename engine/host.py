"""The host interface: how the runtime exposes Python classes and functions to JS, and converts values.

A HostObject subclass declares its JS members with ``@js_method``/``@js_getter``/``@js_setter``; each realm builds
one prototype per class from that table. JS sees a wrapper object whose only properties are those members, so no
Python attribute is ever reachable from scripts. See docs/engine.md "Host interface".
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Any, Callable, ClassVar, Mapping, TypeVar

from .errors import JSTypeError
from .lazy import LAZY_TYPES, LazyAccessor, LazyMember, defer_members, materialize, raw_props
from .values import (
    SYM_TO_STRING_TAG, UNDEFINED, BuiltinFunction, JSArray, JSBigInt, JSFunction, JSObject, JSPrimitiveObject,
    JSSymbol, JSUndefined, PropertyDescriptor, js_str_to_py, py_str_to_js,
)

__all__ = ["HostObject", "HostWrapper", "HostFunction", "js_method", "js_getter", "js_setter", "wrap", "unwrap", "to_js", "to_py",
           "make_enum", "define_host_class", "host_prototype"]

F = TypeVar("F", bound=Callable[..., Any])


def js_method(name: str, length: int | None = None) -> Callable[[F], F]:
    """Expose a method to JS as ``name``; ``length`` defaults to the number of declared parameters."""
    def mark(fn: F) -> F:
        fn._js_member = ("method", name, length)  # type: ignore[attr-defined]
        return fn
    return mark


def js_getter(name: str) -> Callable[[F], F]:
    """Expose a getter (``fn(self)``) as the JS accessor property ``name``."""
    def mark(fn: F) -> F:
        fn._js_member = ("get", name, 0)  # type: ignore[attr-defined]
        return fn
    return mark


def js_setter(name: str) -> Callable[[F], F]:
    """Expose a setter (``fn(self, value)``) for the JS accessor property ``name``."""
    def mark(fn: F) -> F:
        fn._js_member = ("set", name, 1)  # type: ignore[attr-defined]
        return fn
    return mark


class HostObject:
    """Base class of Python objects visible to JS. Only members marked with the decorators are visible."""

    js_class: ClassVar[str] = "Object"
    js_members: ClassVar[dict[str, dict[str, tuple[Callable[..., Any], int]]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        members: dict[str, dict[str, tuple[Callable[..., Any], int]]] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                mark = getattr(attr, "_js_member", None)
                if mark is None:
                    continue
                kind, name, length = mark
                if length is None:
                    length = _param_count(attr)
                members.setdefault(name, {})[kind] = (attr, length)
        cls.js_members = members


def _param_count(fn: Callable[..., Any]) -> int:
    n = 0
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


@functools.cache  # class functions only: every session's host prototypes ask about the same ones
def _max_args(fn: Callable[..., Any]) -> int | None:
    params = list(inspect.signature(fn).parameters.values())[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


class HostWrapper(JSObject):
    """The JS face of a HostObject: an ordinary object on the class's prototype; ``host`` is never reachable."""

    __slots__ = ("host",)

    def __init__(self, proto: JSObject, host: HostObject) -> None:
        JSObject.__init__(self, proto)
        self.host = host

    @property
    def class_name(self) -> str:  # type: ignore[override]
        return self.host.js_class


class HostFunction(BuiltinFunction):
    """A plain host function (``realm.new_host_function``): calls ``target(*args)`` with JS values (missing ones
    ``UNDEFINED`` up to ``length``, extra ones dropped past what ``target`` takes) and converts its result with
    :func:`to_js`. The target and the limit sit in slots, not in a closure per function: a session makes ~60 of
    these, and each closure was five more objects for the collector to walk."""

    __slots__ = ("target", "arity", "limit")

    def __init__(self, realm: Any, target: Callable[..., Any], name: str, length: int, limit: int | None) -> None:
        BuiltinFunction.__init__(self, realm, _host_function_body, name, length)
        self.target = target
        self.arity = length
        self.limit = limit

    def call(self, this: Any, args: list[Any]) -> Any:
        length = self.arity
        if len(args) < length:
            args = args + [UNDEFINED] * (length - len(args))
        else:
            limit = self.limit
            if limit is not None and len(args) > limit:
                args = args[:limit]  # JS ignores extra arguments; Python would raise
        return to_js(self.realm, self.target(*args))


def _host_function_body(realm: Any, this: Any, args: list[Any]) -> Any:
    raise AssertionError("a HostFunction is called through its call()")  # BuiltinFunction's fn slot must be set

def unwrap(this: Any, cls: type[HostObject] = HostObject) -> Any:
    """The HostObject behind a wrapper, checked against ``cls`` (a JS TypeError otherwise)."""
    if isinstance(this, HostWrapper) and isinstance(this.host, cls):
        return this.host
    raise JSTypeError(f"Illegal invocation: receiver is not a {cls.js_class}")


class _HostMethod:
    """A host class's method as a built-in ``fn(realm, this, args)``. It holds nothing of a realm, so one per class
    member serves every realm (a slotted object, not a closure: shared, it must hold no cells a session's teardown
    could cut)."""

    __slots__ = ("cls", "fn", "limit")

    def __init__(self, cls: type[HostObject], fn: Callable[..., Any]) -> None:
        self.cls = cls
        self.fn = fn
        self.limit = _max_args(fn)

    def __call__(self, realm: Any, this: Any, args: list[Any]) -> Any:
        host = unwrap(this, self.cls)
        limit = self.limit
        if limit is not None and len(args) > limit:
            args = args[:limit]
        return to_js(realm, self.fn(host, *args))


class _HostGetter:
    """A host class's getter as a built-in function body, shared by every realm (see :class:`_HostMethod`)."""

    __slots__ = ("cls", "fn")

    def __init__(self, cls: type[HostObject], fn: Callable[..., Any]) -> None:
        self.cls = cls
        self.fn = fn

    def __call__(self, realm: Any, this: Any, args: list[Any]) -> Any:
        return to_js(realm, self.fn(unwrap(this, self.cls)))


class _HostSetter:
    """A host class's setter as a built-in function body, shared by every realm (see :class:`_HostMethod`)."""

    __slots__ = ("cls", "fn")

    def __init__(self, cls: type[HostObject], fn: Callable[..., Any]) -> None:
        self.cls = cls
        self.fn = fn

    def __call__(self, realm: Any, this: Any, args: list[Any]) -> Any:
        self.fn(unwrap(this, self.cls), args[0] if args else UNDEFINED)
        return UNDEFINED


#: host class -> its prototype's members as placeholders (engine/lazy.py), built once per process
_MEMBER_PLACEHOLDERS: dict[type, tuple[tuple[str, LazyMember | LazyAccessor], ...]] = {}


def _member_placeholders(cls: type[HostObject]) -> tuple[tuple[str, LazyMember | LazyAccessor], ...]:
    members = _MEMBER_PLACEHOLDERS.get(cls)
    if members is not None:
        return members
    out: list[tuple[str, LazyMember | LazyAccessor]] = []
    for name, kinds in cls.js_members.items():
        if "method" in kinds:
            fn, length = kinds["method"]
            out.append((name, LazyMember(_HostMethod(cls, fn), name, length)))
        else:
            getter = _HostGetter(cls, kinds["get"][0]) if "get" in kinds else None
            setter = _HostSetter(cls, kinds["set"][0]) if "set" in kinds else None
            out.append((name, LazyAccessor(name, getter, setter)))
    members = _MEMBER_PLACEHOLDERS[cls] = tuple(out)
    return members


def host_prototype(realm: Any, cls: type[HostObject]) -> JSObject:
    """The realm's prototype for a host class (built once per realm from the member table). Each method or accessor
    is made on its first read (engine/lazy.py, ``per_key``): a session sets up prototypes for classes its scenario
    may never touch, and a scenario uses a handful of a Call's 38 members."""
    proto = realm.host_prototypes.get(cls)
    if proto is not None:
        return proto
    proto = JSObject(realm.object_prototype)
    defer_members(realm, proto, _member_placeholders(cls), per_key=True)
    raw_props(proto)[SYM_TO_STRING_TAG] = PropertyDescriptor(value=cls.js_class, writable=False, enumerable=False,
                                                             configurable=True)
    realm.host_prototypes[cls] = proto
    return proto


def wrap(realm: Any, host: HostObject) -> JSObject:
    """The realm's wrapper for ``host``; the same JS object every time."""
    entry = realm.wrappers.get(id(host))
    if entry is not None and entry[0] is host:
        return entry[1]
    w = HostWrapper(host_prototype(realm, type(host)), host)
    realm.wrappers[id(host)] = (host, w)
    return w


def _int_to_number(value: int) -> float:
    """The Number nearest to a Python int; beyond the double range ±Infinity, as ``Number("1e400")`` gives."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def to_js(realm: Any, value: Any) -> Any:
    """A Python value as a JS value: dict → object, list/tuple → array, int → number, str → UTF-16 string,
    HostObject → its wrapper; JS values pass through."""
    t = type(value)
    if t is float or t is bool or value is None or t is JSUndefined:
        return value
    if t is str:
        return py_str_to_js(value)
    if t is int:
        return _int_to_number(value)
    if isinstance(value, (JSObject, JSSymbol, JSBigInt)):
        return value
    if isinstance(value, HostObject):
        return wrap(realm, value)
    if t is dict or isinstance(value, Mapping):  # a dict skips the ABC check (payloads are dicts)
        o = realm.new_object()
        for k, v in value.items():
            o.props[py_str_to_js(str(k))] = to_js(realm, v)
        return o
    if isinstance(value, (list, tuple)):
        return realm.new_array([to_js(realm, v) for v in value])
    if isinstance(value, int):  # IntEnum and friends
        return _int_to_number(int(value))
    if isinstance(value, str):
        return py_str_to_js(str(value))
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"cannot pass a Python {type(value).__name__} to JS; convert it or make it a HostObject")


def to_py(value: Any, _seen: dict[int, Any] | None = None) -> Any:
    """A JS value as Python: plain object → dict, array → list, numbers stay float (integral ones become int),
    strings become normal Python str, wrappers → their HostObject, functions and other objects stay as they are."""
    t = type(value)
    if t is float:
        return int(value) if value.is_integer() and not math.isinf(value) and abs(value) < 2 ** 53 else value
    if t is str:
        return js_str_to_py(value)
    if t is bool or value is None or t is JSUndefined:
        return None if t is JSUndefined else value
    if isinstance(value, HostWrapper):
        return value.host
    if _seen is None:
        _seen = {}
    if id(value) in _seen:
        return _seen[id(value)]
    if type(value) in LAZY_TYPES:
        materialize(value)  # a built-in object with methods not made yet: give it its own class back
    if type(value) is JSArray:
        out: list[Any] = []
        _seen[id(value)] = out
        out.extend(to_py(value.get(str(i)), _seen) for i in range(value.length))
        return out
    if type(value) is JSObject:
        d: dict[str, Any] = {}
        _seen[id(value)] = d
        for k in value.own_property_keys():
            if type(k) is str:
                desc = value.get_own_property(k)
                if desc is not None and desc.enumerable is True:
                    d[js_str_to_py(k)] = to_py(value.get(k), _seen)
        return d
    if isinstance(value, JSPrimitiveObject):
        return to_py(value.value, _seen)
    return value


def make_enum(realm: Any, members: Mapping[str, Any]) -> JSObject:
    """A frozen plain object ``{name: value}`` (values converted with to_js), e.g. CallEvents."""
    o = realm.new_object()
    for k, v in members.items():
        o.props[py_str_to_js(k)] = PropertyDescriptor(value=to_js(realm, v), writable=False, enumerable=True,
                                                      configurable=False)
    o.extensible = False
    return o


def define_host_class(realm: Any, cls: type[HostObject], constructor: Callable[..., HostObject] | None = None,
                      name: str | None = None, length: int = 0, statics: Mapping[str, Any] | None = None
                      ) -> JSFunction:
    """A JS constructor for a host class: ``new Name(...)`` calls ``constructor(*args)`` (JS values) and wraps the
    HostObject it returns; without ``constructor`` it throws "Illegal constructor". ``statics`` become properties."""
    proto = host_prototype(realm, cls)
    js_name = name or cls.js_class

    def call(r: Any, this: Any, args: list[Any]) -> Any:
        raise JSTypeError(f"Class constructor {js_name} cannot be invoked without 'new'")

    def construct(r: Any, args: list[Any], new_target: Any) -> Any:
        if constructor is None:
            raise JSTypeError("Illegal constructor")
        return to_js(r, constructor(*args))

    ctor = BuiltinFunction(realm, call, js_name, length, construct)
    ctor.props["prototype"] = PropertyDescriptor(value=proto, writable=False, enumerable=False, configurable=False)
    raw_props(proto)["constructor"] = PropertyDescriptor(value=ctor, writable=True, enumerable=False,
                                                         configurable=True)
    for k, v in (statics or {}).items():
        ctor.props[k] = PropertyDescriptor(value=to_js(realm, v), writable=True, enumerable=False, configurable=True)
    return ctor
