"""The built-in objects: one module per intrinsic family, each with member tables and ``install(realm)``.

How to add one: docs/engine.md "Built-ins". ``MODULES`` is the install order; a listed module that does not exist
yet is skipped, so a family can land in its own commit.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable, Sequence

from ..lazy import LazyMember, defer_members, lazy_member_value, raw_props
from ..values import (
    UNDEFINED, BuiltinFunction, JSObject, JSSymbol, PropertyDescriptor,
)

__all__ = [
    "MODULES", "install_all", "arg", "define_members", "define_accessors", "make_constructor", "function_name_of",
    "proto_from_constructor", "Member", "lazy_member_value", "raw_props",
]

# (JS name or symbol, fn(realm, this, args), length)
Member = tuple[Any, Callable[[Any, Any, list], Any], int]

MODULES: list[str] = [
    "object", "function", "symbol", "error", "iterator", "array", "array_extras", "boolean", "global_functions",
    "promise", "generator", "async_generator", "async_from_sync",
    # owned by the other built-ins engineers
    "number", "math", "string", "regexp", "json", "date", "map_set", "weak", "reflect",
]


_installers: list[Callable[[Any], None]] = []


def install_all(realm: Any) -> None:
    """Install every module of ``MODULES`` that exists, in order (looked up once per process)."""
    for install in installers():
        install(realm)


def installers() -> list[Callable[[Any], None]]:
    """The ``install`` function of every module of ``MODULES`` that exists, in order (looked up once per process)."""
    if not _installers:
        found = []
        for name in MODULES:
            full = f"{__name__}.{name}"
            try:
                module = importlib.import_module(full)
            except ModuleNotFoundError as exc:
                if exc.name == full:
                    continue
                raise
            found.append(module.install)
        _installers[:] = found
    return _installers


def arg(args: Sequence[Any], i: int) -> Any:
    """The i-th argument or UNDEFINED."""
    return args[i] if i < len(args) else UNDEFINED


def function_name_of(key: Any, prefix: str = "") -> str:
    """SetFunctionName's name for a property key: symbols give ``[description]``."""
    if type(key) is JSSymbol:
        name = "" if key.description is UNDEFINED else f"[{key.description}]"
    else:
        name = key
    return f"{prefix} {name}" if prefix else name


_PLACEHOLDERS: dict[Any, LazyMember] = {}
_PLACEHOLDERS_MAX = 4096    # tables built per install (closures) miss; the module-level ones stay cached


def define_members(realm: Any, target: JSObject, members: Iterable[Member]) -> None:
    """Define built-in methods on ``target`` (writable, configurable, not enumerable). They are made when
    ``target``'s properties are first read (engine/lazy.py); ``lazy_member_value`` gets one now."""
    cache = _PLACEHOLDERS
    entries = []
    for m in members:
        p = cache.get(m)
        if p is None:
            key, fn, length = m
            p = LazyMember(fn, function_name_of(key), length)
            if len(cache) < _PLACEHOLDERS_MAX:
                cache[m] = p
        entries.append((m[0], p))
    defer_members(realm, target, entries)


def define_accessors(realm: Any, target: JSObject,
                     accessors: Iterable[tuple[Any, Callable[..., Any] | None, Callable[..., Any] | None]]) -> None:
    """Define built-in accessor properties ``(key, getter_fn, setter_fn)`` (configurable, not enumerable)."""
    for key, getter, setter in accessors:
        g = BuiltinFunction(realm, getter, function_name_of(key, "get"), 0) if getter else UNDEFINED
        s = BuiltinFunction(realm, setter, function_name_of(key, "set"), 1) if setter else UNDEFINED
        raw_props(target)[key] = PropertyDescriptor(get=g, set=s, enumerable=False, configurable=True)


def make_constructor(realm: Any, name: str, length: int, call: Callable[[Any, Any, list], Any],
                     construct: Callable[[Any, list, Any], Any] | None, prototype: JSObject,
                     global_name: bool = True) -> BuiltinFunction:
    """A constructor function linked with its prototype (``C.prototype``, ``prototype.constructor``), registered
    as intrinsic ``%name%`` and ``%name.prototype%`` and (by default) as a global."""
    ctor = BuiltinFunction(realm, call, name, length, construct)
    raw_props(ctor)["prototype"] = PropertyDescriptor(value=prototype, writable=False, enumerable=False,
                                                      configurable=False)
    raw_props(prototype)["constructor"] = PropertyDescriptor(value=ctor, writable=True, enumerable=False,
                                                             configurable=True)
    realm.intrinsics[f"%{name}%"] = ctor
    realm.intrinsics[f"%{name}.prototype%"] = prototype
    if global_name:
        realm.global_object.define(name, ctor)
    return ctor


def proto_from_constructor(realm: Any, new_target: Any, default: str) -> JSObject:
    """GetPrototypeFromConstructor: ``new_target.prototype`` if an object, else the intrinsic ``default``."""
    if isinstance(new_target, JSObject):
        p = new_target.get("prototype")
        if isinstance(p, JSObject):
            return p
        fn_realm = getattr(new_target, "realm", realm)
        return fn_realm.intrinsics[default]
    return realm.intrinsics[default]
