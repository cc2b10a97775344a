"""String (https://tc39.es/ecma262/#sec-string-objects): constructor, statics, prototype methods, string iterator.

Strings are Python ``str`` of UTF-16 code units (docs/engine.md "Values"), so indices and lengths are JS's as they
are; methods that work on code points (case mapping, normalize, codePointAt, the iterator) convert explicitly.
The RegExp-facing methods (match, matchAll, replace, replaceAll, search, split) dispatch through the well-known
symbols as the spec says; ``get_substitution`` is shared with RegExp.prototype[Symbol.replace].
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from ..errors import JSRangeError, JSTypeError
from ..operations import (
    BIG_STRING, charge_array, charge_string, to_integer_or_infinity, to_length, to_number, to_string, to_uint16, to_uint32,
)
from ..values import (
    MISSING, SYM_ITERATOR, SYM_MATCH, SYM_MATCH_ALL, SYM_REPLACE, SYM_SEARCH, SYM_SPLIT, SYM_TO_STRING_TAG, UNDEFINED,
    JSObject, JSPrimitiveObject, JSSymbol, PropertyDescriptor, is_callable, js_str_to_py, py_str_to_js,
)
from . import arg, define_members, lazy_member_value, make_constructor, proto_from_constructor, raw_props

__all__ = [
    "install", "get_substitution", "is_regexp", "this_string_value", "code_point_at", "MAX_STRING_LENGTH",
    "WHITESPACE", "check_string_length", "held_string",
]

MAX_STRING_LENGTH = 2 ** 29 - 24   # V8's limit; longer results throw RangeError "Invalid string length"
WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028" \
             "\u2029\u202f\u205f\u3000\ufeff"


def check_string_length(n: int, realm: Any = None) -> None:
    """RangeError for a string longer than the engine allows (MAX_STRING_LENGTH, and the realm's budget); with a
    budget a big string is also charged to its memory account (``charge_string``). Called before the copy where the
    length is known first (``repeat``, ``padEnd``, ``concat``, ``join``)."""
    if n > MAX_STRING_LENGTH:
        raise JSRangeError("Invalid string length")
    budget = getattr(realm, "budget", None)
    if budget is not None and (n > BIG_STRING or n > budget.max_string_length):
        charge_string(budget, n)


def held_string(realm: Any, s: str) -> str:
    """``s``, a string a built-in made after ``check_string_length``: a big one is held by the memory account, so
    its charge is credited back once it is dropped (``Budget.hold``)."""
    if len(s) > BIG_STRING:
        budget = getattr(realm, "budget", None)
        if budget is not None:
            budget.hold(s, len(s))
    return s


def _copied(realm: Any, s: str, r: str) -> str:
    """``r``, longer than BIG_STRING, made from ``s`` by a built-in that copies (slice, case mapping): charged like
    a new string (``keep.push(big.slice(1))`` in a loop); ``s`` itself (Python's whole-string slice) is not new
    memory. Callers compare the length first (no call for a small one)."""
    if r is not s:
        charge_string(realm.budget, len(r))
        realm.budget.hold(r, len(r))
    return r


def this_string_value(this: Any) -> str:
    if type(this) is str:
        return this
    if isinstance(this, JSPrimitiveObject) and type(this.value) is str:
        return this.value
    raise JSTypeError("String.prototype method called on incompatible receiver")


def _this_str(this: Any, name: str) -> str:
    """RequireObjectCoercible(this) then ToString."""
    if type(this) is str:
        return this
    if this is UNDEFINED or this is None:
        raise JSTypeError(f"String.prototype.{name} called on null or undefined")
    return to_string(this)


def code_point_at(s: str, i: int) -> tuple[int, int]:
    """CodePointAt: (code point, code unit count) at index ``i``; lone surrogates are returned as they are."""
    c = ord(s[i])
    if 0xD800 <= c <= 0xDBFF and i + 1 < len(s):
        d = ord(s[i + 1])
        if 0xDC00 <= d <= 0xDFFF:
            return 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00), 2
    return c, 1


def is_regexp(v: Any) -> bool:
    """IsRegExp: an object whose @@match is truthy, or (when absent) one with [[RegExpMatcher]]."""
    if not isinstance(v, JSObject):
        return False
    m = v.get(SYM_MATCH)
    if m is not UNDEFINED:
        from ..operations import to_boolean
        return to_boolean(m)
    from .regexp import RegExpObject
    return isinstance(v, RegExpObject)


def get_substitution(realm: Any, matched: str, s: str, position: int, captures: list[Any], named: Any,
                     replacement: str) -> str:
    """GetSubstitution (https://tc39.es/ecma262/#sec-getsubstitution): ``$$ $& $` $' $n $nn $<name>``."""
    if "$" not in replacement:
        return replacement
    out: list[str] = []
    m = len(captures)
    tail = min(position + len(matched), len(s))
    i = 0
    n = len(replacement)
    while i < n:
        c = replacement[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = replacement[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "&":
            out.append(matched)
            i += 2
        elif nxt == "`":
            out.append(s[:position])
            i += 2
        elif nxt == "'":
            out.append(s[tail:])
            i += 2
        elif "0" <= nxt <= "9":
            idx = -1
            consumed = 0
            if i + 2 < n and "0" <= replacement[i + 2] <= "9":
                two = int(replacement[i + 1:i + 3])
                if 1 <= two <= m:
                    idx, consumed = two, 3
            if idx < 0:
                one = int(nxt)
                if 1 <= one <= m:
                    idx, consumed = one, 2
            if idx < 0:
                out.append("$")
                i += 1
                continue
            cap = captures[idx - 1]
            if cap is not UNDEFINED:
                out.append(to_string(cap))
            i += consumed
        elif nxt == "<":
            if named is UNDEFINED:
                out.append("$<")
                i += 2
                continue
            close = replacement.find(">", i + 2)
            if close < 0:
                out.append("$<")
                i += 2
                continue
            group = replacement[i + 2:close]
            cap = named.get(group) if isinstance(named, JSObject) else realm.to_object(named).get(group)
            if cap is not UNDEFINED:
                out.append(to_string(cap))
            i = close + 1
        else:
            out.append("$")
            i += 1
    return "".join(out)


# -- constructor and statics


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    if not args:
        return ""
    v = args[0]
    if type(v) is JSSymbol:
        return f"Symbol({'' if v.description is UNDEFINED else v.description})"
    return to_string(v)


def _construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    s = to_string(args[0]) if args else ""
    return JSPrimitiveObject(proto_from_constructor(realm, new_target, "%String.prototype%"), s)


def _from_char_code(realm: Any, this: Any, args: list[Any]) -> Any:
    return "".join(chr(to_uint16(a)) for a in args)


def _from_code_point(realm: Any, this: Any, args: list[Any]) -> Any:
    out: list[str] = []
    for a in args:
        n = to_number(a)
        if n != n or n != math.trunc(n) or n < 0 or n > 0x10FFFF:
            raise JSRangeError(f"Invalid code point {realm.display(a)}")
        cp = int(n)
        if cp >= 0x10000:
            cp -= 0x10000
            out.append(chr(0xD800 + (cp >> 10)))
            out.append(chr(0xDC00 + (cp & 0x3FF)))
        else:
            out.append(chr(cp))
    return "".join(out)


def _raw(realm: Any, this: Any, args: list[Any]) -> Any:
    cooked = realm.to_object(arg(args, 0))
    literals = realm.to_object(cooked.get("raw"))
    n = to_length(literals.get("length"))
    if n == 0:
        return ""
    out: list[str] = []
    subs = args[1:]
    for i in range(n):
        out.append(to_string(literals.get(str(i))))
        if i + 1 == n:
            break
        if i < len(subs):
            out.append(to_string(subs[i]))
    check_string_length(sum(len(p) for p in out), realm)
    return held_string(realm, "".join(out))


# -- prototype: characters and searching


def _at(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "at")
    rel = to_integer_or_infinity(arg(args, 0))
    k = rel if rel >= 0 else len(s) + rel
    if k < 0 or k >= len(s):
        return UNDEFINED
    return s[int(k)]


def _char_at(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "charAt")
    pos = to_integer_or_infinity(arg(args, 0))
    if pos < 0 or pos >= len(s):
        return ""
    return s[int(pos)]


def _char_code_at(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "charCodeAt")
    pos = to_integer_or_infinity(arg(args, 0))
    if pos < 0 or pos >= len(s):
        return math.nan
    return float(ord(s[int(pos)]))


def _code_point_at(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "codePointAt")
    pos = to_integer_or_infinity(arg(args, 0))
    if pos < 0 or pos >= len(s):
        return UNDEFINED
    return float(code_point_at(s, int(pos))[0])


def _concat(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "concat")
    parts = [s] + [to_string(a) for a in args]
    check_string_length(sum(len(p) for p in parts), realm)
    return held_string(realm, "".join(parts))


def _no_regexp(v: Any, name: str) -> str:
    if is_regexp(v):
        raise JSTypeError(f"First argument to String.prototype.{name} must not be a regular expression")
    return to_string(v)


def _clamp_pos(v: Any, n: int, default: int) -> int:
    if v is UNDEFINED:
        return default
    p = to_integer_or_infinity(v)
    return int(min(max(p, 0), n))


def _ends_with(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "endsWith")
    search = _no_regexp(arg(args, 0), "endsWith")
    end = _clamp_pos(arg(args, 1), len(s), len(s))
    start = end - len(search)
    return start >= 0 and s[start:end] == search


def _starts_with(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "startsWith")
    search = _no_regexp(arg(args, 0), "startsWith")
    start = _clamp_pos(arg(args, 1), len(s), 0)
    return s.startswith(search, start)


def _includes(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "includes")
    search = _no_regexp(arg(args, 0), "includes")
    start = _clamp_pos(arg(args, 1), len(s), 0)
    return s.find(search, start) >= 0


def _index_of(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "indexOf")
    search = to_string(arg(args, 0))
    start = _clamp_pos(arg(args, 1), len(s), 0)
    return float(s.find(search, start))


def _last_index_of(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "lastIndexOf")
    search = to_string(arg(args, 0))
    num = to_number(arg(args, 1))
    pos = math.inf if num != num else to_integer_or_infinity(num)
    start = int(min(max(pos, 0), len(s)))
    return float(s.rfind(search, 0, start + len(search)))


def _locale_compare(realm: Any, this: Any, args: list[Any]) -> Any:
    s = unicodedata.normalize("NFC", js_str_to_py(_this_str(this, "localeCompare")))
    t = unicodedata.normalize("NFC", js_str_to_py(to_string(arg(args, 0))))
    return 0.0 if s == t else (-1.0 if s < t else 1.0)


def _normalize(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "normalize")
    f = arg(args, 0)
    form = "NFC" if f is UNDEFINED else to_string(f)
    if form not in ("NFC", "NFD", "NFKC", "NFKD"):
        raise JSRangeError(f"The normalization form should be one of NFC, NFD, NFKC, NFKD.")
    py = js_str_to_py(s)
    try:
        return py_str_to_js(unicodedata.normalize(form, py))
    except UnicodeError:
        return s


def _pad(realm: Any, this: Any, args: list[Any], at_start: bool) -> Any:
    s = _this_str(this, "padStart" if at_start else "padEnd")
    max_len = to_length(arg(args, 0))
    n = len(s)
    if max_len <= n:
        return s
    fv = arg(args, 1)
    fill = " " if fv is UNDEFINED else to_string(fv)
    if not fill:
        return s
    check_string_length(max_len, realm)
    need = max_len - n
    pad = (fill * (need // len(fill) + 1))[:need]
    return held_string(realm, pad + s if at_start else s + pad)


def _pad_start(realm: Any, this: Any, args: list[Any]) -> Any:
    return _pad(realm, this, args, True)


def _pad_end(realm: Any, this: Any, args: list[Any]) -> Any:
    return _pad(realm, this, args, False)


def _repeat(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "repeat")
    n = to_integer_or_infinity(arg(args, 0))
    if n < 0 or n == math.inf:
        raise JSRangeError(f"Invalid count value: {realm.display(arg(args, 0))}")
    if n == 0 or not s:
        return ""
    check_string_length(len(s) * int(n), realm)
    return held_string(realm, s * int(n))


def _slice(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "slice")
    n = len(s)
    start = to_integer_or_infinity(arg(args, 0))
    start = max(n + start, 0) if start < 0 else min(start, n)
    ev = arg(args, 1)
    end = n if ev is UNDEFINED else to_integer_or_infinity(ev)
    end = max(n + end, 0) if end < 0 else min(end, n)
    if start >= end:
        return ""
    r = s[int(start):int(end)]
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _substring(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "substring")
    n = len(s)
    start = _clamp_pos(arg(args, 0), n, 0)
    ev = arg(args, 1)
    end = n if ev is UNDEFINED else _clamp_pos(ev, n, n)
    r = s[min(start, end):max(start, end)]
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _substr(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "substr")
    n = len(s)
    start = to_integer_or_infinity(arg(args, 0))
    if start == -math.inf:
        start = 0
    elif start < 0:
        start = max(n + start, 0)
    else:
        start = min(start, n)
    lv = arg(args, 1)
    length = n if lv is UNDEFINED else to_integer_or_infinity(lv)
    end = min(start + length, n)
    if start >= end:
        return ""
    r = s[int(start):int(end)]
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _case(s: str, upper: bool) -> str:
    if s.isascii():
        return s.upper() if upper else s.lower()
    py = js_str_to_py(s)
    return py_str_to_js(py.upper() if upper else py.lower())


def _to_lower_case(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "toLowerCase")
    r = _case(s, False)
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _to_upper_case(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "toUpperCase")
    r = _case(s, True)
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _to_locale_lower_case(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "toLocaleLowerCase")
    r = _case(s, False)
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _to_locale_upper_case(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "toLocaleUpperCase")
    r = _case(s, True)
    return r if len(r) <= BIG_STRING else _copied(realm, s, r)


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    return this_string_value(this)


def _trim(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_str(this, "trim").strip(WHITESPACE)


def _trim_start(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_str(this, "trimStart").lstrip(WHITESPACE)


def _trim_end(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_str(this, "trimEnd").rstrip(WHITESPACE)


def _is_well_formed(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "isWellFormed")
    return _to_well_formed_str(s) is s


def _to_well_formed_str(s: str) -> str:
    out: list[str] | None = None
    i = 0
    n = len(s)
    while i < n:
        c = ord(s[i])
        if 0xD800 <= c <= 0xDFFF:
            cp, size = code_point_at(s, i)
            if size == 1:
                if out is None:
                    out = list(s[:i])
                out.append("\ufffd")
                i += 1
                continue
            if out is not None:
                out.append(s[i:i + 2])
            i += 2
            continue
        if out is not None:
            out.append(s[i])
        i += 1
    return s if out is None else "".join(out)


def _to_well_formed(realm: Any, this: Any, args: list[Any]) -> Any:
    return _to_well_formed_str(_this_str(this, "toWellFormed"))


# -- the RegExp-dispatching methods


def _delegate(realm: Any, this: Any, v: Any, sym: JSSymbol, extra: list[Any]) -> Any:
    """If ``v`` is not nullish and has a ``sym`` method, call it; else return MISSING-like None."""
    if v is UNDEFINED or v is None:
        return None
    f = realm.get_v(v, sym)
    if f is UNDEFINED or f is None:
        return None
    if not is_callable(f):
        raise JSTypeError(f"{realm.display(f)} is not a function")
    return (f.call(v, [this] + extra),)


def _regexp_create(realm: Any, pattern: Any, flags: str) -> Any:
    from .regexp import regexp_create
    return regexp_create(realm, UNDEFINED if pattern is UNDEFINED else to_string(pattern), flags)


def _invoke(realm: Any, obj: Any, sym: JSSymbol, args: list[Any]) -> Any:
    f = obj.get(sym)
    if not is_callable(f):
        raise JSTypeError(f"{realm.display(f)} is not a function")
    return f.call(obj, args)


def _match(realm: Any, this: Any, args: list[Any]) -> Any:
    if this is UNDEFINED or this is None:
        raise JSTypeError("String.prototype.match called on null or undefined")
    r = _delegate(realm, this, arg(args, 0), SYM_MATCH, [])
    if r is not None:
        return r[0]
    s = to_string(this)
    rx = _regexp_create(realm, arg(args, 0), "")
    return _invoke(realm, rx, SYM_MATCH, [s])


def _match_all(realm: Any, this: Any, args: list[Any]) -> Any:
    if this is UNDEFINED or this is None:
        raise JSTypeError("String.prototype.matchAll called on null or undefined")
    rv = arg(args, 0)
    if rv is not UNDEFINED and rv is not None:
        if is_regexp(rv):
            flags = rv.get("flags")
            if flags is UNDEFINED or flags is None:
                raise JSTypeError("String.prototype.matchAll called with a non-global RegExp argument")
            if "g" not in to_string(flags):
                raise JSTypeError("String.prototype.matchAll called with a non-global RegExp argument")
        r = _delegate(realm, this, rv, SYM_MATCH_ALL, [])
        if r is not None:
            return r[0]
    s = to_string(this)
    rx = _regexp_create(realm, rv, "g")
    return _invoke(realm, rx, SYM_MATCH_ALL, [s])


def _search(realm: Any, this: Any, args: list[Any]) -> Any:
    if this is UNDEFINED or this is None:
        raise JSTypeError("String.prototype.search called on null or undefined")
    r = _delegate(realm, this, arg(args, 0), SYM_SEARCH, [])
    if r is not None:
        return r[0]
    s = to_string(this)
    rx = _regexp_create(realm, arg(args, 0), "")
    return _invoke(realm, rx, SYM_SEARCH, [s])


def _replace_common(realm: Any, this: Any, args: list[Any], all_: bool) -> Any:
    name = "replaceAll" if all_ else "replace"
    if this is UNDEFINED or this is None:
        raise JSTypeError(f"String.prototype.{name} called on null or undefined")
    sv = arg(args, 0)
    rv = arg(args, 1)
    if sv is not UNDEFINED and sv is not None:
        if all_ and is_regexp(sv):
            flags = sv.get("flags")
            if flags is UNDEFINED or flags is None or "g" not in to_string(flags):
                raise JSTypeError("replaceAll must be called with a global RegExp")
        r = _delegate(realm, this, sv, SYM_REPLACE, [rv])
        if r is not None:
            return r[0]
    s = to_string(this)
    search = to_string(sv)
    functional = is_callable(rv)
    if not functional:
        rv = to_string(rv)
    n = len(search)
    if all_:
        advance = max(1, n)
        positions = []
        p = s.find(search, 0)
        while p >= 0:
            positions.append(p)
            p = s.find(search, p + advance) if p + advance <= len(s) else -1
    else:
        p = s.find(search)
        positions = [p] if p >= 0 else []
    if not positions:
        return s
    end = 0
    out: list[str] = []
    for p in positions:
        out.append(s[end:p])
        if functional:
            out.append(to_string(rv.call(UNDEFINED, [search, float(p), s])))
        else:
            out.append(get_substitution(realm, search, s, p, [], UNDEFINED, rv))
        end = p + n
    out.append(s[end:])
    result = "".join(out)
    check_string_length(len(result), realm)
    return held_string(realm, result)


def _replace(realm: Any, this: Any, args: list[Any]) -> Any:
    return _replace_common(realm, this, args, False)


def _replace_all(realm: Any, this: Any, args: list[Any]) -> Any:
    return _replace_common(realm, this, args, True)


def _split(realm: Any, this: Any, args: list[Any]) -> Any:
    if this is UNDEFINED or this is None:
        raise JSTypeError("String.prototype.split called on null or undefined")
    sep = arg(args, 0)
    lv = arg(args, 1)
    r = _delegate(realm, this, sep, SYM_SPLIT, [lv])
    if r is not None:
        return r[0]
    s = to_string(this)
    lim = 4294967295 if lv is UNDEFINED else to_uint32(lv)
    rs = to_string(sep)
    if lim == 0:
        return realm.new_array([])
    if sep is UNDEFINED:
        return realm.new_array([s])
    if not s:
        return realm.new_array([] if not rs else [s])
    if not rs:
        charge_array(realm.budget, min(len(s), lim))  # before the copy: a slot per character
        return realm.new_array(list(s[:lim]))
    parts = s.split(rs)
    if len(parts) > lim:
        parts = parts[:lim]
    charge_array(realm.budget, len(parts))
    return realm.new_array(parts)


# -- string iterator


class StringIterator(JSObject):
    """%StringIteratorPrototype% instances: iterate code points (surrogate pairs together)."""

    __slots__ = ("s", "pos")
    class_name = "String Iterator"

    def __init__(self, proto: JSObject, s: str) -> None:
        JSObject.__init__(self, proto)
        self.s: str | None = s
        self.pos = 0


def _iterator(realm: Any, this: Any, args: list[Any]) -> Any:
    s = _this_str(this, "[Symbol.iterator]")
    return StringIterator(realm.intrinsics["%StringIteratorPrototype%"], s)


def _iterator_next(realm: Any, this: Any, args: list[Any]) -> Any:
    from .iterator import iter_result
    if type(this) is not StringIterator:
        raise JSTypeError("next method called on incompatible receiver")
    s = this.s
    if s is None or this.pos >= len(s):
        this.s = None
        return iter_result(realm, UNDEFINED, True)
    _, size = code_point_at(s, this.pos)
    chunk = s[this.pos:this.pos + size]
    this.pos += size
    return iter_result(realm, chunk, False)


PROTOTYPE_MEMBERS = [
    ("at", _at, 1), ("charAt", _char_at, 1), ("charCodeAt", _char_code_at, 1), ("codePointAt", _code_point_at, 1),
    ("concat", _concat, 1), ("endsWith", _ends_with, 1), ("includes", _includes, 1), ("indexOf", _index_of, 1),
    ("isWellFormed", _is_well_formed, 0), ("lastIndexOf", _last_index_of, 1),
    ("localeCompare", _locale_compare, 1), ("match", _match, 1), ("matchAll", _match_all, 1),
    ("normalize", _normalize, 0), ("padEnd", _pad_end, 1), ("padStart", _pad_start, 1), ("repeat", _repeat, 1),
    ("replace", _replace, 2), ("replaceAll", _replace_all, 2), ("search", _search, 1), ("slice", _slice, 2),
    ("split", _split, 2), ("startsWith", _starts_with, 1), ("substr", _substr, 2), ("substring", _substring, 2),
    ("toLocaleLowerCase", _to_locale_lower_case, 0), ("toLocaleUpperCase", _to_locale_upper_case, 0),
    ("toLowerCase", _to_lower_case, 0), ("toString", _to_string, 0), ("toUpperCase", _to_upper_case, 0),
    ("toWellFormed", _to_well_formed, 0), ("trim", _trim, 0), ("trimEnd", _trim_end, 0),
    ("trimStart", _trim_start, 0), ("valueOf", _to_string, 0), (SYM_ITERATOR, _iterator, 0),
]
STATIC_MEMBERS = [("fromCharCode", _from_char_code, 1), ("fromCodePoint", _from_code_point, 1), ("raw", _raw, 1)]


def install(realm: Any) -> None:
    proto = JSPrimitiveObject(realm.object_prototype, "")
    ctor = make_constructor(realm, "String", 1, _call, _construct, proto)
    define_members(realm, ctor, STATIC_MEMBERS)
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    # Annex B: trimLeft/trimRight are the same function objects as trimStart/trimEnd.
    raw = raw_props(proto)
    raw["trimLeft"] = PropertyDescriptor(lazy_member_value(proto, "trimStart"), MISSING, MISSING, True, False, True)
    raw["trimRight"] = PropertyDescriptor(lazy_member_value(proto, "trimEnd"), MISSING, MISSING, True, False, True)
    it_proto = JSObject(realm.intrinsics.get("%IteratorPrototype%", realm.object_prototype))
    define_members(realm, it_proto, [("next", _iterator_next, 0)])
    raw_props(it_proto)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="String Iterator", writable=False,
                                                                enumerable=False, configurable=True)
    realm.intrinsics["%StringIteratorPrototype%"] = it_proto
