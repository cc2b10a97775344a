"""Date (https://tc39.es/ecma262/#sec-date-objects): time values, local time through a time zone, the string forms.

Two hooks let the runtime control what scenario code sees: ``set_clock(realm, fn)`` (``fn()`` → ms since the epoch;
the session clock, so virtual time moves ``Date.now()``) and ``set_timezone(realm, name)`` (an IANA name; default:
``TZ`` or the host's /etc/localtime, else UTC). Calendar arithmetic follows the spec's MakeDay/MakeTime/TimeClip
with exact integers (days_from_civil), so years far outside Python's datetime range work too.
"""

from __future__ import annotations

import math
import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import JSRangeError, JSTypeError
from ..operations import to_integer_or_infinity, to_number, to_primitive
from ..values import (
    MISSING, SYM_TO_PRIMITIVE, UNDEFINED, BuiltinFunction, JSObject, PropertyDescriptor, is_callable,
)
from . import arg, define_members, lazy_member_value, make_constructor, proto_from_constructor, raw_props
from .date_parse import parse_date_string

__all__ = ["install", "DateObject", "set_clock", "set_timezone", "time_clip", "make_day", "make_time", "make_date",
           "local_tza", "parse_to_time_value"]

MS_PER_DAY = 86_400_000
_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def set_clock(realm: Any, clock: Callable[[], float]) -> None:
    """Make ``Date.now()``/``new Date()`` of ``realm`` read ``clock()`` (milliseconds since the epoch)."""
    realm.builtin_state["clock"] = clock


def set_timezone(realm: Any, name: str | None) -> None:
    """Use IANA zone ``name`` for local time in ``realm`` (None: UTC)."""
    realm.builtin_state["zone"] = ZoneInfo(name) if name else timezone.utc


def _host_zone() -> Any:
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            link = os.readlink("/etc/localtime")
            name = link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else ""
        except OSError:
            name = ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.utc


def _zone(realm: Any) -> Any:
    z = realm.builtin_state.get("zone")
    if z is None:
        z = realm.builtin_state["zone"] = _host_zone()
    return z


def _now(realm: Any) -> float:
    clock = realm.builtin_state.get("clock")
    if clock is not None:
        return float(math.floor(clock()))
    return float(time.time_ns() // 1_000_000)


# -- calendar arithmetic (exact, on ints)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def _fields(t: float) -> tuple[int, int, int, int, int, int, int, int]:
    """(year, month 0-11, date, hours, minutes, seconds, ms, weekday) of a finite time value."""
    ti = int(t)
    day, ms_in_day = divmod(ti, MS_PER_DAY)
    y, m, d = _civil_from_days(day)
    h, rest = divmod(ms_in_day, 3_600_000)
    mi, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return y, m - 1, d, h, mi, s, ms, (day + 4) % 7


def make_time(h: float, m: float, s: float, ms: float) -> float:
    if not all(math.isfinite(x) for x in (h, m, s, ms)):
        return math.nan
    return (to_integer_or_infinity(h) * 3_600_000.0 + to_integer_or_infinity(m) * 60_000.0
            + to_integer_or_infinity(s) * 1000.0 + to_integer_or_infinity(ms))


def make_day(year: float, month: float, date: float) -> float:
    if not all(math.isfinite(x) for x in (year, month, date)):
        return math.nan
    y = to_integer_or_infinity(year)
    m = to_integer_or_infinity(month)
    dt = to_integer_or_infinity(date)
    ym = y + math.floor(m / 12)
    if not math.isfinite(ym) or abs(ym) > 400_000:
        return math.nan
    mn = int(m % 12)
    return float(_days_from_civil(int(ym), mn + 1, 1)) + dt - 1


def make_date(day: float, t: float) -> float:
    if not (math.isfinite(day) and math.isfinite(t)):
        return math.nan
    tv = day * MS_PER_DAY + t
    return tv if math.isfinite(tv) else math.nan


def time_clip(t: float) -> float:
    if not math.isfinite(t) or abs(t) > 8.64e15:
        return math.nan
    return to_integer_or_infinity(t)


def _offset_ms_utc(zone: Any, t: float) -> int:
    """The zone's offset (ms) at UTC instant ``t``."""
    if zone is timezone.utc:
        return 0
    secs = min(max(t / 1000.0, -62135596800.0 + 86400 * 2), 253402300799.0 - 86400 * 2)
    dt = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=secs)
    off = dt.astimezone(zone).utcoffset()
    return int(off.total_seconds() * 1000) if off is not None else 0


