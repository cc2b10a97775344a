"""RegExp (https://tc39.es/ecma262/#sec-regexp-regular-expression-objects) on top of ``regex_translate``.

RegExpBuiltinExec runs the translated pattern with the ``regex`` module (with a timeout: patterns are untrusted);
under ``u`` the subject is matched as code points and indices are mapped back to code units. The Symbol.match/
replace/search/split/matchAll methods follow the spec's observable protocol (``flags``, ``exec``, ``lastIndex``), with
a direct path for split when nothing can observe the difference.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import regex

from ..errors import JSRangeError, JSTypeError
from ..operations import same_value, to_integer_or_infinity, to_length, to_string, to_uint32
from ..regex_translate import RegexSyntaxError, Translated, translate
from ..values import (
    SYM_MATCH, SYM_MATCH_ALL, SYM_REPLACE, SYM_SEARCH, SYM_SPECIES, SYM_SPLIT, SYM_TO_STRING_TAG, UNDEFINED,
    JSObject, PropertyDescriptor, is_callable, is_constructor,
)
from . import (
    arg, define_accessors, define_members, lazy_member_value, make_constructor, proto_from_constructor, raw_props,
)
from .json import JSSyntaxErrorHost

__all__ = ["install", "RegExpObject", "regexp_create", "regexp_exec", "MATCH_TIMEOUT"]

MATCH_TIMEOUT = 2.0   # seconds one match may take before it throws a RangeError (catastrophic backtracking)
# The regex module allocates memory in proportion to {n,m} counts (b{100000000} exhausts memory at compile time);
# patterns with larger counts are compiled with ``re`` instead, which has no timeout but no such cost.
LARGE_COUNT = 10_000
_cache: dict[tuple[str, str], tuple[Translated, Any]] = {}


class RegExpObject(JSObject):
    """An object with [[RegExpMatcher]], [[OriginalSource]] and [[OriginalFlags]]."""

    __slots__ = ("source", "flags", "matcher", "info")
    class_name = "RegExp"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.source = ""
        self.flags = ""
        self.matcher: Any = None
        self.info: Translated | None = None
        self.props["lastIndex"] = PropertyDescriptor(value=0.0, writable=True, enumerable=False, configurable=False)


def _compile(pattern: str, flags: str) -> tuple[Translated, Any]:
    key = (pattern, flags)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    try:
        info = translate(pattern, flags)
        if info.max_count > LARGE_COUNT:
            try:
                matcher = re.compile(info.source, re.IGNORECASE if "i" in flags else 0)
            except re.error:
                raise JSSyntaxErrorHost(f"Invalid regular expression: /{pattern}/: quantifier too large") from None
        else:
            matcher = regex.compile(info.source, (regex.IGNORECASE if "i" in flags else 0) | regex.VERSION0)
    except RegexSyntaxError as exc:
        raise JSSyntaxErrorHost(str(exc)) from None
    except (regex.error, OverflowError, RecursionError) as exc:
        raise JSSyntaxErrorHost(f"Invalid regular expression: /{pattern}/: {exc}") from None
    if len(_cache) > 512:
        _cache.clear()
    _cache[key] = (info, matcher)
    return info, matcher


def _initialize(obj: RegExpObject, pattern: Any, flags: Any) -> RegExpObject:
    """RegExpInitialize."""
    p = "" if pattern is UNDEFINED else to_string(pattern)
    f = "" if flags is UNDEFINED else to_string(flags)
    info, matcher = _compile(p, f)
    obj.source, obj.flags, obj.info, obj.matcher = p, f, info, matcher
    _set_last_index(obj, 0.0)
    return obj


def regexp_create(realm: Any, pattern: Any, flags: Any) -> RegExpObject:
    """RegExpCreate(P, F) with %RegExp.prototype% (what regex literals and String.prototype.match use)."""
    return _initialize(RegExpObject(realm.intrinsics["%RegExp.prototype%"]), pattern, flags)


def _set_last_index(r: JSObject, v: float) -> None:
    if not r.set("lastIndex", v, r):
        raise JSTypeError("Cannot assign to read only property 'lastIndex' of object")


def _is_regexp(v: Any) -> bool:
    from .string import is_regexp
    return is_regexp(v)


# -- constructor


def _construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    pattern, flags = arg(args, 0), arg(args, 1)
    pattern_is_regexp = _is_regexp(pattern)
    if new_target is UNDEFINED:
        new_target = realm.intrinsics["%RegExp%"]
        if pattern_is_regexp and flags is UNDEFINED:
            if same_value(new_target, pattern.get("constructor")):
                return pattern
    if isinstance(pattern, RegExpObject):
        p = pattern.source
        f = pattern.flags if flags is UNDEFINED else flags
    elif pattern_is_regexp:
        p = pattern.get("source")
        f = pattern.get("flags") if flags is UNDEFINED else flags
    else:
        p, f = pattern, flags
    obj = RegExpObject(proto_from_constructor(realm, new_target, "%RegExp.prototype%"))
    return _initialize(obj, p, f)


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    return _construct(realm, args, UNDEFINED)


# -- exec


class _Subject:
    """The string being matched: code units as they are, or (``u``) code points with an index map back."""

    __slots__ = ("s", "text", "starts")

    def __init__(self, s: str, unicode: bool) -> None:
        self.s = s
        self.starts: list[int] | None = None
        if unicode and not s.isascii() and any(0xD800 <= ord(c) <= 0xDBFF for c in s):
            text = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
            starts = []
            i = 0
            for ch in text:
                starts.append(i)
                i += 2 if ord(ch) > 0xFFFF else 1
            starts.append(i)
            self.text = text
            self.starts = starts
        else:
            self.text = s

    def to_text(self, cu: int) -> int:
        if self.starts is None:
            return cu
        return bisect.bisect_right(self.starts, cu) - 1

    def to_units(self, cp: int) -> int:
        return cp if self.starts is None else self.starts[cp]


def _run(r: RegExpObject, subject: _Subject, start: int, sticky: bool) -> Any:
    pos = subject.to_text(start)
    if type(r.matcher) is re.Pattern:
        return r.matcher.match(subject.text, pos) if sticky else r.matcher.search(subject.text, pos)
    try:
        if sticky:
            return r.matcher.match(subject.text, pos, timeout=MATCH_TIMEOUT)
        return r.matcher.search(subject.text, pos, timeout=MATCH_TIMEOUT)
    except TimeoutError:
        raise JSRangeError("Regular expression too slow (catastrophic backtracking)") from None


def group_span(info: Translated, m: Any, js: int) -> tuple[int, int]:
    """Span (in the matched text) of JS capture group ``js``, or (-1, -1) when JS reports it undefined: not matched,
    or set in an earlier iteration of an enclosing quantified group (JS clears those per iteration)."""
    a, b = m.span(info.py_group[js])
    if a >= 0:
        for marker in info.resets.get(js, ()):
            last_start = m.span(marker)[0]
            if last_start < 0 or a < last_start:
                return -1, -1
    return a, b


def _builtin_exec(realm: Any, r: RegExpObject, s: str) -> Any:
    """RegExpBuiltinExec (https://tc39.es/ecma262/#sec-regexpbuiltinexec)."""
    last_index = to_length(r.get("lastIndex"))
    flags = r.flags
    is_global = "g" in flags
    sticky = "y" in flags
    if not is_global and not sticky:
        last_index = 0
    if last_index > len(s):
        if is_global or sticky:
            _set_last_index(r, 0.0)
        return None
    assert r.info is not None
    subject = _Subject(s, r.info.unicode)
    m = _run(r, subject, last_index, sticky)
    if m is None:
        if is_global or sticky:
            _set_last_index(r, 0.0)
        return None
    start = subject.to_units(m.start())
    end = subject.to_units(m.end())
    if is_global or sticky:
        _set_last_index(r, float(end))
    return _build_result(realm, r, subject, m, start, end, "d" in flags)


def _build_result(realm: Any, r: RegExpObject, subject: _Subject, m: Any, start: int, end: int,
                  has_indices: bool) -> JSObject:
    s = subject.s
    info = r.info
    assert info is not None
    items: list[Any] = [s[start:end]]
    spans: list[Any] = [(start, end)]
    for g in range(1, info.group_count + 1):
        gs, ge = group_span(info, m, g)
        if gs < 0:
            items.append(UNDEFINED)
            spans.append(None)
        else:
            a, b = subject.to_units(gs), subject.to_units(ge)
            items.append(s[a:b])
            spans.append((a, b))
    arr = realm.new_array(items)
    arr.props["index"] = float(start)
    arr.props["input"] = s
    has_groups = any(n is not None for n in info.group_names)
    groups: Any = UNDEFINED
    if has_groups:
        groups = JSObject(None)
        for i, name in enumerate(info.group_names, start=1):
            if name is not None:
                groups.props[name] = items[i]
    arr.props["groups"] = groups
    if has_indices:
        pairs = [UNDEFINED if sp is None else realm.new_array([float(sp[0]), float(sp[1])]) for sp in spans]
        indices = realm.new_array(pairs)
        ig: Any = UNDEFINED
        if has_groups:
            ig = JSObject(None)
            for i, name in enumerate(info.group_names, start=1):
                if name is not None:
                    ig.props[name] = pairs[i]
        indices.props["groups"] = ig
        arr.props["indices"] = indices
    return arr


def regexp_exec(realm: Any, r: Any, s: str) -> Any:
    """RegExpExec: a user ``exec`` if callable (its result must be an object or null), else the built-in."""
    exec_fn = r.get("exec")
    if is_callable(exec_fn) and exec_fn is not realm.intrinsics.get("%RegExp.prototype.exec%"):
        result = exec_fn.call(r, [s])
        if result is not None and not isinstance(result, JSObject):
            raise JSTypeError("exec result must be an object or null")
        return result
    if type(r) is not RegExpObject:
        raise JSTypeError("RegExp exec method called on an incompatible receiver")
    return _builtin_exec(realm, r, s)


def _this_regexp(this: Any, name: str) -> RegExpObject:
    if type(this) is not RegExpObject:
        raise JSTypeError(f"RegExp.prototype.{name} called on incompatible receiver")
    return this


def _this_object(this: Any, name: str) -> JSObject:
    if not isinstance(this, JSObject):
        raise JSTypeError(f"RegExp.prototype.{name} called on a non-object")
    return this


def _exec(realm: Any, this: Any, args: list[Any]) -> Any:
    r = _this_regexp(this, "exec")
    return _builtin_exec(realm, r, to_string(arg(args, 0)))


def _test(realm: Any, this: Any, args: list[Any]) -> Any:
    r = _this_object(this, "test")
    return regexp_exec(realm, r, to_string(arg(args, 0))) is not None


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    r = _this_object(this, "toString")
    return f"/{to_string(r.get('source'))}/{to_string(r.get('flags'))}"


def _compile_method(realm: Any, this: Any, args: list[Any]) -> Any:
    r = _this_regexp(this, "compile")
    pattern, flags = arg(args, 0), arg(args, 1)
    if isinstance(pattern, RegExpObject):
        if flags is not UNDEFINED:
            raise JSTypeError("Cannot supply flags when constructing one RegExp from another")
        pattern, flags = pattern.source, pattern.flags
    return _initialize(r, pattern, flags)


# -- accessors

_FLAG_GETTERS = [("hasIndices", "d"), ("global", "g"), ("ignoreCase", "i"), ("multiline", "m"), ("dotAll", "s"),
                 ("unicode", "u"), ("unicodeSets", "v"), ("sticky", "y")]


def _flag_getter(name: str, char: str) -> Any:
    def getter(realm: Any, this: Any, args: list[Any]) -> Any:
        if type(this) is RegExpObject:
            return char in this.flags
        if this is realm.intrinsics["%RegExp.prototype%"]:
            return UNDEFINED
        raise JSTypeError(f"RegExp.prototype.{name} getter called on incompatible receiver")
    return getter


def _flags_getter(realm: Any, this: Any, args: list[Any]) -> Any:
    r = _this_object(this, "flags")
    from ..operations import to_boolean
    out = []
    for name, char in _FLAG_GETTERS:
        if to_boolean(r.get(name)):
            out.append(char)
    return "".join(out)


def escape_pattern(source: str) -> str:
    """EscapeRegExpPattern: a source that reads back as the same pattern inside ``/…/``."""
    if not source:
        return "(?:)"
    out = []
    in_class = False
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            out.append("\\" + {"\n": "n", "\r": "r", "\u2028": "u2028", "\u2029": "u2029"}.get(nxt, nxt))
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        if c == "/" and not in_class:
            out.append("\\/")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\u2028":
            out.append("\\u2028")
        elif c == "\u2029":
            out.append("\\u2029")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _source_getter(realm: Any, this: Any, args: list[Any]) -> Any:
    if type(this) is RegExpObject:
        return escape_pattern(this.source)
    if this is realm.intrinsics["%RegExp.prototype%"]:
        return "(?:)"
    raise JSTypeError("RegExp.prototype.source getter called on incompatible receiver")


def _species(realm: Any, this: Any, args: list[Any]) -> Any:
    return this


# -- the Symbol methods


def _advance(s: str, index: int, unicode: bool) -> int:
    """AdvanceStringIndex."""
    if not unicode or index + 1 >= len(s):
        return index + 1
    if 0xD800 <= ord(s[index]) <= 0xDBFF and 0xDC00 <= ord(s[index + 1]) <= 0xDFFF:
        return index + 2
    return index + 1


def _flags_of(r: JSObject) -> str:
    return to_string(r.get("flags"))


def _symbol_match(realm: Any, this: Any, args: list[Any]) -> Any:
    rx = _this_object(this, "[Symbol.match]")
    s = to_string(arg(args, 0))
    from .regexp_fast import fast_match_all_strings, is_pristine
    if type(rx) is RegExpObject and "g" in rx.flags and is_pristine(realm, rx):
        found = fast_match_all_strings(rx, s)
        return realm.new_array(found) if found else None
    flags = _flags_of(rx)
    if "g" not in flags:
        return regexp_exec(realm, rx, s)
    unicode = "u" in flags or "v" in flags
    _set_last_index(rx, 0.0)
    out: list[Any] = []
    while True:
        result = regexp_exec(realm, rx, s)
        if result is None:
            return realm.new_array(out) if out else None
        match_str = to_string(result.get("0"))
        out.append(match_str)
        if match_str == "":
            this_index = to_length(rx.get("lastIndex"))
            _set_last_index(rx, float(_advance(s, this_index, unicode)))


def _symbol_replace(realm: Any, this: Any, args: list[Any]) -> Any:
    from .array import length_of
    from .string import check_string_length, get_substitution, held_string
    rx = _this_object(this, "[Symbol.replace]")
    s = to_string(arg(args, 0))
    length_s = len(s)
    replace_value = arg(args, 1)
    functional = is_callable(replace_value)
    if not functional:
        replace_value = to_string(replace_value)
    from .regexp_fast import fast_replace, is_pristine
    if is_pristine(realm, rx):
        return fast_replace(realm, rx, s, replace_value, functional)
    flags = _flags_of(rx)
    is_global = "g" in flags
    unicode = "u" in flags or "v" in flags
    if is_global:
        _set_last_index(rx, 0.0)
    results: list[JSObject] = []
    while True:
        result = regexp_exec(realm, rx, s)
        if result is None:
            break
        results.append(result)
        if not is_global:
            break
        match_str = to_string(result.get("0"))
        if match_str == "":
            this_index = to_length(rx.get("lastIndex"))
            _set_last_index(rx, float(_advance(s, this_index, unicode)))
    acc: list[str] = []
    next_pos = 0
    for result in results:
        n_captures = max(length_of(result) - 1, 0)
        matched = to_string(result.get("0"))
        position = int(max(min(to_integer_or_infinity(result.get("index")), length_s), 0))
        captures: list[Any] = []
        for n in range(1, n_captures + 1):
            cap = result.get(str(n))
            captures.append(cap if cap is UNDEFINED else to_string(cap))
        named = result.get("groups")
        if functional:
            call_args = [matched] + captures + [float(position), s]
            if named is not UNDEFINED:
                call_args.append(named)
            replacement = to_string(replace_value.call(UNDEFINED, call_args))
        else:
            if named is not UNDEFINED:
                named = realm.to_object(named)
            replacement = get_substitution(realm, matched, s, position, captures, named, replace_value)
        if position >= next_pos:
            acc.append(s[next_pos:position])
            acc.append(replacement)
            next_pos = position + len(matched)
    if next_pos >= length_s:
        out = "".join(acc)
    else:
        out = "".join(acc) + s[next_pos:]
    check_string_length(len(out), realm)
    return held_string(realm, out)


def _symbol_search(realm: Any, this: Any, args: list[Any]) -> Any:
    rx = _this_object(this, "[Symbol.search]")
    s = to_string(arg(args, 0))
    previous = rx.get("lastIndex")
    if not same_value(previous, 0.0):
        _set_last_index(rx, 0.0)
    result = regexp_exec(realm, rx, s)
    current = rx.get("lastIndex")
    if not same_value(current, previous):
        if not rx.set("lastIndex", previous, rx):
            raise JSTypeError("Cannot assign to read only property 'lastIndex' of object")
    if result is None:
        return -1.0
    return result.get("index")


def species_constructor(realm: Any, o: JSObject, default: Any) -> Any:
    c = o.get("constructor")
    if c is UNDEFINED:
        return default
    if not isinstance(c, JSObject):
        raise JSTypeError("object.constructor is not an object")
    sp = c.get(SYM_SPECIES)
    if sp is UNDEFINED or sp is None:
        return default
    if is_constructor(sp):
        return sp
    raise JSTypeError("object.constructor[Symbol.species] is not a constructor")


def _symbol_split(realm: Any, this: Any, args: list[Any]) -> Any:
    from .array import length_of
    rx = _this_object(this, "[Symbol.split]")
    s = to_string(arg(args, 0))
    regexp_ctor = realm.intrinsics["%RegExp%"]
    c = species_constructor(realm, rx, regexp_ctor)
    flags = _flags_of(rx)
    unicode = "u" in flags or "v" in flags
    new_flags = flags if "y" in flags else flags + "y"
    splitter = c.construct([rx, new_flags], c)
    out: list[Any] = []
    lv = arg(args, 1)
    lim = 4294967295 if lv is UNDEFINED else to_uint32(lv)
    if lim == 0:
        return realm.new_array(out)
    size = len(s)
    if size == 0:
        if regexp_exec(realm, splitter, s) is not None:
            return realm.new_array(out)
        return realm.new_array([s])
    direct = (c is regexp_ctor and type(splitter) is RegExpObject
              and splitter.get("exec") is realm.intrinsics["%RegExp.prototype.exec%"])
    p = 0
    q = p
    subject = _Subject(s, unicode) if direct else None
    while q < size:
        if direct:
            assert subject is not None
            m = _run(splitter, subject, q, False)
            if m is None:
                break
            start = subject.to_units(m.start())
            if start >= size:
                break
            e = min(subject.to_units(m.end()), size)
            if e == p:
                q = _advance(s, start, unicode)
                continue
            out.append(s[p:start])
            if len(out) == lim:
                return realm.new_array(out)
            p = e
            info = splitter.info
            assert info is not None
            for g in range(1, info.group_count + 1):
                gs, ge = group_span(info, m, g)
                out.append(UNDEFINED if gs < 0 else s[subject.to_units(gs):subject.to_units(ge)])
                if len(out) == lim:
                    return realm.new_array(out)
            q = p
            continue
        _set_last_index(splitter, float(q))
        z = regexp_exec(realm, splitter, s)
        if z is None:
            q = _advance(s, q, unicode)
            continue
        e = min(to_length(splitter.get("lastIndex")), size)
        if e == p:
            q = _advance(s, q, unicode)
            continue
        out.append(s[p:q])
        if len(out) == lim:
            return realm.new_array(out)
        p = e
        n_caps = max(length_of(z) - 1, 0)
        for i in range(1, n_caps + 1):
            out.append(z.get(str(i)))
            if len(out) == lim:
                return realm.new_array(out)
        q = p
    out.append(s[p:size])
    return realm.new_array(out)


class RegExpStringIterator(JSObject):
    __slots__ = ("matcher", "s", "is_global", "unicode", "done")
    class_name = "RegExp String Iterator"

    def __init__(self, proto: JSObject, matcher: JSObject, s: str, is_global: bool, unicode: bool) -> None:
        JSObject.__init__(self, proto)
        self.matcher = matcher
        self.s = s
        self.is_global = is_global
        self.unicode = unicode
        self.done = False


def _symbol_match_all(realm: Any, this: Any, args: list[Any]) -> Any:
    rx = _this_object(this, "[Symbol.matchAll]")
    s = to_string(arg(args, 0))
    c = species_constructor(realm, rx, realm.intrinsics["%RegExp%"])
    flags = _flags_of(rx)
    matcher = c.construct([rx, flags], c)
    _set_last_index(matcher, float(to_length(rx.get("lastIndex"))))
    return RegExpStringIterator(realm.intrinsics["%RegExpStringIteratorPrototype%"], matcher, s, "g" in flags,
                                "u" in flags or "v" in flags)


def _string_iterator_next(realm: Any, this: Any, args: list[Any]) -> Any:
    from .iterator import iter_result
    if type(this) is not RegExpStringIterator:
        raise JSTypeError("next method called on incompatible receiver")
    if this.done:
        return iter_result(realm, UNDEFINED, True)
    match = regexp_exec(realm, this.matcher, this.s)
    if match is None:
        this.done = True
        return iter_result(realm, UNDEFINED, True)
    if not this.is_global:
        this.done = True
        return iter_result(realm, match, False)
    if to_string(match.get("0")) == "":
        this_index = to_length(this.matcher.get("lastIndex"))
        _set_last_index(this.matcher, float(_advance(this.s, this_index, this.unicode)))
    return iter_result(realm, match, False)


PROTOTYPE_MEMBERS = [
    ("compile", _compile_method, 2), ("exec", _exec, 1), ("test", _test, 1), ("toString", _to_string, 0),
    (SYM_MATCH, _symbol_match, 1), (SYM_MATCH_ALL, _symbol_match_all, 1), (SYM_REPLACE, _symbol_replace, 2),
    (SYM_SEARCH, _symbol_search, 1), (SYM_SPLIT, _symbol_split, 2),
]


def install(realm: Any) -> None:
    proto = realm.new_object()
    ctor = make_constructor(realm, "RegExp", 2, _call, _construct, proto)
    define_accessors(realm, ctor, [(SYM_SPECIES, _species, None)])
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    define_accessors(realm, proto, [(name, _flag_getter(name, ch), None) for name, ch in _FLAG_GETTERS])
    define_accessors(realm, proto, [("flags", _flags_getter, None), ("source", _source_getter, None)])
    realm.intrinsics["%RegExp.prototype.exec%"] = lazy_member_value(proto, "exec")
    it_proto = JSObject(realm.intrinsics.get("%IteratorPrototype%", realm.object_prototype))
    define_members(realm, it_proto, [("next", _string_iterator_next, 0)])
    raw_props(it_proto)[SYM_TO_STRING_TAG] = PropertyDescriptor(value="RegExp String Iterator", writable=False,
                                                                enumerable=False, configurable=True)
    realm.intrinsics["%RegExpStringIteratorPrototype%"] = it_proto
    from .regexp_fast import remember_pristine
    remember_pristine(realm, proto)
