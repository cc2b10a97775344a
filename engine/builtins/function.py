"""Function: the constructor (compiles source text), Function.prototype call/apply/bind/toString/@@hasInstance."""

from __future__ import annotations

from typing import Any

from ..errors import JSTypeError
from ..operations import to_integer_or_infinity, to_string
from ..values import (
    MISSING, SYM_HAS_INSTANCE, UNDEFINED, BoundFunction, JSFunction, JSObject, PropertyDescriptor, is_callable,
)
from . import arg, define_members, make_constructor, raw_props

__all__ = ["install", "ordinary_has_instance", "instance_of", "create_list_from_array_like", "PROTOTYPE_MEMBERS"]


def ordinary_has_instance(c: Any, o: Any) -> bool:
    """OrdinaryHasInstance (https://tc39.es/ecma262/#sec-ordinaryhasinstance)."""
    if not is_callable(c):
        return False
    if isinstance(c, BoundFunction):
        return instance_of(o, c.target)
    if not isinstance(o, JSObject):
        return False
    p = c.get("prototype")
    if not isinstance(p, JSObject):
        raise JSTypeError("Function has non-object prototype in instanceof check")
    o = o.get_prototype_of()
    while o is not None:
        if o is p:
            return True
        o = o.get_prototype_of()
    return False


def instance_of(v: Any, target: Any) -> bool:
    """InstanceofOperator (https://tc39.es/ecma262/#sec-instanceofoperator)."""
    from ..operations import to_boolean
    if not isinstance(target, JSObject):
        raise JSTypeError("Right-hand side of 'instanceof' is not an object")
    h = target.get(SYM_HAS_INSTANCE)
    if h is not UNDEFINED and h is not None:
        if not is_callable(h):
            raise JSTypeError("Symbol.hasInstance is not a function")
        return to_boolean(h.call(target, [v]))
    if not is_callable(target):
        raise JSTypeError("Right-hand side of 'instanceof' is not callable")
    return ordinary_has_instance(target, v)


def create_list_from_array_like(v: Any, realm: Any = None) -> list[Any]:
    """CreateListFromArrayLike; with ``realm``, the list's length is charged to its step budget."""
    if v is UNDEFINED or v is None:
        return []
    if not isinstance(v, JSObject):
        raise JSTypeError("CreateListFromArrayLike called on non-object")
    from ..values import HOLE, JSArray
    from ..operations import spend_steps, to_length
    if realm is not None:
        n = v.length if type(v) is JSArray else to_length(v.get("length"))
        spend_steps(realm.budget, n)
        from ..operations import charge_array
        charge_array(realm.budget, n)  # f.apply(null, big): the argument list is a copy
    if type(v) is JSArray and v.length == len(v.elems) and HOLE not in v.elems:
        return [e.value if type(e) is PropertyDescriptor and e.get is MISSING else
                (v.get(str(i)) if type(e) is PropertyDescriptor else e) for i, e in enumerate(v.elems)]
    from ..operations import to_length
    n = to_length(v.get("length"))
    return [v.get(str(i)) for i in range(n)]


def _function_ctor(realm: Any, args: list[Any], new_target: Any) -> Any:
    from ..script import create_dynamic_function
    params = ",".join(to_string(a) for a in args[:-1])
    body = to_string(args[-1]) if args else ""
    return create_dynamic_function(realm, "function", params, body)


def _function_call(realm: Any, this: Any, args: list[Any]) -> Any:
    return _function_ctor(realm, args, UNDEFINED)


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    if not is_callable(this):
        raise JSTypeError("Function.prototype.call called on a non-function")
    return this.call(arg(args, 0), list(args[1:]))


def _apply(realm: Any, this: Any, args: list[Any]) -> Any:
    if not is_callable(this):
        raise JSTypeError("Function.prototype.apply was called on a non-function")
    return this.call(arg(args, 0), create_list_from_array_like(arg(args, 1), realm))


def _bind(realm: Any, this: Any, args: list[Any]) -> Any:
    if not is_callable(this):
        raise JSTypeError("Bind must be called on a function")
    f = BoundFunction(realm, this, arg(args, 0), list(args[1:]))
    length = 0.0
    if this.get_own_property("length") is not None:
        tl = this.get("length")
        if type(tl) is float:
            if tl == float("inf"):
                length = tl
            elif tl != float("-inf"):
                length = max(0.0, to_integer_or_infinity(tl) - (len(args) - 1 if args else 0))
    f.props["length"] = PropertyDescriptor(value=length, writable=False, enumerable=False, configurable=True)
    name = this.get("name")
    if type(name) is not str:
        name = ""
    f.props["name"] = PropertyDescriptor(value="bound " + name, writable=False, enumerable=False, configurable=True)
    return f


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    if not isinstance(this, JSFunction):
        raise JSTypeError("Function.prototype.toString requires that 'this' be a Function")
    return this.source_text()


def _has_instance(realm: Any, this: Any, args: list[Any]) -> Any:
    return ordinary_has_instance(this, arg(args, 0))


PROTOTYPE_MEMBERS = [("call", _call, 1), ("apply", _apply, 2), ("bind", _bind, 1), ("toString", _to_string, 0)]


def _thrower(realm: Any, this: Any, args: list[Any]) -> Any:
    raise JSTypeError("'caller', 'callee', and 'arguments' properties may not be accessed on strict mode functions")


def install(realm: Any) -> None:
    proto = realm.function_prototype
    make_constructor(realm, "Function", 1, _function_call, _function_ctor, proto)
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    from ..values import BuiltinFunction
    hi = BuiltinFunction(realm, _has_instance, "[Symbol.hasInstance]", 1)
    raw_props(proto)[SYM_HAS_INSTANCE] = PropertyDescriptor(value=hi, writable=False, enumerable=False,
                                                            configurable=False)
    thrower = BuiltinFunction(realm, _thrower, "", 0)
    thrower.extensible = False
    raw_props(thrower)["length"] = PropertyDescriptor(value=0.0, writable=False, enumerable=False, configurable=False)
    raw_props(thrower)["name"] = PropertyDescriptor(value="", writable=False, enumerable=False, configurable=False)
    realm.intrinsics["%ThrowTypeError%"] = thrower
    for key in ("caller", "arguments"):
        raw_props(proto)[key] = PropertyDescriptor(get=thrower, set=thrower, enumerable=False, configurable=True)
