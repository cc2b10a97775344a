"""Unary, binary, update and compound-assignment operators with ``type(x) is float`` fast paths."""

from __future__ import annotations

import math
from typing import Any, Callable

from ..errors import JSRangeError, JSTypeError
from ..operations import (
    js_add, js_div, js_less_than, js_mod, loose_equals, strict_equals, to_int32, to_numeric, to_property_key,
    to_uint32, typeof,
)
from ..values import UNDEFINED, JSBigInt, JSObject

__all__ = ["BINARY", "binary_op", "js_pow", "numeric_op", "to_num", "ARITH"]


def to_num(v: Any) -> float:
    n = to_numeric(v)
    if type(n) is JSBigInt:
        raise JSTypeError("Cannot mix BigInt and other types, use explicit conversions")
    return n


def js_pow(a: float, b: float) -> float:
    if b != b:
        return math.nan
    if b == 0:
        return 1.0
    if (a == 1.0 or a == -1.0) and b in (math.inf, -math.inf):
        return math.nan
    try:
        r = a ** b
    except ZeroDivisionError:
        if math.copysign(1.0, a) < 0 and b == int(b) and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    except OverflowError:
        if a < 0 and b == int(b) and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    if type(r) is complex:
        return math.nan
    return r


def _sub(a: float, b: float) -> float:
    return a - b


def _mul(a: float, b: float) -> float:
    return a * b


def _shl(a: float, b: float) -> float:
    r = (to_int32(a) << (to_uint32(b) & 31)) & 0xFFFFFFFF
    return float(r - 0x100000000 if r >= 0x80000000 else r)


def _sar(a: float, b: float) -> float:
    return float(to_int32(a) >> (to_uint32(b) & 31))


def _shr(a: float, b: float) -> float:
    return float(to_uint32(a) >> (to_uint32(b) & 31))


def _band(a: float, b: float) -> float:
    return float(to_int32(a) & to_int32(b))


def _bor(a: float, b: float) -> float:
    return float(to_int32(a) | to_int32(b))


def _bxor(a: float, b: float) -> float:
    return float(to_int32(a) ^ to_int32(b))


ARITH: dict[str, Callable[[float, float], float]] = {
    "-": _sub, "*": _mul, "/": js_div, "%": js_mod, "**": js_pow, "<<": _shl, ">>": _sar, ">>>": _shr,
    "&": _band, "|": _bor, "^": _bxor,
}


def _bigint_op(op: str, a: JSBigInt, b: JSBigInt) -> JSBigInt:
    x, y = a.value, b.value
    if op == "-":
        return JSBigInt(x - y)
    if op == "*":
        return JSBigInt(x * y)
    if op in ("/", "%"):
        if y == 0:
            raise JSRangeError("Division by zero")
        q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
        return JSBigInt(q if op == "/" else x - q * y)
    if op == "**":
        if y < 0:
            raise JSRangeError("Exponent must be non-negative")
        return JSBigInt(x ** y)
    if op == "&":
        return JSBigInt(x & y)
    if op == "|":
        return JSBigInt(x | y)
    if op == "^":
        return JSBigInt(x ^ y)
    if op == "<<":
        return JSBigInt(x << y if y >= 0 else x >> -y)
    if op == ">>":
        return JSBigInt(x >> y if y >= 0 else x << -y)
    raise JSTypeError("BigInts have no unsigned right shift, use >> instead")


def numeric_op(op: str, a: Any, b: Any) -> Any:
    """The slow path of an arithmetic operator: ToNumeric both sides, then the Number or BigInt operation."""
    x = to_numeric(a)
    y = to_numeric(b)
    if type(x) is JSBigInt or type(y) is JSBigInt:
        if type(x) is JSBigInt and type(y) is JSBigInt:
            return _bigint_op(op, x, y)
        raise JSTypeError("Cannot mix BigInt and other types, use explicit conversions")
    return ARITH[op](x, y)


def _lt(a: Any, b: Any) -> bool:
    r = js_less_than(a, b)
    return r is True


def _gt(a: Any, b: Any) -> bool:
    r = js_less_than(b, a, False)
    return r is True


def _le(a: Any, b: Any) -> bool:
    r = js_less_than(b, a, False)
    return r is False


def _ge(a: Any, b: Any) -> bool:
    r = js_less_than(a, b)
    return r is False


def binary_op(op: str, realm: Any) -> Callable[[Any, Any], Any]:
    """The general (slow-path) implementation of a binary operator, closed over the realm."""
    if op == "+":
        return js_add
    if op in ARITH:
        return lambda a, b: numeric_op(op, a, b)
    if op == "==":
        return loose_equals
    if op == "!=":
        return lambda a, b: not loose_equals(a, b)
    if op == "===":
        return strict_equals
    if op == "!==":
        return lambda a, b: not strict_equals(a, b)
    if op == "<":
        return _lt
    if op == ">":
        return _gt
    if op == "<=":
        return _le
    if op == ">=":
        return _ge
    if op == "instanceof":
        from ..builtins.function import instance_of
        return instance_of
    if op == "in":
        def has(a: Any, b: Any) -> bool:
            if not isinstance(b, JSObject):
                raise JSTypeError(f"Cannot use 'in' operator to search for '{realm.display(a)}' in "
                                  f"{realm.display(b)}")
            return b.has_property(to_property_key(a))
        return has
    raise JSTypeError(f"unknown operator {op}")


BINARY = binary_op
_ = (typeof, UNDEFINED)
