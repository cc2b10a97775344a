"""Object: the constructor, its static functions and Object.prototype (https://tc39.es/ecma262/#sec-object-objects)."""

from __future__ import annotations

from typing import Any

from ..errors import JSTypeError
from ..operations import same_value, spend_steps, to_boolean, to_property_key
from ..values import (
    MISSING, SYM_TO_STRING_TAG, UNDEFINED, JSArgumentsObject, JSArray, JSErrorObject, JSFunction, JSObject,
    JSPrimitiveObject, PropertyDescriptor, is_callable,
)
from .array import charge_result
from . import arg, define_accessors, define_members, lazy_member_value, make_constructor, proto_from_constructor

__all__ = ["install", "to_property_descriptor", "from_property_descriptor", "STATIC_MEMBERS", "PROTOTYPE_MEMBERS",
           "enumerable_own_keys"]


def to_property_descriptor(realm: Any, obj: Any) -> PropertyDescriptor:
    """ToPropertyDescriptor (https://tc39.es/ecma262/#sec-topropertydescriptor)."""
    if not isinstance(obj, JSObject):
        raise JSTypeError("Property description must be an object")
    d = PropertyDescriptor()
    if obj.has_property("enumerable"):
        d.enumerable = to_boolean(obj.get("enumerable"))
    if obj.has_property("configurable"):
        d.configurable = to_boolean(obj.get("configurable"))
    if obj.has_property("value"):
        d.value = obj.get("value")
    if obj.has_property("writable"):
        d.writable = to_boolean(obj.get("writable"))
    if obj.has_property("get"):
        g = obj.get("get")
        if g is not UNDEFINED and not is_callable(g):
            raise JSTypeError("Getter must be a function")
        d.get = g
    if obj.has_property("set"):
        s = obj.get("set")
        if s is not UNDEFINED and not is_callable(s):
            raise JSTypeError("Setter must be a function")
        d.set = s
    if d.is_accessor() and d.is_data():
        raise JSTypeError("Invalid property descriptor. Cannot both specify accessors and a value or writable attribute")
    return d


def from_property_descriptor(realm: Any, d: PropertyDescriptor | None) -> Any:
    if d is None:
        return UNDEFINED
    o = realm.new_object()
    if d.value is not MISSING:
        o.props["value"] = d.value
    if d.writable is not MISSING:
        o.props["writable"] = d.writable
    if d.get is not MISSING:
        o.props["get"] = d.get
    if d.set is not MISSING:
        o.props["set"] = d.set
    if d.enumerable is not MISSING:
        o.props["enumerable"] = d.enumerable
    if d.configurable is not MISSING:
        o.props["configurable"] = d.configurable
    return o


def define_property_or_throw(obj: JSObject, key: Any, desc: PropertyDescriptor) -> None:
    if not obj.define_own_property(key, desc):
        raise JSTypeError(f"Cannot redefine property: {key if type(key) is str else repr(key)}")


def enumerable_own_keys(obj: JSObject) -> list[Any]:
    """The string keys of enumerable own properties, in order."""
    out = []
    for k in obj.own_property_keys():
        if type(k) is str:
            d = obj.get_own_property(k)
            if d is not None and d.enumerable is True:
                out.append(k)
    return out


def _object_call(realm: Any, this: Any, args: list[Any]) -> Any:
    v = arg(args, 0)
    if v is UNDEFINED or v is None:
        return realm.new_object()
    return realm.to_object(v)


def _object_construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    if new_target is not UNDEFINED and new_target is not realm.intrinsics["%Object%"]:
        return JSObject(proto_from_constructor(realm, new_target, "%Object.prototype%"))
    return _object_call(realm, UNDEFINED, args)


