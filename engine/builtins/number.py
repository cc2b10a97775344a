"""Number (https://tc39.es/ecma262/#sec-number-objects): constructor, statics, and the exact formatting methods.

toFixed/toExponential/toPrecision work on the exact binary value of the double (``decimal.Decimal(x)`` is exact),
rounding half up as the spec's "pick the larger n" rule says, so ``(1.005).toFixed(2)`` is ``"1.00"`` like in V8.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..errors import JSRangeError, JSTypeError
from ..operations import _digits as shortest_digits, number_to_string, to_int32, to_integer_or_infinity, to_numeric, to_string
from ..values import UNDEFINED, JSBigInt, JSPrimitiveObject, PropertyDescriptor
from . import arg, define_members, make_constructor, proto_from_constructor, raw_props

__all__ = ["install", "parse_int", "parse_float", "to_fixed", "to_exponential", "to_precision", "this_number_value"]

_WS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f" \
      "\u205f\u3000\ufeff"
_FLOAT_RE = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_FLOAT_NO_EXP_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def this_number_value(this: Any) -> float:
    """thisNumberValue: a number or a Number wrapper, else TypeError."""
    if type(this) is float:
        return this
    if isinstance(this, JSPrimitiveObject) and type(this.value) is float:
        return this.value
    raise JSTypeError("Number.prototype method called on incompatible receiver")


# -- parseInt / parseFloat (also the globals when global_functions does not provide them)


def parse_int(s: str, radix: Any = UNDEFINED) -> float:
    """parseInt (https://tc39.es/ecma262/#sec-parseint-string-radix) on an already converted string."""
    s = s.lstrip(_WS)
    sign = 1.0
    if s[:1] == "-":
        sign = -1.0
    if s[:1] in ("-", "+"):
        s = s[1:]
    r = to_int32(radix)
    strip_prefix = True
    if r != 0:
        if r < 2 or r > 36:
            return math.nan
        if r != 16:
            strip_prefix = False
    else:
        r = 10
    if strip_prefix and s[:2] in ("0x", "0X"):
        s = s[2:]
        r = 16
    valid = _DIGITS[:r]
    end = 0
    while end < len(s) and s[end].lower() in valid and s[end].isascii():
        end += 1
    if end == 0:
        return math.nan
    digits = s[:end]
    try:
        value = float(int(digits, r))
    except OverflowError:
        value = math.inf
    except ValueError:  # more digits than Python's int-string conversion limit: approximate, as the spec allows
        try:
            value = float(digits) if r == 10 else float(int(digits[:64], r)) * float(r) ** (len(digits) - 64)
        except OverflowError:
            value = math.inf
    return sign * value


def parse_float(s: str) -> float:
    """parseFloat (https://tc39.es/ecma262/#sec-parsefloat-string)."""
    s = s.lstrip(_WS)
    m = _FLOAT_RE.match(s)
    if not m:
        return math.nan
    text = m.group(0)
    if text.endswith("Infinity"):
        return -math.inf if text[0] == "-" else math.inf
    try:
        return float(text)
    except (ValueError, OverflowError):  # a dangling exponent like "1e" is matched without it below
        m2 = _FLOAT_NO_EXP_RE.match(s)
        return float(m2.group(0)) if m2 else math.nan


def _parse_int_fn(realm: Any, this: Any, args: list[Any]) -> Any:
    return parse_int(to_string(arg(args, 0)), arg(args, 1))


def _parse_float_fn(realm: Any, this: Any, args: list[Any]) -> Any:
    return parse_float(to_string(arg(args, 0)))


# -- exact formatting


def _round_half_up(d: Decimal) -> int:
    return int(d.to_integral_value(rounding=ROUND_HALF_UP))


def to_fixed(x: float, f: int) -> str:
    """Number.prototype.toFixed for finite ``x`` and 0 <= f <= 100."""
    if abs(x) >= 1e21:
        return number_to_string(x)
    sign = ""
    if x < 0:
        sign, x = "-", -x
    with localcontext() as ctx:
        ctx.prec = 1200
        n = _round_half_up(Decimal(x) * (Decimal(10) ** f))
    m = "0" if n == 0 else str(n)
    if f != 0:
        k = len(m)
        if k <= f:
            m = "0" * (f + 1 - k) + m
            k = f + 1
        m = m[:k - f] + "." + m[k - f:]
    return sign + m


def _digits_exp(x: float, p: int) -> tuple[str, int]:
    """``p`` significant digits ``n`` and exponent ``e`` with n × 10^(e−p+1) closest to x > 0 (ties: larger n)."""
    with localcontext() as ctx:
        ctx.prec = 1200
        d = Decimal(x)
        e = d.adjusted()
        n = _round_half_up(d.scaleb(p - 1 - e))
        if n >= 10 ** p:
            e += 1
            n = _round_half_up(d.scaleb(p - 1 - e))
    return str(n), e


def to_exponential(x: float, f: int | None) -> str:
    """Number.prototype.toExponential for finite ``x``; ``f`` None means as many digits as needed."""
    sign = ""
    if x < 0:
        sign, x = "-", -x
    if x == 0:
        digits = "0" * ((f or 0) + 1)
        e = 0
    elif f is None:
        digits, n = shortest_digits(x)
        e = n - 1
    else:
        digits, e = _digits_exp(x, f + 1)
    m = digits if len(digits) == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{m}e{'+' if e >= 0 else '-'}{abs(e)}"


def to_precision(x: float, p: int) -> str:
    """Number.prototype.toPrecision for finite ``x`` and 1 <= p <= 100."""
    sign = ""
    if x < 0:
        sign, x = "-", -x
    if x == 0:
        m, e = "0" * p, 0
    else:
        m, e = _digits_exp(x, p)
        if e < -6 or e >= p:
            body = m if p == 1 else m[0] + "." + m[1:]
            return f"{sign}{body}e{'+' if e >= 0 else '-'}{abs(e)}"
    if e == p - 1:
        return sign + m
    if e >= 0:
        return sign + m[:e + 1] + "." + m[e + 1:]
    return sign + "0." + "0" * (-(e + 1)) + m


def _to_fixed(realm: Any, this: Any, args: list[Any]) -> Any:
    x = this_number_value(this)
    f = to_integer_or_infinity(arg(args, 0))
    if not math.isfinite(f) or f < 0 or f > 100:
        raise JSRangeError("toFixed() digits argument must be between 0 and 100")
    if not math.isfinite(x):
        return number_to_string(x)
    return to_fixed(x, int(f))


def _to_exponential(realm: Any, this: Any, args: list[Any]) -> Any:
    x = this_number_value(this)
    fd = arg(args, 0)
    f = to_integer_or_infinity(fd)
    if not math.isfinite(x):
        return number_to_string(x)
    if not math.isfinite(f) or f < 0 or f > 100:
        raise JSRangeError("toExponential() argument must be between 0 and 100")
    return to_exponential(x, None if fd is UNDEFINED else int(f))


def _to_precision(realm: Any, this: Any, args: list[Any]) -> Any:
    x = this_number_value(this)
    pv = arg(args, 0)
    if pv is UNDEFINED:
        return number_to_string(x)
    p = to_integer_or_infinity(pv)
    if not math.isfinite(x):
        return number_to_string(x)
    if not math.isfinite(p) or p < 1 or p > 100:
        raise JSRangeError("toPrecision() argument must be between 1 and 100")
    return to_precision(x, int(p))


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    x = this_number_value(this)
    rv = arg(args, 0)
    radix = 10.0 if rv is UNDEFINED else to_integer_or_infinity(rv)
    if radix < 2 or radix > 36:
        raise JSRangeError("toString() radix must be between 2 and 36")
    return number_to_string(x, int(radix))


def _to_locale_string(realm: Any, this: Any, args: list[Any]) -> Any:
    return number_to_string(this_number_value(this))


def _value_of(realm: Any, this: Any, args: list[Any]) -> Any:
    return this_number_value(this)


# -- constructor and statics


def _to_number_arg(args: list[Any]) -> float:
    if not args:
        return 0.0
    prim = to_numeric(args[0])
    if type(prim) is JSBigInt:
        return float(prim.value)
    return prim


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    return _to_number_arg(args)


def _construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    n = _to_number_arg(args)
    return JSPrimitiveObject(proto_from_constructor(realm, new_target, "%Number.prototype%"), n)


def _is_finite(realm: Any, this: Any, args: list[Any]) -> Any:
    v = arg(args, 0)
    return type(v) is float and math.isfinite(v)


def _is_integer(realm: Any, this: Any, args: list[Any]) -> Any:
    v = arg(args, 0)
    return type(v) is float and math.isfinite(v) and v == math.trunc(v)


def _is_nan(realm: Any, this: Any, args: list[Any]) -> Any:
    v = arg(args, 0)
    return type(v) is float and v != v


def _is_safe_integer(realm: Any, this: Any, args: list[Any]) -> Any:
    v = arg(args, 0)
    return type(v) is float and math.isfinite(v) and v == math.trunc(v) and abs(v) <= 2.0 ** 53 - 1


PROTOTYPE_MEMBERS = [
    ("toExponential", _to_exponential, 1), ("toFixed", _to_fixed, 1), ("toLocaleString", _to_locale_string, 0),
    ("toPrecision", _to_precision, 1), ("toString", _to_string, 1), ("valueOf", _value_of, 0),
]
STATIC_MEMBERS = [
    ("isFinite", _is_finite, 1), ("isInteger", _is_integer, 1), ("isNaN", _is_nan, 1),
    ("isSafeInteger", _is_safe_integer, 1),
]
CONSTANTS = {
    "EPSILON": 2.0 ** -52, "MAX_SAFE_INTEGER": 2.0 ** 53 - 1, "MIN_SAFE_INTEGER": -(2.0 ** 53 - 1),
    "MAX_VALUE": 1.7976931348623157e308, "MIN_VALUE": 5e-324, "NaN": math.nan, "NEGATIVE_INFINITY": -math.inf,
    "POSITIVE_INFINITY": math.inf,
}


def install(realm: Any) -> None:
    proto = JSPrimitiveObject(realm.object_prototype, 0.0)
    ctor = make_constructor(realm, "Number", 1, _call, _construct, proto)
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    define_members(realm, ctor, STATIC_MEMBERS)
    for name, value in CONSTANTS.items():
        raw_props(ctor)[name] = PropertyDescriptor(value=value, writable=False, enumerable=False, configurable=False)
    # Number.parseInt/parseFloat are the same function objects as the globals (when those exist already).
    for name, fn, length in (("parseInt", _parse_int_fn, 2), ("parseFloat", _parse_float_fn, 1)):
        existing = realm.intrinsics.get(f"%{name}%")
        if existing is None:
            define_members(realm, ctor, [(name, fn, length)])
        else:
            raw_props(ctor)[name] = PropertyDescriptor(value=existing, writable=True, enumerable=False,
                                                       configurable=True)
