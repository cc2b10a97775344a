"""Symbol (https://tc39.es/ecma262/#sec-symbol-objects); well-known symbols are shared by all realms."""

from __future__ import annotations

from typing import Any

from ..errors import JSTypeError
from ..operations import to_string
from ..values import (
    SYM_TO_PRIMITIVE, SYM_TO_STRING_TAG, UNDEFINED, WELL_KNOWN_SYMBOLS, JSPrimitiveObject, JSSymbol,
    PropertyDescriptor,
)
from . import arg, define_accessors, define_members, make_constructor, raw_props

__all__ = ["install"]


def _this_symbol(this: Any) -> JSSymbol:
    if type(this) is JSSymbol:
        return this
    if isinstance(this, JSPrimitiveObject) and type(this.value) is JSSymbol:
        return this.value
    raise JSTypeError("Symbol.prototype method called on incompatible receiver")


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    d = arg(args, 0)
    return JSSymbol(UNDEFINED if d is UNDEFINED else to_string(d))


def _construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    raise JSTypeError("Symbol is not a constructor")


def _for(realm: Any, this: Any, args: list[Any]) -> Any:
    key = to_string(arg(args, 0))
    s = realm.symbol_registry.get(key)
    if s is None:
        s = realm.symbol_registry[key] = JSSymbol(key, registered=True)
    return s


def _key_for(realm: Any, this: Any, args: list[Any]) -> Any:
    s = arg(args, 0)
    if type(s) is not JSSymbol:
        raise JSTypeError(f"{realm.display(s)} is not a symbol")
    return s.description if s.registered else UNDEFINED


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_symbol(this)
    return f"Symbol({'' if s.description is UNDEFINED else s.description})"


def _value_of(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_symbol(this)


def _description(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_symbol(this).description


def install(realm: Any) -> None:
    proto = realm.new_object()
    ctor = make_constructor(realm, "Symbol", 0, _call, _construct, proto)
    define_members(realm, ctor, [("for", _for, 1), ("keyFor", _key_for, 1)])
    for name, sym in WELL_KNOWN_SYMBOLS.items():
        raw_props(ctor)[name] = PropertyDescriptor(value=sym, writable=False, enumerable=False, configurable=False)
    define_members(realm, proto, [("toString", _to_string, 0), ("valueOf", _value_of, 0)])
    define_accessors(realm, proto, [("description", _description, None)])
    from ..values import BuiltinFunction
    raw_props(proto)[SYM_TO_PRIMITIVE] = PropertyDescriptor(
        value=BuiltinFunction(realm, _value_of, "[Symbol.toPrimitive]", 1), writable=False, enumerable=False,
        configurable=True)
    raw_props(proto)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="Symbol", writable=False, enumerable=False,
                                                             configurable=True)
