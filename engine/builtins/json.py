"""JSON (https://tc39.es/ecma262/#sec-json-object): parse with reviver, stringify with replacer/indent/toJSON.

``parse`` uses Python's strict JSON scanner (no NaN/Infinity, no control characters in strings) and then builds JS
values; ``stringify`` follows SerializeJSONProperty step by step because its order of Gets and calls is observable.
"""

from __future__ import annotations

import json as _pyjson
import math
import re
from typing import Any

from ..errors import HostJSError, JSTypeError
from ..operations import number_to_string, to_integer_or_infinity, to_number, to_string
from ..values import (
    HOLE, SYM_TO_STRING_TAG, UNDEFINED, JSArray, JSBigInt, JSObject, JSPrimitiveObject, PropertyDescriptor, is_callable,
    py_str_to_js,
)
from . import arg, define_members, raw_props

__all__ = ["install", "JSSyntaxErrorHost", "json_parse", "json_stringify", "quote_json_string"]


class JSSyntaxErrorHost(HostJSError):
    """A JS SyntaxError raised by a built-in (JSON.parse, the RegExp constructor)."""

    js_constructor = "SyntaxError"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name[0]} in JSON")


class _Obj:
    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


_DECODER = _pyjson.JSONDecoder(object_pairs_hook=_Obj, parse_float=float, parse_int=float,
                               parse_constant=_reject_constant, strict=True)


def _js_str(s: str) -> str:
    return s if s.isascii() else py_str_to_js(s)


def _build(realm: Any, v: Any) -> Any:
    t = type(v)
    if t is str:
        return _js_str(v)
    if t is _Obj:
        o = realm.new_object()
        props = o.props
        for k, x in v.pairs:
            props[_js_str(k)] = _build(realm, x)
        return o
    if t is list:
        return realm.new_array([_build(realm, x) for x in v])
    return v   # float, bool, None


def json_parse(realm: Any, text: str) -> Any:
    """Parse JSON text (a JS string) into JS values; SyntaxError on anything JSON does not allow."""
    try:
        value, end = _DECODER.raw_decode(text, _skip_ws(text, 0))
    except ValueError as exc:
        raise JSSyntaxErrorHost(_message(exc, text)) from None
    end = _skip_ws(text, end)
    if end != len(text):
        raise JSSyntaxErrorHost(f"Unexpected non-whitespace character after JSON at position {end}")
    return _build(realm, value)


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t\n\r":
        i += 1
    return i


def _message(exc: ValueError, text: str) -> str:
    if isinstance(exc, _pyjson.JSONDecodeError):
        if exc.pos >= len(text):
            return "Unexpected end of JSON input"
        return f"Unexpected token '{text[exc.pos]}', {exc.msg} in JSON at position {exc.pos}"
    return str(exc)


def _internalize(realm: Any, holder: JSObject, name: str, reviver: Any) -> Any:
    val = holder.get(name)
    if isinstance(val, JSObject):
        from .array import length_of
        if isinstance(val, JSArray):
            for i in range(length_of(val)):
                _revive_key(realm, val, str(i), reviver)
        else:
            from .object import enumerable_own_keys
            for k in enumerable_own_keys(val):
                _revive_key(realm, val, k, reviver)
    return reviver.call(holder, [name, val])


def _revive_key(realm: Any, obj: JSObject, key: str, reviver: Any) -> None:
    new = _internalize(realm, obj, key, reviver)
    if new is UNDEFINED:
        obj.delete(key)
    else:
        obj.create_data_property(key, new)


def _parse(realm: Any, this: Any, args: list[Any]) -> Any:
    text = to_string(arg(args, 0))
    value = json_parse(realm, text)
    reviver = arg(args, 1)
    if is_callable(reviver):
        root = realm.new_object()
        root.props[""] = value
        return _internalize(realm, root, "", reviver)
    return value


# -- stringify

_ESCAPE_RE = re.compile("([\ud800-\udbff][\udc00-\udfff])|[\x00-\x1f\"\\\\\ud800-\udfff]")
_SHORT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _escape(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1)
    c = m.group(0)
    return _SHORT.get(c) or f"\\u{ord(c):04x}"


def quote_json_string(s: str) -> str:
    """QuoteJSONString: JSON escapes, lone surrogates as \\udxxx."""
    return '"' + _ESCAPE_RE.sub(_escape, s) + '"'


class _State:
    __slots__ = ("realm", "replacer", "stack", "indent", "gap", "keys", "plain_protos")

    def __init__(self, realm: Any, replacer: Any, keys: list[str] | None, gap: str) -> None:
        self.realm = realm
        self.replacer = replacer
        self.keys = keys
        self.stack: list[JSObject] = []
        self.indent = ""
        self.gap = gap
        self.plain_protos: dict[int, bool] = {}   # id(proto) → its chain has no toJSON and nothing exotic


def _no_to_json(st: _State, value: JSObject) -> bool:
    """True when Get(value, "toJSON") is certainly undefined with no user code run (plain object or array whose
    prototype chain is ordinary and has no toJSON), so the lookup can be skipped."""
    if "toJSON" in value.props:
        return False
    p = value.proto
    if p is None:
        return True
    known = st.plain_protos.get(id(p))
    if known is None:
        known = True
        q: JSObject | None = p
        while q is not None:
            if (q.exotic and type(q) is not JSArray) or "toJSON" in q.props:
                known = False
                break
            q = q.proto
        st.plain_protos[id(p)] = known
    return known


def _serialize_property(st: _State, key: str, holder: JSObject) -> str | None:
    value = holder.get(key)
    return _serialize_value(st, key, holder, value)


