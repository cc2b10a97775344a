"""Direct paths for String.prototype.replace/match with an untouched RegExp.

The spec's protocol (Get "flags" → eight flag getters, Get "exec", a result array per match, Get "0"/"index"/
"groups" back from it) is observable only through user code: overridden getters, ``exec``, own properties, a
non-writable or object-valued ``lastIndex``. When none of that can run, replace and global match go straight to the
compiled pattern, which makes a regex-heavy scenario loop several times faster. Anything unusual takes the
general path in ``regexp.py``.
"""

from __future__ import annotations

from typing import Any

from ..lazy import LazyMember, lazy_member_value, raw_props
from ..values import UNDEFINED, JSObject, PropertyDescriptor
from .regexp import RegExpObject, _advance, _run, _Subject, group_span

__all__ = ["remember_pristine", "is_pristine", "fast_replace", "fast_match_all_strings"]

_WATCHED = ("exec", "flags", "hasIndices", "global", "ignoreCase", "multiline", "dotAll", "unicode", "unicodeSets",
            "sticky")


def remember_pristine(realm: Any, proto: JSObject) -> None:
    """Record %RegExp.prototype%'s original members: redefining one stores a new descriptor, and assigning
    ``exec`` changes the value in its descriptor (so that function is recorded too). Only the watched members are
    made now; the others stay pending (engine/lazy.py)."""
    raw = raw_props(proto)
    for k in _WATCHED:
        if type(raw.get(k)) is LazyMember:
            lazy_member_value(proto, k)
    realm.builtin_state["regexp_pristine"] = (proto, tuple(raw.get(k) for k in _WATCHED),
                                              lazy_member_value(proto, "exec"))


def is_pristine(realm: Any, rx: Any) -> bool:
    """``rx`` is a RegExp whose protocol cannot run user code: original prototype members, only ``lastIndex`` own,
    and that one a writable number."""
    if type(rx) is not RegExpObject or len(rx.props) != 1:
        return False
    li = rx.props.get("lastIndex")
    if type(li) is not PropertyDescriptor or li.writable is not True or type(li.value) is not float:
        return False
    snap: tuple[JSObject, tuple[Any, ...], Any] | None = realm.builtin_state.get("regexp_pristine")
    if snap is None:
        return False
    proto, members, exec_fn = snap
    if rx.proto is not proto:
        return False
    props = proto.props
    return all(props.get(k) is v for k, v in zip(_WATCHED, members)) and members[0].value is exec_fn


def _set_li(rx: RegExpObject, v: float) -> None:
    d = rx.props["lastIndex"]
    rx.props["lastIndex"] = PropertyDescriptor(value=v, writable=True, enumerable=d.enumerable,
                                               configurable=d.configurable)


def _matches(rx: RegExpObject, s: str) -> list[Any]:
    """The matches RegExpExec would return in the replace/match loops, updating lastIndex the same way."""
    flags = rx.flags
    is_global = "g" in flags
    sticky = "y" in flags
    assert rx.info is not None
    unicode = rx.info.unicode
    subject = _Subject(s, unicode)
    out: list[Any] = []
    if not is_global:
        start = 0
        if sticky:
            li = rx.props["lastIndex"].value
            start = len(s) + 1 if li > len(s) else (int(li) if li > 0 else 0)
            if start > len(s):
                _set_li(rx, 0.0)
                return out
        m = _run(rx, subject, start, sticky)
        if m is None:
            if sticky:
                _set_li(rx, 0.0)
            return out
        if sticky:
            _set_li(rx, float(subject.to_units(m.end())))
        out.append((subject, m))
        return out
    pos = 0
    n = len(s)
    while pos <= n:
        m = _run(rx, subject, pos, sticky)
        if m is None:
            break
        out.append((subject, m))
        end = subject.to_units(m.end())
        pos = _advance(s, end, unicode) if m.end() == m.start() else end
    _set_li(rx, 0.0)
    return out


def _captures(subject: _Subject, m: Any, info: Any) -> list[Any]:
    s = subject.s
    caps: list[Any] = []
    for g in range(1, info.group_count + 1):
        a, b = group_span(info, m, g)
        caps.append(UNDEFINED if a < 0 else s[subject.to_units(a):subject.to_units(b)])
    return caps


def fast_replace(realm: Any, rx: RegExpObject, s: str, replace_value: Any, functional: bool) -> str:
    from .string import check_string_length, get_substitution, held_string
    info = rx.info
    assert info is not None
    named_groups = any(n is not None for n in info.group_names)
    acc: list[str] = []
    next_pos = 0
    for subject, m in _matches(rx, s):
        start, end = subject.to_units(m.start()), subject.to_units(m.end())
        matched = s[start:end]
        captures = _captures(subject, m, info)
        named: Any = UNDEFINED
        if named_groups:
            named = JSObject(None)
            for i, name in enumerate(info.group_names):
                if name is not None:
                    named.props[name] = captures[i]
        if functional:
            call_args = [matched] + captures + [float(start), s]
            if named is not UNDEFINED:
                call_args.append(named)
            from ..operations import to_string
            replacement = to_string(replace_value.call(UNDEFINED, call_args))
        else:
            replacement = get_substitution(realm, matched, s, start, captures, named, replace_value)
        if start >= next_pos:
            acc.append(s[next_pos:start])
            acc.append(replacement)
            next_pos = end
    acc.append(s[next_pos:])
    out = "".join(acc)
    check_string_length(len(out), realm)
    return held_string(realm, out)


def fast_match_all_strings(rx: RegExpObject, s: str) -> list[str]:
    """The matched substrings of a global match (``str.match(/…/g)``)."""
    return [subject.s[subject.to_units(m.start()):subject.to_units(m.end())] for subject, m in _matches(rx, s)]
