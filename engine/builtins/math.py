"""Math (https://tc39.es/ecma262/#sec-math-object): IEEE results with JS's edge cases (−0, NaN, ±Infinity).

Python's ``math`` raises on domain/overflow errors where JS returns NaN/Infinity; the wrappers here map those.
``Math.random`` uses one ``random.Random`` per realm so a session can seed it (``set_random_seed``).
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable

import numpy as np

from ..operations import to_number, to_uint32
from ..values import SYM_TO_STRING_TAG, PropertyDescriptor
from . import arg, define_members, raw_props

__all__ = ["install", "js_pow", "js_round", "set_random_seed"]

INF = math.inf


def set_random_seed(realm: Any, seed: Any) -> None:
    """Make ``Math.random`` of ``realm`` reproducible (the runtime may call this for deterministic sessions)."""
    realm.builtin_state["random"] = random.Random(seed)


def js_pow(b: float, e: float) -> float:
    """Number::exponentiate (https://tc39.es/ecma262/#sec-numeric-types-number-exponentiate)."""
    if e != e:
        return math.nan
    if e == 0:
        return 1.0
    if b != b:
        return math.nan
    if abs(b) == 1 and math.isinf(e):
        return math.nan
    try:
        return math.pow(b, e)
    except ZeroDivisionError:
        return INF
    except ValueError:
        if b == 0:  # 0 ** negative
            odd = e == math.trunc(e) and math.fmod(e, 2) != 0
            return -INF if odd and math.copysign(1, b) < 0 else INF
        return math.nan
    except OverflowError:
        odd = e == math.trunc(e) and math.fmod(e, 2) != 0
        if abs(b) < 1:  # tiny base, negative exponent
            return -INF if odd and b < 0 else INF
        return -INF if odd and b < 0 else INF


def js_round(x: float) -> float:
    """Math.round: halves round towards +Infinity; −0 for −0.5 <= x < 0."""
    if not math.isfinite(x) or x == 0:
        return x
    if -0.5 <= x < 0:
        return -0.0
    r = math.floor(x)
    if x - r >= 0.5:
        r += 1
    return float(r)


def _unary(fn: Callable[[float], float], on_error: Callable[[float], float] | None = None
           ) -> Callable[[Any, Any, list], Any]:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        x = to_number(arg(args, 0))
        try:
            return float(fn(x))
        except (ValueError, OverflowError, ZeroDivisionError):
            return on_error(x) if on_error else math.nan
    return method


def _keep_special(fn: Callable[[float], float]) -> Callable[[float], float]:
    """Integral functions: NaN, ±Infinity and ±0 come back unchanged; a zero result keeps the input's sign."""
    def wrapped(x: float) -> float:
        if not math.isfinite(x) or x == 0:
            return x
        r = float(fn(x))
        return math.copysign(0.0, x) if r == 0 else r
    return wrapped


def _log_error(x: float) -> float:
    return -INF if x == 0 else math.nan


def _atanh_error(x: float) -> float:
    return math.copysign(INF, x) if abs(x) == 1 else math.nan


def _overflow_inf(x: float) -> float:
    return INF if x > 0 else math.nan


def _sinh_error(x: float) -> float:
    return math.copysign(INF, x)


def _ceil(x: float) -> float:
    r = float(math.ceil(x))
    return -0.0 if r == 0 and x < 0 else r


def _sign(x: float) -> float:
    if x != x or x == 0:
        return x
    return 1.0 if x > 0 else -1.0


def _fround(x: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.float32(x))


def _cbrt(x: float) -> float:
    if not math.isfinite(x) or x == 0:
        return x
    r = math.cbrt(x)
    near = round(r)
    return float(near) if near ** 3 == x else r


def _exp(x: float) -> float:
    if x == -INF:
        return 0.0
    return math.exp(x)


def _expm1(x: float) -> float:
    if x == -INF:
        return -1.0
    return math.expm1(x)


def _trig(fn: Callable[[float], float]) -> Callable[[float], float]:
    def wrapped(x: float) -> float:
        if math.isinf(x):
            return math.nan
        return fn(x)
    return wrapped


def _abs(realm: Any, this: Any, args: list[Any]) -> Any:
    return abs(to_number(arg(args, 0)))


def _atan2(realm: Any, this: Any, args: list[Any]) -> Any:
    y = to_number(arg(args, 0))
    x = to_number(arg(args, 1))
    if y != y or x != x:
        return math.nan
    return math.atan2(y, x)


def _clz32(realm: Any, this: Any, args: list[Any]) -> Any:
    return float(32 - to_uint32(arg(args, 0)).bit_length())


def _imul(realm: Any, this: Any, args: list[Any]) -> Any:
    a = to_uint32(arg(args, 0))
    b = to_uint32(arg(args, 1))
    r = (a * b) & 0xFFFFFFFF
    return float(r - 0x100000000 if r >= 0x80000000 else r)


def _hypot(realm: Any, this: Any, args: list[Any]) -> Any:
    nums = [to_number(a) for a in args]
    if any(math.isinf(n) for n in nums):
        return INF
    if any(n != n for n in nums):
        return math.nan
    if not nums:
        return 0.0
    return math.hypot(*nums)


def _max(realm: Any, this: Any, args: list[Any]) -> Any:
    nums = [to_number(a) for a in args]
    best = -INF
    for n in nums:
        if n != n:
            return math.nan
        if n > best or (n == 0 and best == 0 and math.copysign(1, best) < 0):
            best = n
    return best


def _min(realm: Any, this: Any, args: list[Any]) -> Any:
    nums = [to_number(a) for a in args]
    best = INF
    for n in nums:
        if n != n:
            return math.nan
        if n < best or (n == 0 and best == 0 and math.copysign(1, n) < 0):
            best = n
    return best


def _pow(realm: Any, this: Any, args: list[Any]) -> Any:
    b = to_number(arg(args, 0))
    e = to_number(arg(args, 1))
    return js_pow(b, e)


def _random(realm: Any, this: Any, args: list[Any]) -> Any:
    rng = realm.builtin_state.get("random")
    if rng is None:
        rng = realm.builtin_state["random"] = random.Random()
    return rng.random()


def _round(realm: Any, this: Any, args: list[Any]) -> Any:
    return js_round(to_number(arg(args, 0)))


MEMBERS = [
    ("abs", _abs, 1),
    ("acos", _unary(math.acos), 1),
    ("acosh", _unary(math.acosh), 1),
    ("asin", _unary(math.asin), 1),
    ("asinh", _unary(lambda x: x if x == 0 or math.isinf(x) else math.asinh(x)), 1),
    ("atan", _unary(math.atan), 1),
    ("atanh", _unary(lambda x: x if x == 0 else math.atanh(x), _atanh_error), 1),
    ("atan2", _atan2, 2),
    ("cbrt", _unary(_cbrt), 1),
    ("ceil", _unary(_keep_special(_ceil)), 1),
    ("clz32", _clz32, 1),
    ("cos", _unary(_trig(math.cos)), 1),
    ("cosh", _unary(math.cosh, lambda x: INF), 1),
    ("exp", _unary(_exp, _overflow_inf), 1),
    ("expm1", _unary(_expm1, _overflow_inf), 1),
    ("floor", _unary(_keep_special(math.floor)), 1),
    ("fround", _unary(_fround), 1),
    ("hypot", _hypot, 2),
    ("imul", _imul, 2),
    ("log", _unary(math.log, _log_error), 1),
    ("log1p", _unary(lambda x: x if x == 0 else math.log1p(x), lambda x: -INF if x == -1 else math.nan), 1),
    ("log10", _unary(math.log10, _log_error), 1),
    ("log2", _unary(math.log2, _log_error), 1),
    ("max", _max, 2),
    ("min", _min, 2),
    ("pow", _pow, 2),
    ("random", _random, 0),
    ("round", _round, 1),
    ("sign", _unary(_sign), 1),
    ("sin", _unary(_trig(lambda x: x if x == 0 else math.sin(x))), 1),
    ("sinh", _unary(lambda x: x if x == 0 else math.sinh(x), _sinh_error), 1),
    ("sqrt", _unary(lambda x: x if x == 0 else math.sqrt(x)), 1),
    ("tan", _unary(_trig(lambda x: x if x == 0 else math.tan(x))), 1),
    ("tanh", _unary(lambda x: x if x == 0 else math.tanh(x)), 1),
    ("trunc", _unary(_keep_special(math.trunc)), 1),
]
CONSTANTS = {
    "E": math.e, "LN10": math.log(10), "LN2": math.log(2), "LOG10E": math.log10(math.e), "LOG2E": math.log2(math.e),
    "PI": math.pi, "SQRT1_2": math.sqrt(0.5), "SQRT2": math.sqrt(2),
}


def install(realm: Any) -> None:
    m = realm.new_object()
    for name, value in CONSTANTS.items():
        raw_props(m)[name] = PropertyDescriptor(value=value, writable=False, enumerable=False, configurable=False)
    define_members(realm, m, MEMBERS)
    raw_props(m)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="Math", writable=False, enumerable=False,
                                                         configurable=True)
    realm.intrinsics["%Math%"] = m
    realm.global_object.define("Math", m)