def _serialize_value(st: _State, key: str, holder: JSObject, value: Any) -> str | None:
    t = type(value)
    if (t is JSObject or t is JSArray) and _no_to_json(st, value):
        pass
    elif isinstance(value, JSObject) or t is JSBigInt:
        to_json = st.realm.get_v(value, "toJSON")
        if is_callable(to_json):
            value = to_json.call(value, [key])
    if st.replacer is not None:
        value = st.replacer.call(holder, [key, value])
    if isinstance(value, JSPrimitiveObject):
        inner = value.value
        if type(inner) is float:
            value = to_number(value)
        elif type(inner) is str:
            value = to_string(value)
        elif type(inner) is bool or type(inner) is JSBigInt:
            value = inner
    t = type(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is str:
        return quote_json_string(value)
    if t is float:
        return number_to_string(value) if math.isfinite(value) else "null"
    if t is JSBigInt:
        raise JSTypeError("Do not know how to serialize a BigInt")
    if isinstance(value, JSObject) and not is_callable(value):
        if isinstance(value, JSArray):
            return _serialize_array(st, value)
        return _serialize_object(st, value)
    return None


def _enter(st: _State, value: JSObject) -> str:
    for o in st.stack:
        if o is value:
            raise JSTypeError("Converting circular structure to JSON")
    st.stack.append(value)
    stepback = st.indent
    st.indent += st.gap
    return stepback


def _close(st: _State, parts: list[str], stepback: str, open_: str, close: str) -> str:
    st.stack.pop()
    indent = st.indent
    st.indent = stepback
    if not parts:
        return open_ + close
    if not st.gap:
        return open_ + ",".join(parts) + close
    sep = ",\n" + indent
    return f"{open_}\n{indent}{sep.join(parts)}\n{stepback}{close}"


def _serialize_object(st: _State, value: JSObject) -> str:
    stepback = _enter(st, value)
    props = value.props
    if st.keys is not None:
        keys = st.keys
    elif type(value) is JSObject:
        keys = [k for k in value.own_property_keys()
                if type(k) is str and (type(props[k]) is not PropertyDescriptor or props[k].enumerable is True)]
    else:
        from .object import enumerable_own_keys
        keys = enumerable_own_keys(value)
    parts: list[str] = []
    colon = ": " if st.gap else ":"
    plain = type(value) is JSObject
    for k in keys:
        v = props.get(k, _ABSENT) if plain else _ABSENT
        if v is _ABSENT or type(v) is PropertyDescriptor:
            s = _serialize_property(st, k, value)
        else:
            s = _serialize_value(st, k, value, v)
        if s is not None:
            parts.append(quote_json_string(k) + colon + s)
    return _close(st, parts, stepback, "{", "}")


_ABSENT = object()


def _serialize_array(st: _State, value: JSArray) -> str:
    stepback = _enter(st, value)
    from ..operations import spend_steps
    from .array import length_of
    n = length_of(value)
    spend_steps(st.realm.budget, n)
    parts: list[str] = []
    dense = type(value) is JSArray      # an own plain element is what Get returns; holes take the full path
    for i in range(n):
        elems = value.elems if dense else None
        v = elems[i] if elems is not None and i < len(elems) else _ABSENT
        if v is _ABSENT or v is HOLE or type(v) is PropertyDescriptor:
            s = _serialize_property(st, str(i), value)
        else:
            s = _serialize_value(st, str(i), value, v)
        parts.append("null" if s is None else s)
    return _close(st, parts, stepback, "[", "]")


def json_stringify(realm: Any, value: Any, replacer: Any = UNDEFINED, space: Any = UNDEFINED) -> Any:
    """JSON.stringify; returns a JS string or UNDEFINED."""
    fn = None
    keys: list[str] | None = None
    if isinstance(replacer, JSObject):
        if is_callable(replacer):
            fn = replacer
        elif isinstance(replacer, JSArray):
            from .array import length_of
            keys = []
            seen: set[str] = set()
            for i in range(length_of(replacer)):
                v = replacer.get(str(i))
                item: str | None = None
                if type(v) is str:
                    item = v
                elif type(v) is float:
                    item = to_string(v)
                elif isinstance(v, JSPrimitiveObject) and type(v.value) in (str, float):
                    item = to_string(v)
                if item is not None and item not in seen:
                    seen.add(item)
                    keys.append(item)
    if isinstance(space, JSPrimitiveObject):
        if type(space.value) is float:
            space = to_number(space)
        elif type(space.value) is str:
            space = to_string(space)
    if type(space) is float:
        n = min(10.0, to_integer_or_infinity(space))
        gap = " " * int(n) if n >= 1 else ""
    elif type(space) is str:
        gap = space[:10]
    else:
        gap = ""
    st = _State(realm, fn, keys, gap)
    wrapper = realm.new_object()
    wrapper.props[""] = value
    out = _serialize_value(st, "", wrapper, value)
    if out is None:
        return UNDEFINED
    from .string import check_string_length, held_string
    check_string_length(len(out), realm)
    return held_string(realm, out)


def _stringify(realm: Any, this: Any, args: list[Any]) -> Any:
    return json_stringify(realm, arg(args, 0), arg(args, 1), arg(args, 2))


def install(realm: Any) -> None:
    j = realm.new_object()
    define_members(realm, j, [("parse", _parse, 2), ("stringify", _stringify, 3)])
    raw_props(j)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="JSON", writable=False, enumerable=False,
                                                         configurable=True)
    realm.intrinsics["%JSON%"] = j
    realm.global_object.define("JSON", j)
