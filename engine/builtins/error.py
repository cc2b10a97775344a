"""Error and its native subclasses, with ``stack`` (https://tc39.es/ecma262/#sec-error-objects)."""

from __future__ import annotations

from typing import Any

from ..errors import JSTypeError
from ..operations import to_string
from ..values import UNDEFINED, JSErrorObject, JSObject, PropertyDescriptor
from . import arg, define_members, make_constructor, proto_from_constructor

__all__ = ["install", "NATIVE_ERRORS"]

NATIVE_ERRORS = ["EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"]


def _make_error(name: str) -> tuple[Any, Any]:
    def construct(realm: Any, args: list[Any], new_target: Any) -> Any:
        if new_target is UNDEFINED:
            new_target = realm.intrinsics[f"%{name}%"]
        o = JSErrorObject(proto_from_constructor(realm, new_target, f"%{name}.prototype%"))
        msg = arg(args, 0)
        text = ""
        if msg is not UNDEFINED:
            text = to_string(msg)
            o.props["message"] = PropertyDescriptor(value=text, writable=True, enumerable=False, configurable=True)
        options = arg(args, 1)
        if isinstance(options, JSObject) and options.has_property("cause"):
            o.props["cause"] = PropertyDescriptor(value=options.get("cause"), writable=True, enumerable=False,
                                                  configurable=True)
        shown = o.get("name")
        realm.attach_stack(o, shown if type(shown) is str else name, text)
        return o

    def call(realm: Any, this: Any, args: list[Any]) -> Any:
        return construct(realm, args, UNDEFINED)

    return call, construct


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    if not isinstance(this, JSObject):
        raise JSTypeError("Error.prototype.toString called on non-object")
    name = this.get("name")
    name = "Error" if name is UNDEFINED else to_string(name)
    msg = this.get("message")
    msg = "" if msg is UNDEFINED else to_string(msg)
    if not name:
        return msg
    if not msg:
        return name
    return f"{name}: {msg}"


def _capture_stack_trace(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    if isinstance(o, JSObject):
        frames = realm.stack[::-1]
        head = _to_string(realm, o, [])
        o.define("stack", head + "".join("\n    " + f for f in frames))
    return UNDEFINED


def install(realm: Any) -> None:
    proto = realm.new_object()
    call, construct = _make_error("Error")
    error = make_constructor(realm, "Error", 1, call, construct, proto)
    proto.define("name", "Error")
    proto.define("message", "")
    define_members(realm, proto, [("toString", _to_string, 0)])
    define_members(realm, error, [("captureStackTrace", _capture_stack_trace, 1)])
    for name in NATIVE_ERRORS:
        p = realm.new_object(proto)
        call, construct = _make_error(name)
        c = make_constructor(realm, name, 1, call, construct, p)
        c.proto = error
        p.define("name", name)
        p.define("message", "")
