"""Date string parsing for Date.parse and ``new Date(string)``: the ISO Date Time String Format exactly, then the
formats Date.prototype.toString/toUTCString produce and the common legacy forms browsers accept ("Feb 1, 2022",
"2022/02/01 10:00"). Returns components; the caller (``date.py``) turns them into a time value."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ParsedDate", "parse_date_string"]


@dataclass
class ParsedDate:
    year: int
    month: int          # 0-based
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    ms: int = 0
    offset_minutes: int | None = None   # None: local time


_ISO = re.compile(
    r"(?P<year>[+-]\d{6}|\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?\Z")

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420,
          "mdt": -360, "pst": -480, "pdt": -420}
_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _valid(p: ParsedDate) -> bool:
    if not 0 <= p.month <= 11 or p.day < 1:
        return False
    dim = 29 if p.month == 1 and _leap(p.year) else (28 if p.month == 1 else _DAYS_IN_MONTH[p.month])
    if p.day > dim:
        return False
    if p.hour == 24:
        return p.minute == 0 and p.second == 0 and p.ms == 0
    return 0 <= p.hour <= 23 and 0 <= p.minute <= 59 and 0 <= p.second <= 59


def _parse_iso(s: str) -> ParsedDate | None:
    m = _ISO.match(s)
    if not m:
        return None
    ys = m.group("year")
    if ys == "-000000":
        return None
    p = ParsedDate(int(ys), int(m.group("month") or 1) - 1, int(m.group("day") or 1))
    if m.group("hour") is not None:
        p.hour, p.minute = int(m.group("hour")), int(m.group("minute"))
        p.second = int(m.group("second") or 0)
        frac = m.group("frac")
        if frac:
            p.ms = int((frac + "00")[:3])
        tz = m.group("tz")
        if tz is None:
            p.offset_minutes = None
        elif tz == "Z":
            p.offset_minutes = 0
        else:
            hh, mm = int(tz[1:3]), int(tz[4:6])
            if hh > 23 or mm > 59:
                return None
            p.offset_minutes = (hh * 60 + mm) * (-1 if tz[0] == "-" else 1)
    else:
        p.offset_minutes = 0   # date-only forms are UTC
    return p if _valid(p) else None


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+)|(?P<word>[A-Za-z]+)|(?P<sym>[+\-:/,.()]))")


def _parse_legacy(s: str) -> ParsedDate | None:
    s = re.sub(r"\([^)]*\)", " ", s).strip()
    tokens: list[tuple[str, str]] = []
    spaced: list[bool] = []          # token preceded by whitespace
    pos = 0
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m:
            if s[pos:].strip() == "":
                break
            return None
        pos = m.end()
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        spaced.append(m.group(0)[:1].isspace())
    year = month = day = None
    hour = minute = second = ms = 0
    offset: int | None = None
    pm: bool | None = None
    numbers: list[tuple[int, int]] = []    # (value, digit count) of loose numbers
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "num" and i + 1 < len(tokens) and tokens[i + 1][1] == ":":
            hour = int(text)
            i += 2
            if i >= len(tokens) or tokens[i][0] != "num":
                return None
            minute = int(tokens[i][1])
            i += 1
            if i + 1 < len(tokens) and tokens[i][1] == ":" and tokens[i + 1][0] == "num":
                second = int(tokens[i + 1][1])
                i += 2
                if i + 1 < len(tokens) and tokens[i][1] == "." and tokens[i + 1][0] == "num":
                    ms = int((tokens[i + 1][1] + "00")[:3])
                    i += 2
            continue
        if kind == "word":
            w = text.lower()
            if w in _ZONES:
                offset = _ZONES[w]
            elif w in ("am", "pm"):
                pm = w == "pm"
            elif w[:3] in _MONTHS and len(w) >= 3:
                month = _MONTHS.index(w[:3])
            elif w[:3] in _DAYS and len(w) >= 3 or w == "t":
                pass
            else:
                return None
            i += 1
            continue
        if kind == "sym" and text in "+-" and i + 1 < len(tokens) and tokens[i + 1][0] == "num" and \
                (offset is not None or hour or minute or numbers and year is not None):
            digits = tokens[i + 1][1]
            sign = -1 if text == "-" else 1
            if i + 3 < len(tokens) and tokens[i + 2][1] == ":" and tokens[i + 3][0] == "num":
                hh, mm = int(digits), int(tokens[i + 3][1])
                i += 4
            else:
                n = int(digits)
                hh, mm = (n // 100, n % 100) if len(digits) > 2 else (n, 0)
                i += 2
            offset = sign * (hh * 60 + mm)
            continue
        if kind == "num":
            negative = i > 0 and tokens[i - 1][1] == "-" and (i < 2 or spaced[i - 1]) and not spaced[i]
            numbers.append((-int(text) if negative else int(text), len(text)))
        i += 1
    if month is not None:
        rest = numbers
        if len(rest) < 1:
            return None
        if len(rest) == 1:
            day, year = 1, rest[0][0]
        elif rest[0][1] > 2:
            year, day = rest[0][0], rest[1][0]
        else:
            day, year = rest[0][0], rest[1][0]
    else:
        if len(numbers) < 3:
            return None
        a, b, c = numbers[0], numbers[1], numbers[2]
        if a[1] > 2:            # 2022/02/01
            year, month, day = a[0], b[0] - 1, c[0]
        else:                   # 02/01/2022 (month first)
            month, day, year = a[0] - 1, b[0], c[0]
    if year is not None and 0 <= year <= 49 and len(str(year)) <= 2:
        year += 2000
    elif year is not None and 50 <= year <= 99:
        year += 1900
    if pm is not None:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if pm else 0)
    p = ParsedDate(year if year is not None else 0, month if month is not None else 0, day or 1, hour, minute,
                   second, ms, offset)
    return p if _valid(p) else None


def parse_date_string(s: str) -> ParsedDate | None:
    """Components of a date string, or None when it cannot be read (Date.parse gives NaN)."""
    s = s.strip()
    if not s:
        return None
    p = _parse_iso(s)
    if p is not None:
        return p
    if re.match(r"\d{4}-\d\d-\d\d \d", s):      # "2022-02-01 10:00" reads as local time, like V8
        return _parse_iso(s.replace(" ", "T", 1))
    if re.match(r"[+-]?\d{4,6}-", s):
        return None   # ISO-looking but invalid: reject rather than guess
    try:
        return _parse_legacy(s)
    except (ValueError, IndexError):
        return None