def local_tza(realm: Any, t: float, is_utc: bool) -> int:
    """LocalTZA: offset for UTC instant ``t`` (is_utc) or for local time ``t`` (earlier offset when ambiguous)."""
    zone = _zone(realm)
    if zone is timezone.utc:
        return 0
    if is_utc:
        return _offset_ms_utc(zone, t)
    y, mo, d, h, mi, s, _, _ = _fields(t)
    y = min(max(y, 2), 9998)
    off = datetime(y, mo + 1, d, h, mi, s, fold=0, tzinfo=zone).utcoffset()
    return int(off.total_seconds() * 1000) if off is not None else 0


def _local(realm: Any, t: float) -> float:
    return t + local_tza(realm, t, True)


def _utc(realm: Any, t: float) -> float:
    if not math.isfinite(t):
        return math.nan
    return t - local_tza(realm, t, False)


def _zone_name(realm: Any, t: float) -> str:
    zone = _zone(realm)
    if zone is timezone.utc:
        return "Coordinated Universal Time"
    secs = min(max(t / 1000.0, -62135596800.0 + 86400 * 2), 253402300799.0 - 86400 * 2)
    dt = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=secs)).astimezone(zone)
    return dt.tzname() or "Local Time"


# -- the object


class DateObject(JSObject):
    __slots__ = ("tv",)
    class_name = "Date"

    def __init__(self, proto: JSObject | None, tv: float) -> None:
        JSObject.__init__(self, proto)
        self.tv = tv


def _this_tv(this: Any) -> float:
    if type(this) is not DateObject:
        raise JSTypeError("this is not a Date object.")
    return this.tv


def parse_to_time_value(realm: Any, s: str) -> float:
    p = parse_date_string(s)
    if p is None:
        return math.nan
    day = make_day(float(p.year), float(p.month), float(p.day))
    tv = make_date(day, make_time(float(p.hour), float(p.minute), float(p.second), float(p.ms)))
    if p.offset_minutes is None:
        tv = _utc(realm, tv)
    else:
        tv -= p.offset_minutes * 60_000
    return time_clip(tv)


def _make_full_year(y: float) -> float:
    if y != y:
        return math.nan
    i = to_integer_or_infinity(y)
    return 1900.0 + i if 0 <= i <= 99 else y


def _components_to_tv(args: list[Any]) -> float:
    nums = [to_number(a) for a in args[:7]]
    y = nums[0]
    m = nums[1] if len(nums) > 1 else 0.0
    dt = nums[2] if len(nums) > 2 else 1.0
    h = nums[3] if len(nums) > 3 else 0.0
    mi = nums[4] if len(nums) > 4 else 0.0
    s = nums[5] if len(nums) > 5 else 0.0
    ms = nums[6] if len(nums) > 6 else 0.0
    return make_date(make_day(_make_full_year(y), m, dt), make_time(h, mi, s, ms))


def _construct(realm: Any, args: list[Any], new_target: Any) -> Any:
    if not args:
        tv = _now(realm)
    elif len(args) == 1:
        v = args[0]
        if type(v) is DateObject:
            tv = v.tv
        else:
            p = to_primitive(v)
            tv = parse_to_time_value(realm, p) if type(p) is str else time_clip(to_number(p))
    else:
        tv = time_clip(_utc(realm, _components_to_tv(args)))
    return DateObject(proto_from_constructor(realm, new_target, "%Date.prototype%"), tv)


def _call(realm: Any, this: Any, args: list[Any]) -> Any:
    return _to_string_tv(realm, _now(realm))


def _date_now(realm: Any, this: Any, args: list[Any]) -> Any:
    return _now(realm)


def _date_parse(realm: Any, this: Any, args: list[Any]) -> Any:
    from ..operations import to_string
    return parse_to_time_value(realm, to_string(arg(args, 0)))


def _date_utc(realm: Any, this: Any, args: list[Any]) -> Any:
    if not args:
        args = [UNDEFINED]
    return time_clip(_components_to_tv(args))


# -- getters

def _getter(index: int, local: bool) -> Any:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        t = _this_tv(this)
        if t != t:
            return math.nan
        return float(_fields(_local(realm, t) if local else t)[index])
    return method


def _get_time(realm: Any, this: Any, args: list[Any]) -> Any:
    return _this_tv(this)


