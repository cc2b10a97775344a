"""Reflect (https://tc39.es/ecma262/#sec-reflect-object): the internal methods as functions, returning booleans
where Object's counterparts throw."""

from __future__ import annotations

from typing import Any

from ..errors import JSTypeError
from ..operations import to_property_key
from ..values import MISSING, SYM_TO_STRING_TAG, JSObject, PropertyDescriptor, is_callable, is_constructor
from . import arg, define_members, raw_props

__all__ = ["install"]


def _target(v: Any, name: str) -> JSObject:
    if not isinstance(v, JSObject):
        raise JSTypeError(f"Reflect.{name} called on non-object")
    return v


def _apply(realm: Any, this: Any, args: list[Any]) -> Any:
    from .function import create_list_from_array_like
    f = arg(args, 0)
    if not is_callable(f):
        raise JSTypeError("Reflect.apply target is not a function")
    return f.call(arg(args, 1), create_list_from_array_like(arg(args, 2), realm))


def _construct(realm: Any, this: Any, args: list[Any]) -> Any:
    from .function import create_list_from_array_like
    target = arg(args, 0)
    if not is_constructor(target):
        raise JSTypeError("Reflect.construct target is not a constructor")
    new_target = args[2] if len(args) > 2 else target
    if not is_constructor(new_target):
        raise JSTypeError("Reflect.construct newTarget is not a constructor")
    return target.construct(create_list_from_array_like(arg(args, 1), realm), new_target)


def _define_property(realm: Any, this: Any, args: list[Any]) -> Any:
    from .object import to_property_descriptor
    o = _target(arg(args, 0), "defineProperty")
    key = to_property_key(arg(args, 1))
    return o.define_own_property(key, to_property_descriptor(realm, arg(args, 2)))


def _delete_property(realm: Any, this: Any, args: list[Any]) -> Any:
    o = _target(arg(args, 0), "deleteProperty")
    return o.delete(to_property_key(arg(args, 1)))


def _get(realm: Any, this: Any, args: list[Any]) -> Any:
    o = _target(arg(args, 0), "get")
    key = to_property_key(arg(args, 1))
    receiver = args[2] if len(args) > 2 else o
    return o.get(key, receiver)


def _get_own_property_descriptor(realm: Any, this: Any, args: list[Any]) -> Any:
    from .object import from_property_descriptor
    o = _target(arg(args, 0), "getOwnPropertyDescriptor")
    return from_property_descriptor(realm, o.get_own_property(to_property_key(arg(args, 1))))


def _get_prototype_of(realm: Any, this: Any, args: list[Any]) -> Any:
    return _target(arg(args, 0), "getPrototypeOf").get_prototype_of()


def _has(realm: Any, this: Any, args: list[Any]) -> Any:
    o = _target(arg(args, 0), "has")
    return o.has_property(to_property_key(arg(args, 1)))


def _is_extensible(realm: Any, this: Any, args: list[Any]) -> Any:
    return _target(arg(args, 0), "isExtensible").is_extensible()


def _own_keys(realm: Any, this: Any, args: list[Any]) -> Any:
    return realm.new_array(list(_target(arg(args, 0), "ownKeys").own_property_keys()))


def _prevent_extensions(realm: Any, this: Any, args: list[Any]) -> Any:
    return _target(arg(args, 0), "preventExtensions").prevent_extensions()


def _set(realm: Any, this: Any, args: list[Any]) -> Any:
    o = _target(arg(args, 0), "set")
    key = to_property_key(arg(args, 1))
    receiver = args[3] if len(args) > 3 else MISSING
    return o.set(key, arg(args, 2), receiver)


def _set_prototype_of(realm: Any, this: Any, args: list[Any]) -> Any:
    o = _target(arg(args, 0), "setPrototypeOf")
    proto = arg(args, 1)
    if proto is not None and not isinstance(proto, JSObject):
        raise JSTypeError("Object prototype may only be an Object or null")
    return o.set_prototype_of(proto)


MEMBERS = [
    ("apply", _apply, 3), ("construct", _construct, 2), ("defineProperty", _define_property, 3),
    ("deleteProperty", _delete_property, 2), ("get", _get, 2),
    ("getOwnPropertyDescriptor", _get_own_property_descriptor, 2), ("getPrototypeOf", _get_prototype_of, 1),
    ("has", _has, 2), ("isExtensible", _is_extensible, 1), ("ownKeys", _own_keys, 1),
    ("preventExtensions", _prevent_extensions, 1), ("set", _set, 3), ("setPrototypeOf", _set_prototype_of, 2),
]


def install(realm: Any) -> None:
    r = realm.new_object()
    define_members(realm, r, MEMBERS)
    raw_props(r)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="Reflect", writable=False, enumerable=False,
                                                         configurable=True)
    realm.intrinsics["%Reflect%"] = r
    realm.global_object.define("Reflect", r)
