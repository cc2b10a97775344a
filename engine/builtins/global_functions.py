"""The global object's value properties and functions: globalThis, NaN, Infinity, undefined, parseInt,
parseFloat, isNaN, isFinite, the URI functions and (indirect) eval (https://tc39.es/ecma262/#sec-global-object)."""

from __future__ import annotations

import math
from typing import Any

from ..errors import JSErrorFromHost
from ..operations import to_number, to_string
from ..values import UNDEFINED, PropertyDescriptor
from . import arg, define_members, lazy_member_value, raw_props
from .number import parse_float, parse_int

__all__ = ["install", "MEMBERS"]


class JSURIError(JSErrorFromHost):
    js_constructor = "URIError"


def _parse_int(realm: Any, this: Any, args: list[Any]) -> Any:
    return parse_int(to_string(arg(args, 0)), arg(args, 1))


def _parse_float(realm: Any, this: Any, args: list[Any]) -> Any:
    return parse_float(to_string(arg(args, 0)))


def _is_nan(realm: Any, this: Any, args: list[Any]) -> Any:
    n = to_number(arg(args, 0))
    return n != n


def _is_finite(realm: Any, this: Any, args: list[Any]) -> Any:
    n = to_number(arg(args, 0))
    return not (n != n or n in (math.inf, -math.inf))


_URI_RESERVED = ";/?:@&=+$,"
_URI_UNESCAPED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()"


def _encode(s: str, keep: str) -> str:
    out = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c in keep:
            out.append(c)
            i += 1
            continue
        cp = ord(c)
        if 0xDC00 <= cp <= 0xDFFF:
            raise JSURIError("URI malformed")
        if 0xD800 <= cp <= 0xDBFF:
            if i + 1 >= n or not (0xDC00 <= ord(s[i + 1]) <= 0xDFFF):
                raise JSURIError("URI malformed")
            cp = 0x10000 + ((cp - 0xD800) << 10) + (ord(s[i + 1]) - 0xDC00)
            i += 1
        out.extend(f"%{b:02X}" for b in chr(cp).encode("utf-8"))
        i += 1
    return "".join(out)


def _decode(s: str, reserved: str) -> str:
    out = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        start = i
        if i + 3 > n:
            raise JSURIError("URI malformed")
        try:
            b = int(s[i + 1:i + 3], 16)
        except ValueError:
            raise JSURIError("URI malformed") from None
        if not all(ch in "0123456789abcdefABCDEF" for ch in s[i + 1:i + 3]):
            raise JSURIError("URI malformed")
        i += 3
        if b < 0x80:
            ch = chr(b)
            out.append(s[start:i] if ch in reserved else ch)
            continue
        if b & 0xE0 == 0xC0:
            k = 2
        elif b & 0xF0 == 0xE0:
            k = 3
        elif b & 0xF8 == 0xF0:
            k = 4
        else:
            raise JSURIError("URI malformed")
        octets = [b]
        for _ in range(k - 1):
            if i + 3 > n or s[i] != "%":
                raise JSURIError("URI malformed")
            hx = s[i + 1:i + 3]
            if not all(ch in "0123456789abcdefABCDEF" for ch in hx):
                raise JSURIError("URI malformed")
            nb = int(hx, 16)
            if nb & 0xC0 != 0x80:
                raise JSURIError("URI malformed")
            octets.append(nb)
            i += 3
        try:
            text = bytes(octets).decode("utf-8")
        except UnicodeDecodeError:
            raise JSURIError("URI malformed") from None
        cp = ord(text)
        if cp >= 0x10000:
            cp -= 0x10000
            out.append(chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF)))
        else:
            out.append(text)
    return "".join(out)


def _encode_uri_component(realm: Any, this: Any, args: list[Any]) -> Any:
    return _encode(to_string(arg(args, 0)), _URI_UNESCAPED)


def _encode_uri(realm: Any, this: Any, args: list[Any]) -> Any:
    return _encode(to_string(arg(args, 0)), _URI_UNESCAPED + _URI_RESERVED + "#")


def _decode_uri_component(realm: Any, this: Any, args: list[Any]) -> Any:
    return _decode(to_string(arg(args, 0)), "")


def _decode_uri(realm: Any, this: Any, args: list[Any]) -> Any:
    return _decode(to_string(arg(args, 0)), _URI_RESERVED + "#")


def _eval(realm: Any, this: Any, args: list[Any]) -> Any:
    from ..script import indirect_eval
    return indirect_eval(realm, arg(args, 0))


MEMBERS = [
    ("parseInt", _parse_int, 2), ("parseFloat", _parse_float, 1), ("isNaN", _is_nan, 1),
    ("isFinite", _is_finite, 1), ("encodeURIComponent", _encode_uri_component, 1), ("encodeURI", _encode_uri, 1),
    ("decodeURIComponent", _decode_uri_component, 1), ("decodeURI", _decode_uri, 1), ("eval", _eval, 1),
]


def install(realm: Any) -> None:
    g = realm.global_object
    for name, value in (("NaN", math.nan), ("Infinity", math.inf), ("undefined", UNDEFINED)):
        raw_props(g)[name] = PropertyDescriptor(value=value, writable=False, enumerable=False, configurable=False)
    g.define("globalThis", g)
    define_members(realm, g, MEMBERS)
    realm.intrinsics["%parseInt%"] = lazy_member_value(g, "parseInt")
    realm.intrinsics["%eval%"] = lazy_member_value(g, "eval")      # a call of this is a direct eval
    realm.intrinsics["%parseFloat%"] = lazy_member_value(g, "parseFloat")