def _keys(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    return charge_result(realm, realm.new_array(list(enumerable_own_keys(o))))


def _values(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    out = []
    for k in o.own_property_keys():
        if type(k) is str:
            d = o.get_own_property(k)
            if d is not None and d.enumerable is True:
                out.append(o.get(k))
    return charge_result(realm, realm.new_array(out))


def _entries(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    out = []
    for k in o.own_property_keys():
        if type(k) is str:
            d = o.get_own_property(k)
            if d is not None and d.enumerable is True:
                out.append(realm.new_array([k, o.get(k)]))
    return charge_result(realm, realm.new_array(out))


def _assign(realm: Any, this: Any, args: list[Any]) -> Any:
    to = realm.to_object(arg(args, 0))
    for src in args[1:]:
        if src is UNDEFINED or src is None:
            continue
        s = realm.to_object(src)
        keys = s.own_property_keys()
        spend_steps(realm.budget, len(keys))  # Object.assign({}, 'x'.repeat(60000)): a Python loop per key
        for k in keys:
            d = s.get_own_property(k)
            if d is not None and d.enumerable is True:
                if not to.set(k, s.get(k), to):
                    raise JSTypeError(f"Cannot assign to read only property '{k}' of object")
    return to


def _set_integrity(obj: JSObject, level: str) -> bool:
    if not obj.prevent_extensions():
        return False
    for k in obj.own_property_keys():
        if level == "sealed":
            obj.define_own_property(k, PropertyDescriptor(configurable=False))
        else:
            d = obj.get_own_property(k)
            if d is None:
                continue
            if d.is_accessor():
                obj.define_own_property(k, PropertyDescriptor(configurable=False))
            else:
                obj.define_own_property(k, PropertyDescriptor(configurable=False, writable=False))
    return True


def _test_integrity(obj: JSObject, level: str) -> bool:
    if obj.is_extensible():
        return False
    for k in obj.own_property_keys():
        d = obj.get_own_property(k)
        if d is not None:
            if d.configurable is True:
                return False
            if level == "frozen" and d.is_data() and d.writable is True:
                return False
    return True


def _freeze(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    if isinstance(o, JSObject) and not _set_integrity(o, "frozen"):
        raise JSTypeError("Cannot freeze")
    return o


def _seal(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    if isinstance(o, JSObject) and not _set_integrity(o, "sealed"):
        raise JSTypeError("Cannot seal")
    return o


def _prevent_extensions(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    if isinstance(o, JSObject) and not o.prevent_extensions():
        raise JSTypeError("Cannot prevent extensions")
    return o


def _is_frozen(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    return _test_integrity(o, "frozen") if isinstance(o, JSObject) else True


def _is_sealed(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    return _test_integrity(o, "sealed") if isinstance(o, JSObject) else True


def _is_extensible(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    return o.is_extensible() if isinstance(o, JSObject) else False


def _define_property(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    if not isinstance(o, JSObject):
        raise JSTypeError("Object.defineProperty called on non-object")
    key = to_property_key(arg(args, 1))
    desc = to_property_descriptor(realm, arg(args, 2))
    define_property_or_throw(o, key, desc)
    return o


def _object_define_properties(realm: Any, o: JSObject, props_arg: Any) -> JSObject:
    props = realm.to_object(props_arg)
    descs = []
    for k in props.own_property_keys():
        pd = props.get_own_property(k)
        if pd is not None and pd.enumerable is True:
            descs.append((k, to_property_descriptor(realm, props.get(k))))
    for k, d in descs:
        define_property_or_throw(o, k, d)
    return o


def _define_properties(realm: Any, this: Any, args: list[Any]) -> Any:
    o = arg(args, 0)
    if not isinstance(o, JSObject):
        raise JSTypeError("Object.defineProperties called on non-object")
    return _object_define_properties(realm, o, arg(args, 1))


def _get_own_property_descriptor(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    return from_property_descriptor(realm, o.get_own_property(to_property_key(arg(args, 1))))


def _get_own_property_descriptors(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    out = realm.new_object()
    for k in o.own_property_keys():
        d = o.get_own_property(k)
        if d is not None:
            out.create_data_property(k, from_property_descriptor(realm, d))
    return out


def _get_own_property_names(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    return charge_result(realm, realm.new_array([k for k in o.own_property_keys() if type(k) is str]))


def _get_own_property_symbols(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    return realm.new_array([k for k in o.own_property_keys() if type(k) is not str])


def _create(realm: Any, this: Any, args: list[Any]) -> Any:
    proto = arg(args, 0)
    if proto is not None and not isinstance(proto, JSObject):
        raise JSTypeError("Object prototype may only be an Object or null")
    o = JSObject(proto)
    props = arg(args, 1)
    if props is not UNDEFINED:
        _object_define_properties(realm, o, props)
    return o


def _get_prototype_of(realm: Any, this: Any, args: list[Any]) -> Any:
    return realm.to_object(arg(args, 0)).get_prototype_of()


def _set_prototype_of(realm: Any, this: Any, args: list[Any]) -> Any:
    o, proto = arg(args, 0), arg(args, 1)
    if o is UNDEFINED or o is None:
        raise JSTypeError("Object.setPrototypeOf called on null or undefined")
    if proto is not None and not isinstance(proto, JSObject):
        raise JSTypeError("Object prototype may only be an Object or null")
    if isinstance(o, JSObject) and not o.set_prototype_of(proto):
        raise JSTypeError("Cannot set prototype (cyclic or not extensible)")
    return o


def _is(realm: Any, this: Any, args: list[Any]) -> Any:
    return same_value(arg(args, 0), arg(args, 1))


def _from_entries(realm: Any, this: Any, args: list[Any]) -> Any:
    from .iterator import iterate
    it = arg(args, 0)
    if it is UNDEFINED or it is None:
        raise JSTypeError("Object.fromEntries requires an iterable")
    o = realm.new_object()
    for entry in iterate(realm, it):
        if not isinstance(entry, JSObject):
            raise JSTypeError("Iterator value is not an entry object")
        k = entry.get("0")
        v = entry.get("1")
        o.create_data_property(to_property_key(k), v)
    return o


def _has_own(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(arg(args, 0))
    return o.get_own_property(to_property_key(arg(args, 1))) is not None


def _group_by(realm: Any, this: Any, args: list[Any]) -> Any:
    """Object.groupBy(items, callback): a null-prototype object of arrays keyed by the callback's result."""
    from .iterator import iterate
    items, callback = arg(args, 0), arg(args, 1)
    if items is UNDEFINED or items is None:
        raise JSTypeError("Object.groupBy called on null or undefined")
    if not is_callable(callback):
        raise JSTypeError("Object.groupBy: callback is not a function")
    groups: dict[Any, list[Any]] = {}
    for k, v in enumerate(iterate(realm, items)):
        key = to_property_key(callback.call(UNDEFINED, [v, float(k)]))
        groups.setdefault(key, []).append(v)
    out = JSObject(None)
    for key, values in groups.items():
        out.create_data_property(key, realm.new_array(values))
    return out


STATIC_MEMBERS = [
    ("groupBy", _group_by, 2),
    ("keys", _keys, 1), ("values", _values, 1), ("entries", _entries, 1), ("assign", _assign, 2),
    ("freeze", _freeze, 1), ("seal", _seal, 1), ("preventExtensions", _prevent_extensions, 1),
    ("isFrozen", _is_frozen, 1), ("isSealed", _is_sealed, 1), ("isExtensible", _is_extensible, 1),
    ("defineProperty", _define_property, 3), ("defineProperties", _define_properties, 2),
    ("getOwnPropertyDescriptor", _get_own_property_descriptor, 2),
    ("getOwnPropertyDescriptors", _get_own_property_descriptors, 1),
    ("getOwnPropertyNames", _get_own_property_names, 1), ("getOwnPropertySymbols", _get_own_property_symbols, 1),
    ("create", _create, 2), ("getPrototypeOf", _get_prototype_of, 1), ("setPrototypeOf", _set_prototype_of, 2),
    ("is", _is, 2), ("fromEntries", _from_entries, 1), ("hasOwn", _has_own, 2),
]


def _has_own_property(realm: Any, this: Any, args: list[Any]) -> Any:
    key = to_property_key(arg(args, 0))
    return realm.to_object(this).get_own_property(key) is not None


def _is_prototype_of(realm: Any, this: Any, args: list[Any]) -> Any:
    v = arg(args, 0)
    if not isinstance(v, JSObject):
        return False
    o = realm.to_object(this)
    p = v.get_prototype_of()
    while p is not None:
        if p is o:
            return True
        p = p.get_prototype_of()
    return False


def _property_is_enumerable(realm: Any, this: Any, args: list[Any]) -> Any:
    key = to_property_key(arg(args, 0))
    d = realm.to_object(this).get_own_property(key)
    return d is not None and d.enumerable is True


def builtin_tag(o: JSObject) -> str:
    if isinstance(o, JSArray):
        return "Array"
    if isinstance(o, JSFunction):
        return "Function"
    if isinstance(o, JSErrorObject):
        return "Error"
    if isinstance(o, JSArgumentsObject):
        return "Arguments"
    if isinstance(o, JSPrimitiveObject):
        n = o.class_name
        return n if n in ("String", "Number", "Boolean") else "Object"
    n = o.class_name
    return n if n in ("Date", "RegExp") else "Object"


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    if this is UNDEFINED:
        return "[object Undefined]"
    if this is None:
        return "[object Null]"
    o = realm.to_object(this)
    tag = o.get(SYM_TO_STRING_TAG)
    if type(tag) is not str:
        tag = builtin_tag(o)
    return f"[object {tag}]"


def _to_locale_string(realm: Any, this: Any, args: list[Any]) -> Any:
    f = realm.get_v(this, "toString")
    if not is_callable(f):
        raise JSTypeError("toString is not a function")
    return f.call(this, [])


def _value_of(realm: Any, this: Any, args: list[Any]) -> Any:
    return realm.to_object(this)


def _proto_get(realm: Any, this: Any, args: list[Any]) -> Any:
    return realm.to_object(this).get_prototype_of()


def _proto_set(realm: Any, this: Any, args: list[Any]) -> Any:
    if this is UNDEFINED or this is None:
        raise JSTypeError("Object.prototype.__proto__ called on null or undefined")
    proto = arg(args, 0)
    if proto is not None and not isinstance(proto, JSObject):
        return UNDEFINED
    if isinstance(this, JSObject) and not this.set_prototype_of(proto):
        raise JSTypeError("Object.prototype.__proto__ setter failed (cyclic or not extensible)")
    return UNDEFINED


def _define_getter(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    g = arg(args, 1)
    if not is_callable(g):
        raise JSTypeError("Object.prototype.__defineGetter__: Expecting function")
    define_property_or_throw(o, to_property_key(arg(args, 0)),
                             PropertyDescriptor(get=g, enumerable=True, configurable=True))
    return UNDEFINED


def _define_setter(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    s = arg(args, 1)
    if not is_callable(s):
        raise JSTypeError("Object.prototype.__defineSetter__: Expecting function")
    define_property_or_throw(o, to_property_key(arg(args, 0)),
                             PropertyDescriptor(set=s, enumerable=True, configurable=True))
    return UNDEFINED


def _lookup(kind: str) -> Any:
    def lookup(realm: Any, this: Any, args: list[Any]) -> Any:
        o: Any = realm.to_object(this)
        key = to_property_key(arg(args, 0))
        while o is not None:
            d = o.get_own_property(key)
            if d is not None:
                v = getattr(d, kind)
                return UNDEFINED if v is MISSING else v
            o = o.get_prototype_of()
        return UNDEFINED
    return lookup


PROTOTYPE_MEMBERS = [
    ("hasOwnProperty", _has_own_property, 1), ("isPrototypeOf", _is_prototype_of, 1),
    ("propertyIsEnumerable", _property_is_enumerable, 1), ("toString", _to_string, 0),
    ("toLocaleString", _to_locale_string, 0), ("valueOf", _value_of, 0),
    ("__defineGetter__", _define_getter, 2), ("__defineSetter__", _define_setter, 2),
    ("__lookupGetter__", _lookup("get"), 1), ("__lookupSetter__", _lookup("set"), 1),
]


def install(realm: Any) -> None:
    proto = realm.object_prototype
    ctor = make_constructor(realm, "Object", 1, _object_call, _object_construct, proto)
    define_members(realm, ctor, STATIC_MEMBERS)
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    define_accessors(realm, proto, [("__proto__", _proto_get, _proto_set)])
    realm.intrinsics["%Object.prototype.toString%"] = lazy_member_value(proto, "toString")
