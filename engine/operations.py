"""Abstract operations of ECMA-262 §7 that need no realm: type conversion, comparison, Number::toString.

Operations that create objects (ToObject, iterators, arrays) take the realm as their first argument and live in
``realm.py``; everything here is pure and raises ``JSTypeError``/``JSRangeError`` for the caller's realm to convert.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any, Iterator

from .errors import JSRangeError, JSTypeError
from .values import (
    MISSING, SYM_TO_PRIMITIVE, UNDEFINED, JSBigInt, JSFunction, JSObject, JSPrimitiveObject, JSSymbol,
    PropertyDescriptor,
)

__all__ = [
    "typeof", "to_boolean", "to_number", "to_numeric", "to_string", "to_primitive", "to_property_key",
    "to_integer_or_infinity", "to_int32", "to_uint32", "to_uint16", "to_length", "to_index", "number_to_string",
    "string_to_number", "same_value", "same_value_zero", "strict_equals", "loose_equals", "js_add", "js_less_than",
    "get_method", "call_function", "js_mod", "js_div", "is_array_index_key", "canonical_numeric_index",
    "property_key_to_display", "to_display", "spend_steps", "charged_range", "BIG_STRING", "big_string",
    "append_string", "BIG_ARRAY", "SLOT_BYTES", "charge_string", "charge_array",
]

INF = math.inf


def spend_steps(budget: Any, n: int) -> None:
    """Charge ``n`` steps of ``budget`` for a built-in about to loop ``n`` times in Python.

    Why: compiled code spends a step per loop back-edge and call, but a built-in walking ``length`` elements
    (``indexOf`` on ``Array(2**32 - 1)``, ``Reflect.ownKeys(a)`` in a loop that grows ``a``) would otherwise do
    unbounded work for free; charged up front, it ends the task with ``BudgetExceeded`` before the work starts.
    """
    if n > 0:
        budget.left -= n
        if budget.left < 0:
            budget.spent()


_CHUNK = 1024


def charged_range(budget: Any, *bounds: int) -> Iterator[int]:
    """``range(*bounds)`` that spends a step per index, charged a chunk at a time as the loop goes.

    Why: a built-in that may stop early (``indexOf`` finding index 0 of an object whose ``length`` is 2**32, a
    callback that throws) must not be charged for elements it never visits, yet a loop that does run on must end
    with ``BudgetExceeded`` like compiled JS would.
    """
    r = range(*bounds)
    for first in range(0, len(r), _CHUNK):
        chunk = r[first:first + _CHUNK]
        spend_steps(budget, len(chunk))
        yield from chunk


#: ``+`` / ``+=`` results at least this long go through ``big_string`` (length limit and memory account); shorter
#: ones cost the hot path one compare.
BIG_STRING = 1 << 16


def big_string(budget: Any, total: int, grown: int) -> bool:
    """A ``+``/``+=`` is about to make a string of ``total`` characters, ``grown`` of them new memory: False when
    ``total`` is over ``budget.max_string_length`` (the caller throws its ``RangeError`` with its location), else the
    bytes are charged to the memory account (which may end the task) and it may go ahead.

    Why before the copy: ``s += s`` doubling to the limit spends one step per doubling and copies hundreds of MB
    in one piece that no time slice can cut; checked first, the failing copy (twice the limit) never happens, and
    big strings kept on (``a.push(s + i)``) reach the memory budget instead of the machine's memory.
    """
    if total > budget.max_string_length:
        return False
    budget.charge(grown)
    return True


def append_string(budget: Any, v: str, r: str) -> bool:
    """``big_string`` for ``v += r`` (``v`` held by its variable's slot or property and the compiled code's local).

    Append sites call it only for a piece longer than ``BIG_STRING`` (smaller ones are length-checked after the
    append, which overshoots the limit by little): appending small pieces to a long string (building it up, in
    place) is free, so that loop keeps its speed. For a big piece, when nothing else holds ``v`` the old string is
    released (CPython even appends in place) and only ``len(r)`` is new memory; when ``v`` is shared (``s += s``)
    the whole copy is charged.
    """
    total = len(v) + len(r)
    if total > budget.max_string_length:
        return False
    budget.memory += len(r) if _getrefcount(v) <= _HELD_ONCE else total
    if budget.memory > budget.max_memory_cap:
        budget.charge(0)
    return True


def charge_string(budget: Any, n: int) -> None:
    """A built-in is about to make a string of ``n`` characters (``repeat``, ``padEnd``, ``join``, ``replace``…):
    ``RangeError`` past ``budget.max_string_length``, and from ``BIG_STRING`` characters on the string is charged
    to the memory account (which may end the task), as ``+`` does.

    Why: ``keep.push('x'.repeat(1e6))`` in a loop was length-checked but free; charged, it ends with ``memory
    budget exceeded`` after a few MB instead of when the step or time cap comes.
    """
    if n > budget.max_string_length:
        raise JSRangeError(f"Invalid string length: {n} characters is over max_string_length "
                           f"({budget.max_string_length})")
    if n > BIG_STRING:
        budget.charge(n)


#: Built-ins that make an array of at least this many elements in one piece (``concat``, ``slice``, ``map``, spread
#: of an array, ``Array.from``, ``split``…) charge it to the memory account, ``SLOT_BYTES`` an element (the slot:
#: the elements themselves are mostly shared, or new objects that the watched heap counts).
BIG_ARRAY = 1 << 16

SLOT_BYTES = 8


def charge_array(budget: Any, n: int, grown: int | None = None) -> None:
    """A built-in is about to make (or has made) an array of ``n`` elements, ``grown`` of them new (default: all):
    ``RangeError`` past ``budget.max_array_length``, and from ``BIG_ARRAY`` elements on the new slots are charged to
    the memory account.

    Why: ``a = a.concat(a)`` or ``a = [...a, ...a]`` doubled the array up to the step or time cap (a step per
    element, hundreds of MB); ``push`` alone kept to ``max_array_length``.
    """
    if n > budget.max_array_length:
        raise JSRangeError(f"Invalid array length: {n} elements is over max_array_length ({budget.max_array_length})")
    if n >= BIG_ARRAY:
        budget.charge((n if grown is None else grown) * SLOT_BYTES)


_getrefcount = sys.getrefcount


def _probe(budget: Any, v: str, r: str) -> int:
    return _getrefcount(v)


def _held_once() -> int:
    holder = ["x" * 100_000]
    v = holder[0]
    return _probe(None, v, "")


#: What ``append_string`` reads for a string held by one container (a variable's slot, a property) and the
#: compiled code's local: the same call shape, measured once (it differs between CPython versions).
_HELD_ONCE = _held_once()


def typeof(v: Any) -> str:
    t = type(v)
    if t is float:
        return "number"
    if t is str:
        return "string"
    if t is bool:
        return "boolean"
    if v is UNDEFINED:
        return "undefined"
    if v is None:
        return "object"
    if isinstance(v, JSFunction):
        return "function"
    if t is JSSymbol:
        return "symbol"
    if t is JSBigInt:
        return "bigint"
    return "object"


def to_boolean(v: Any) -> bool:
    t = type(v)
    if t is bool:
        return v
    if t is float:
        return not (v == 0.0 or v != v)
    if t is str:
        return len(v) > 0
    if v is UNDEFINED or v is None:
        return False
    if t is JSBigInt:
        return v.value != 0
    return True


_WS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DEC_RE = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))\Z")


def string_to_number(s: str) -> float:
    """StringToNumber (https://tc39.es/ecma262/#sec-stringtonumber)."""
    s = s.strip(_WS)
    if not s:
        return 0.0
    if len(s) > 2 and s[0] == "0" and s[1] in "xXoObB":
        base = {"x": 16, "o": 8, "b": 2}[s[1].lower()]
        body = s[2:]
        try:
            if not body.isascii() or "_" in body:
                return math.nan
            return float(int(body, base))
        except ValueError:
            return math.nan
        except OverflowError:
            return INF
    if not s.isascii() or not _DEC_RE.match(s):
        return math.nan
    if s.endswith("Infinity"):
        return -INF if s[0] == "-" else INF
    return float(s)


def to_primitive(v: Any, hint: str = "default") -> Any:
    """ToPrimitive (https://tc39.es/ecma262/#sec-toprimitive)."""
    if not isinstance(v, JSObject):
        return v
    exotic = v.get(SYM_TO_PRIMITIVE)
    if exotic is not UNDEFINED and exotic is not None:
        if not isinstance(exotic, JSFunction):
            raise JSTypeError("Symbol.toPrimitive is not a function")
        r = exotic.call(v, [hint])
        if isinstance(r, JSObject):
            raise JSTypeError("Cannot convert object to primitive value")
        return r
    order = ("toString", "valueOf") if hint == "string" else ("valueOf", "toString")
    for name in order:
        m = v.get(name)
        if isinstance(m, JSFunction):
            r = m.call(v, [])
            if not isinstance(r, JSObject):
                return r
    raise JSTypeError("Cannot convert object to primitive value")


def to_number(v: Any) -> float:
    t = type(v)
    if t is float:
        return v
    if t is str:
        return string_to_number(v)
    if t is bool:
        return 1.0 if v else 0.0
    if v is UNDEFINED:
        return math.nan
    if v is None:
        return 0.0
    if t is JSSymbol:
        raise JSTypeError("Cannot convert a Symbol value to a number")
    if t is JSBigInt:
        raise JSTypeError("Cannot convert a BigInt value to a number")
    if not isinstance(v, JSObject):  # a compiler/host bug: fail loudly instead of recursing forever
        raise TypeError(f"to_number: not a JS value: {type(v).__name__}")
    return to_number(to_primitive(v, "number"))


def to_numeric(v: Any) -> Any:
    p = to_primitive(v, "number") if isinstance(v, JSObject) else v
    if type(p) is JSBigInt:
        return p
    return to_number(p)


def to_integer_or_infinity(v: Any) -> float:
    n = v if type(v) is float else to_number(v)
    if n != n:
        return 0.0
    if n == INF or n == -INF:
        return n
    return float(math.trunc(n)) + 0.0


def to_int32(v: Any) -> int:
    n = v if type(v) is float else to_number(v)
    if n != n or n == INF or n == -INF:
        return 0
    i = int(n) & 0xFFFFFFFF
    return i - 0x100000000 if i >= 0x80000000 else i


def to_uint32(v: Any) -> int:
    n = v if type(v) is float else to_number(v)
    if n != n or n == INF or n == -INF:
        return 0
    return int(n) & 0xFFFFFFFF


def to_uint16(v: Any) -> int:
    n = v if type(v) is float else to_number(v)
    if n != n or n == INF or n == -INF:
        return 0
    return int(n) & 0xFFFF


def to_length(v: Any) -> int:
    n = to_integer_or_infinity(v)
    if n <= 0:
        return 0
    return int(min(n, 2.0 ** 53 - 1))


def to_index(v: Any) -> int:
    if v is UNDEFINED:
        return 0
    n = to_integer_or_infinity(v)
    if n < 0 or n > 2.0 ** 53 - 1:
        from .errors import JSRangeError
        raise JSRangeError("Invalid index")
    return int(n)


def _digits(x: float) -> tuple[str, int]:
    """Shortest round-trip digits ``s`` and exponent ``n`` with x = 0.s × 10^n (x > 0, finite)."""
    r = repr(x)
    if "e" in r:
        mant, exp = r.split("e")
        e = int(exp)
    else:
        mant, e = r, 0
    if "." in mant:
        ip, fp = mant.split(".")
    else:
        ip, fp = mant, ""
    if fp == "0":
        fp = ""
    digits = ip + fp
    n = len(ip) + e
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    return digits, n


def _radix_string(x: float, radix: int) -> str:
    """Number::toString(radix) for finite x != 0, digit for digit as V8's DoubleToRadixCString: fraction digits
    until the value is uniquely identified (delta = half the gap to the next double), round-half-even with carry,
    integer digits exact up to 2**53 and zero-filled beyond."""
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    neg = x < 0
    value = -x if neg else x
    integer = math.floor(value)
    fraction = value - integer
    delta = max(0.5 * (math.nextafter(value, INF) - value), 5e-324)
    frac: list[str] = []
    if fraction >= delta:
        while True:
            fraction *= radix
            delta *= radix
            digit = int(fraction)
            frac.append(chars[digit])
            fraction -= digit
            if fraction > 0.5 or (fraction == 0.5 and (digit & 1)):
                if fraction + delta > 1:
                    while True:          # round up, carrying through the digits already written
                        if not frac:
                            integer += 1
                            break
                        d = chars.index(frac.pop())
                        if d + 1 < radix:
                            frac.append(chars[d + 1])
                            break
                    break
            if fraction < delta:
                break
    int_digits: list[str] = []
    integer = float(integer)
    while math.frexp(integer / radix)[1] - 53 > 0:
        integer /= radix
        int_digits.append("0")
    while True:
        remainder = math.fmod(integer, radix)
        int_digits.append(chars[int(remainder)])
        integer = (integer - remainder) / radix
        if integer <= 0:
            break
    out = "".join(reversed(int_digits))
    if frac:
        out += "." + "".join(frac)
    return "-" + out if neg else out


def number_to_string(x: float, radix: int = 10) -> str:
    """Number::toString (https://tc39.es/ecma262/#sec-numeric-types-number-tostring)."""
    if x != x:
        return "NaN"
    if x == 0.0:
        return "0"
    if x == INF:
        return "Infinity"
    if x == -INF:
        return "-Infinity"
    if radix != 10:
        return _radix_string(x, radix)
    if x < 0:
        return "-" + number_to_string(-x)
    if x < 9007199254740992.0 and x == int(x) and x >= 1:  # exact below 2**53; above, shortest digits
        return str(int(x))
    s, n = _digits(x)
    k = len(s)
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    sign = "+" if e >= 0 else "-"
    if k == 1:
        return f"{s}e{sign}{abs(e)}"
    return f"{s[0]}.{s[1:]}e{sign}{abs(e)}"


def to_string(v: Any) -> str:
    t = type(v)
    if t is str:
        return v
    if t is float:
        if v.is_integer() and -9007199254740992.0 < v < 9007199254740992.0:
            return str(int(v))
        return number_to_string(v)
    if t is bool:
        return "true" if v else "false"
    if v is UNDEFINED:
        return "undefined"
    if v is None:
        return "null"
    if t is JSSymbol:
        raise JSTypeError("Cannot convert a Symbol value to a string")
    if t is JSBigInt:
        return str(v.value)
    if not isinstance(v, JSObject):  # a compiler/host bug: fail loudly instead of recursing forever
        raise TypeError(f"to_string: not a JS value: {type(v).__name__}")
    return to_string(to_primitive(v, "string"))


def to_property_key(v: Any) -> Any:
    t = type(v)
    if t is str:
        return v
    if t is float:
        if v.is_integer() and -9007199254740992.0 < v < 9007199254740992.0:
            return str(int(v))
        return number_to_string(v)
    if t is JSSymbol:
        return v
    p = to_primitive(v, "string")
    if type(p) is JSSymbol:
        return p
    return to_string(p)


def is_array_index_key(key: Any) -> bool:
    from .values import array_index
    return array_index(key) >= 0


def canonical_numeric_index(key: str) -> float | None:
    if key == "-0":
        return -0.0
    n = string_to_number(key)
    if to_string(n) == key:
        return n
    return None


def same_value(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        if a != a:
            return b != b
        if a == 0.0 and b == 0.0:
            return math.copysign(1.0, a) == math.copysign(1.0, b)
        return a == b
    return strict_equals(a, b)


def same_value_zero(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float and a != a:
        return b != b
    return strict_equals(a, b)


def strict_equals(a: Any, b: Any) -> bool:
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is float or ta is str or ta is bool or ta is JSBigInt:
        return a == b
    return a is b


def loose_equals(a: Any, b: Any) -> bool:
    """IsLooselyEqual (https://tc39.es/ecma262/#sec-islooselyequal)."""
    ta, tb = type(a), type(b)
    if ta is tb:
        return strict_equals(a, b)
    a_nullish = a is None or a is UNDEFINED
    b_nullish = b is None or b is UNDEFINED
    if a_nullish or b_nullish:
        return a_nullish and b_nullish
    if ta is float and tb is str:
        return a == string_to_number(b)
    if ta is str and tb is float:
        return string_to_number(a) == b
    if ta is JSBigInt and tb is str or ta is str and tb is JSBigInt:
        n = string_to_number(a if ta is str else b)
        big = a if ta is JSBigInt else b
        return n == n and n.is_integer() and int(n) == big.value
    if ta is bool:
        return loose_equals(1.0 if a else 0.0, b)
    if tb is bool:
        return loose_equals(a, 1.0 if b else 0.0)
    a_obj = isinstance(a, JSObject)
    b_obj = isinstance(b, JSObject)
    if b_obj and not a_obj and (ta in (float, str, JSBigInt, JSSymbol)):
        return loose_equals(a, to_primitive(b))
    if a_obj and not b_obj and (tb in (float, str, JSBigInt, JSSymbol)):
        return loose_equals(to_primitive(a), b)
    if ta is JSBigInt and tb is float or ta is float and tb is JSBigInt:
        x = a if ta is float else b
        big = b if ta is float else a
        return x == x and x not in (INF, -INF) and x == big.value
    return False


def js_add(a: Any, b: Any) -> Any:
    """The ``+`` operator after its fast paths (ApplyStringOrNumericBinaryOperator)."""
    if isinstance(a, JSObject):
        a = to_primitive(a)
    if isinstance(b, JSObject):
        b = to_primitive(b)
    if type(a) is str or type(b) is str:
        return to_string(a) + to_string(b)
    if type(a) is JSBigInt or type(b) is JSBigInt:
        if type(a) is JSBigInt and type(b) is JSBigInt:
            return JSBigInt(a.value + b.value)
        raise JSTypeError("Cannot mix BigInt and other types, use explicit conversions")
    return to_number(a) + to_number(b)


def js_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        neg = (math.copysign(1.0, a) < 0) != (math.copysign(1.0, b) < 0)
        return -INF if neg else INF


def js_mod(a: float, b: float) -> float:
    if b == 0.0 or a != a or b != b or a in (INF, -INF):
        return math.nan
    if b in (INF, -INF):
        return a
    if a == 0.0:
        return a
    r = math.fmod(a, b)
    if r == 0.0:
        return math.copysign(0.0, a)
    return r


def js_less_than(a: Any, b: Any, left_first: bool = True) -> Any:
    """IsLessThan: True, False, or UNDEFINED (a NaN was involved)."""
    if left_first:
        px = to_primitive(a, "number")
        py = to_primitive(b, "number")
    else:
        py = to_primitive(b, "number")
        px = to_primitive(a, "number")
    if type(px) is str and type(py) is str:
        return px < py
    if type(px) is JSBigInt or type(py) is JSBigInt:
        if type(px) is JSBigInt and type(py) is JSBigInt:
            return px.value < py.value
        other = py if type(px) is JSBigInt else px
        n = string_to_number(other) if type(other) is str else to_number(other)
        if n != n:
            return UNDEFINED
        return (px.value < n) if type(px) is JSBigInt else (n < py.value)
    nx = to_number(px)
    ny = to_number(py)
    if nx != nx or ny != ny:
        return UNDEFINED
    return nx < ny


def get_method(v: Any, key: Any, getter: Any = None) -> Any:
    """GetMethod on an object (primitives go through the realm's get_v first); UNDEFINED when absent."""
    f = v.get(key) if getter is None else getter(v, key)
    if f is UNDEFINED or f is None:
        return UNDEFINED
    if not isinstance(f, JSFunction):
        raise JSTypeError(f"{property_key_to_display(key)} is not a function")
    return f


def call_function(f: Any, this: Any, args: list[Any]) -> Any:
    """Call(F, V, args): throws a TypeError when F is not callable."""
    if not isinstance(f, JSFunction):
        raise JSTypeError(f"{to_display(f)} is not a function")
    return f.call(this, args)


def property_key_to_display(key: Any) -> str:
    if type(key) is JSSymbol:
        d = key.description
        return f"Symbol({'' if d is UNDEFINED else d})"
    return str(key)


def to_display(v: Any) -> str:
    """A short description of a value for error messages (never runs JS)."""
    if type(v) is str:
        return repr(v) if len(v) < 40 else repr(v[:37] + "...")
    if isinstance(v, JSFunction):
        name = v.debug_name()
        return f"function {name}" if name else "function"
    if isinstance(v, JSObject):
        if isinstance(v, JSPrimitiveObject):
            return f"[object {v.class_name}]"
        return "[object Array]" if v.class_name == "Array" else "#<Object>" if v.class_name == "Object" else \
            f"#<{v.class_name}>"
    if type(v) is JSSymbol:
        return property_key_to_display(v)
    if type(v) is float:
        return number_to_string(v)
    if type(v) is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if v is MISSING or type(v) is PropertyDescriptor:
        return "<internal>"
    return str(v)