def _get_timezone_offset(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        return math.nan
    return (t - _local(realm, t)) / 60_000


def _get_year(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        return math.nan
    return float(_fields(_local(realm, t))[0] - 1900)


# -- setters: (first component, how many arguments at most, local?)

def _setter(first: int, most: int, local: bool) -> Any:
    def method(realm: Any, this: Any, args: list[Any]) -> Any:
        t = _this_tv(this)
        values = [to_number(arg(args, 0))] + [to_number(a) for a in args[1:most]]
        if t != t:
            if first != 0:
                return math.nan
            t = 0.0
        elif local:
            t = _local(realm, t)
        f = list(_fields(t)[:7])
        comps: list[float] = [float(x) for x in f]
        for i, v in enumerate(values):
            comps[first + i] = v
        new = make_date(make_day(comps[0], comps[1], comps[2]), make_time(comps[3], comps[4], comps[5], comps[6]))
        u = time_clip(_utc(realm, new) if local else new)
        this.tv = u
        return u
    return method


def _set_time(realm: Any, this: Any, args: list[Any]) -> Any:
    _this_tv(this)
    this.tv = time_clip(to_number(arg(args, 0)))
    return this.tv


def _set_year(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    y = to_number(arg(args, 0))
    t = 0.0 if t != t else _local(realm, t)
    yyyy = _make_full_year(y)
    f = _fields(t)
    d = make_day(yyyy, float(f[1]), float(f[2]))
    date = make_date(d, float(int(t) % MS_PER_DAY))
    this.tv = time_clip(_utc(realm, date))
    return this.tv


# -- strings

def _year_str(y: int) -> str:
    return f"{y:04d}" if y >= 0 else f"-{-y:04d}"


def _date_part(f: tuple[int, ...]) -> str:
    y = f[0]
    ys = f"{y:04d}" if y >= 0 else f"-{-y:04d}"
    return f"{_WEEKDAYS[f[7]]} {_MONTHS[f[1]]} {f[2]:02d} {ys}"


def _tz_part(realm: Any, t: float) -> str:
    off = (_local(realm, t) - t) / 60_000
    sign = "+" if off >= 0 else "-"
    off = abs(int(off))
    return f"GMT{sign}{off // 60:02d}{off % 60:02d} ({_zone_name(realm, t)})"


def _time_part(f: tuple[int, ...]) -> str:
    return f"{f[3]:02d}:{f[4]:02d}:{f[5]:02d}"


def _to_string_tv(realm: Any, t: float) -> str:
    if t != t:
        return "Invalid Date"
    f = _fields(_local(realm, t))
    return f"{_date_part(f)} {_time_part(f)} {_tz_part(realm, t)}"


def _to_string(realm: Any, this: Any, args: list[Any]) -> Any:
    return _to_string_tv(realm, _this_tv(this))


def _to_date_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        return "Invalid Date"
    return _date_part(_fields(_local(realm, t)))


def _to_time_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        return "Invalid Date"
    return f"{_time_part(_fields(_local(realm, t)))} {_tz_part(realm, t)}"


def _to_utc_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        return "Invalid Date"
    f = _fields(t)
    ys = f"{f[0]:04d}" if f[0] >= 0 else f"-{-f[0]:04d}"
    return f"{_WEEKDAYS[f[7]]}, {f[2]:02d} {_MONTHS[f[1]]} {ys} {_time_part(f)} GMT"


def _to_iso_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        raise JSRangeError("Invalid time value")
    f = _fields(t)
    y = f[0]
    ys = f"{y:04d}" if 0 <= y <= 9999 else (f"+{y:06d}" if y > 0 else f"-{-y:06d}")
    return f"{ys}-{f[1] + 1:02d}-{f[2]:02d}T{f[3]:02d}:{f[4]:02d}:{f[5]:02d}.{f[6]:03d}Z"


def _to_json(realm: Any, this: Any, args: list[Any]) -> Any:
    o = realm.to_object(this)
    tv = to_primitive(o, "number")
    if type(tv) is float and not math.isfinite(tv):
        return None
    f = o.get("toISOString")
    if not is_callable(f):
        raise JSTypeError("toISOString is not a function")
    return f.call(o, [])


def _locale_date(f: tuple[int, ...]) -> str:
    return f"{f[1] + 1}/{f[2]}/{_year_str(f[0]) if f[0] < 0 else f[0]}"


def _locale_time(f: tuple[int, ...]) -> str:
    h = f[3] % 12 or 12
    return f"{h}:{f[4]:02d}:{f[5]:02d} {'AM' if f[3] < 12 else 'PM'}"


def _to_locale_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    if t != t:
        return "Invalid Date"
    f = _fields(_local(realm, t))
    return f"{_locale_date(f)}, {_locale_time(f)}"


def _to_locale_date_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    return "Invalid Date" if t != t else _locale_date(_fields(_local(realm, t)))


def _to_locale_time_string(realm: Any, this: Any, args: list[Any]) -> Any:
    t = _this_tv(this)
    return "Invalid Date" if t != t else _locale_time(_fields(_local(realm, t)))


def _to_primitive(realm: Any, this: Any, args: list[Any]) -> Any:
    if not isinstance(this, JSObject):
        raise JSTypeError("Date.prototype[Symbol.toPrimitive] called on non-object")
    hint = arg(args, 0)
    if hint in ("string", "default") and type(hint) is str:
        order = ("toString", "valueOf")
    elif hint == "number" and type(hint) is str:
        order = ("valueOf", "toString")
    else:
        raise JSTypeError("Invalid hint")
    for name in order:
        m = this.get(name)
        if is_callable(m):
            r = m.call(this, [])
            if not isinstance(r, JSObject):
                return r
    raise JSTypeError("Cannot convert object to primitive value")


PROTOTYPE_MEMBERS = [
    ("getDate", _getter(2, True), 0), ("getDay", _getter(7, True), 0), ("getFullYear", _getter(0, True), 0),
    ("getHours", _getter(3, True), 0), ("getMilliseconds", _getter(6, True), 0), ("getMinutes", _getter(4, True), 0),
    ("getMonth", _getter(1, True), 0), ("getSeconds", _getter(5, True), 0), ("getTime", _get_time, 0),
    ("getTimezoneOffset", _get_timezone_offset, 0), ("getUTCDate", _getter(2, False), 0),
    ("getUTCDay", _getter(7, False), 0), ("getUTCFullYear", _getter(0, False), 0),
    ("getUTCHours", _getter(3, False), 0), ("getUTCMilliseconds", _getter(6, False), 0),
    ("getUTCMinutes", _getter(4, False), 0), ("getUTCMonth", _getter(1, False), 0),
    ("getUTCSeconds", _getter(5, False), 0), ("getYear", _get_year, 0),
    ("setDate", _setter(2, 1, True), 1), ("setFullYear", _setter(0, 3, True), 3), ("setHours", _setter(3, 4, True), 4),
    ("setMilliseconds", _setter(6, 1, True), 1), ("setMinutes", _setter(4, 3, True), 3),
    ("setMonth", _setter(1, 2, True), 2), ("setSeconds", _setter(5, 2, True), 2), ("setTime", _set_time, 1),
    ("setUTCDate", _setter(2, 1, False), 1), ("setUTCFullYear", _setter(0, 3, False), 3),
    ("setUTCHours", _setter(3, 4, False), 4), ("setUTCMilliseconds", _setter(6, 1, False), 1),
    ("setUTCMinutes", _setter(4, 3, False), 3), ("setUTCMonth", _setter(1, 2, False), 2),
    ("setUTCSeconds", _setter(5, 2, False), 2), ("setYear", _set_year, 1),
    ("toDateString", _to_date_string, 0), ("toISOString", _to_iso_string, 0), ("toJSON", _to_json, 1),
    ("toLocaleDateString", _to_locale_date_string, 0), ("toLocaleString", _to_locale_string, 0),
    ("toLocaleTimeString", _to_locale_time_string, 0), ("toString", _to_string, 0),
    ("toTimeString", _to_time_string, 0), ("toUTCString", _to_utc_string, 0), ("valueOf", _get_time, 0),
]


def install(realm: Any) -> None:
    proto = realm.new_object()
    ctor = make_constructor(realm, "Date", 7, _call, _construct, proto)
    define_members(realm, ctor, [("now", _date_now, 0), ("parse", _date_parse, 1), ("UTC", _date_utc, 7)])
    define_members(realm, proto, PROTOTYPE_MEMBERS)
    raw_props(proto)["toGMTString"] = PropertyDescriptor(lazy_member_value(proto, "toUTCString"), MISSING, MISSING,
                                                         True, False, True)
    raw_props(proto)[SYM_TO_PRIMITIVE] = PropertyDescriptor(
        value=BuiltinFunction(realm, _to_primitive, "[Symbol.toPrimitive]", 1), writable=False, enumerable=False,
        configurable=True)
