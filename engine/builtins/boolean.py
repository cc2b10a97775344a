"""Boolean (https://tc39.es/ecma262/#sec-boolean-objects)."""

from __future__ import annotations

from typing import Any

from ..errors import JSTypeError
from ..operations import to_boolean
from ..values import JSPrimitiveObject
from . import arg, define_members, make_constructor, proto_from_constructor

__all__ = ["install"]


def _this_boolean(this: Any) -> bool:
    if type(this) is bool:
        return this
    if isinstance(this, JSPrimitiveObject) and type(this.value) is bool:
        return this.value
    raise JSTypeError("Boolean.prototype method called on incompatible receiver")


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    return to_boolean(arg(args, 0))


def _construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    return JSPrimitiveObject(proto_from_constructor(realm, new_target, "%Boolean.prototype%"),
                             to_boolean(arg(args, 0)))


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    return "true" if _this_boolean(this) else "false"


def _value_of(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_boolean(this)


def install(realm: Any) -> None:
    proto = JSPrimitiveObject(realm.object_prototype, False)
    make_constructor(realm, "Boolean", 1, _call, _construct, proto)
    define_members(realm, proto, [("toString", _to_string, 0), ("valueOf", _value_of, 0)])
