"""Date: exact calendar arithmetic, local time through a zone, parse/format round trips, the clock hook."""

from __future__ import annotations

import functools
import math
from typing import Any

import pytest
from hypothesis import given, strategies as st

from voxsim.engine.builtins.date import (
    DateObject, make_date, make_day, make_time, parse_to_time_value, set_clock, set_timezone, time_clip,
)
from voxsim.engine.errors import JSRangeError, JSTypeError
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED


@functools.cache
def realm_in(zone: str | None) -> Realm:
    r = Realm()
    set_timezone(r, zone)
    return r


@pytest.fixture(scope="module")
def utc() -> Realm:
    return realm_in(None)


@pytest.fixture(scope="module")
def ny() -> Realm:
    return realm_in("America/New_York")


def new_date(realm: Realm, *args: Any) -> DateObject:
    c = realm.global_object.get("Date")
    return c.construct(list(args), c)


def m(d: DateObject, name: str, *args: Any) -> Any:
    return d.get(name).call(d, list(args))


def static(realm: Realm, name: str, *args: Any) -> Any:
    c = realm.global_object.get("Date")
    return c.get(name).call(c, list(args))


def test_make_day_and_time() -> None:
    assert make_day(1970.0, 0.0, 1.0) == 0.0
    assert make_day(2000.0, 1.0, 29.0) == 11016.0
    assert make_day(2020.0, 12.0, 1.0) == make_day(2021.0, 0.0, 1.0)
    assert make_day(2020.0, -1.0, 1.0) == make_day(2019.0, 11.0, 1.0)
    assert math.isnan(make_day(math.inf, 0.0, 1.0))
    assert make_time(1.0, 1.0, 1.0, 1.5) == 3661001.0
    assert math.isnan(make_date(math.nan, 0.0))
    assert math.isnan(time_clip(8.64e15 + 1)) and time_clip(-0.0) == 0.0 and math.copysign(1, time_clip(-0.0)) == 1


@pytest.mark.parametrize("text, tv", [
    ("2024-02-29T12:30:15.250Z", 1709209815250.0), ("2020-01-01", 1577836800000.0), ("2020", 1577836800000.0),
    ("2020-06", 1590969600000.0), ("2020-01-01T00:00+01:00", 1577833200000.0), ("+002020-01-01T00:00:00Z", 1577836800000.0),
    ("-000001-01-01T00:00:00Z", -62198755200000.0), ("2020-01-01T24:00:00Z", 1577923200000.0),
    ("Thu Feb 29 2024 12:30:15 GMT+0000 (Coordinated Universal Time)", 1709209815000.0),
    ("Thu, 29 Feb 2024 12:30:15 GMT", 1709209815000.0), ("Feb 1, 2022 10:00:00 GMT", 1643709600000.0),
    ("2022/02/01 10:00 UTC", 1643709600000.0), ("1 January 2000 00:00 UTC", 946684800000.0),
])
def test_parse(utc: Realm, text: str, tv: float) -> None:
    assert parse_to_time_value(utc, text) == tv


@pytest.mark.parametrize("text", [
    "2020-13-01", "2020-02-30", "2020-01-01T25:00Z", "2020-01-01T24:01Z", "-000000-01-01", "x", "", "2020-1-1",
    "2021-02-29",
])
def test_parse_invalid(utc: Realm, text: str) -> None:
    assert math.isnan(parse_to_time_value(utc, text))


def test_local_time_in_new_york(ny: Realm) -> None:
    d = new_date(ny, 2024.0, 0.0, 15.0, 9.0)      # local 09:00 EST
    assert m(d, "getTime") == 1705327200000.0
    assert m(d, "getHours") == 9.0 and m(d, "getUTCHours") == 14.0
    assert m(d, "getTimezoneOffset") == 300.0
    summer = new_date(ny, 2024.0, 6.0, 1.0)
    assert m(summer, "getTimezoneOffset") == 240.0
    assert m(d, "toString") == "Mon Jan 15 2024 09:00:00 GMT-0500 (EST)"
    assert parse_to_time_value(ny, "2024-01-15T09:00:00") == 1705327200000.0    # date-time without zone: local
    assert parse_to_time_value(ny, "2024-01-15") == 1705276800000.0             # date only: UTC
    gap = new_date(ny, 2024.0, 2.0, 10.0, 2.0, 30.0)     # 02:30 does not exist on 2024-03-10
    assert m(gap, "getHours") == 3.0


def test_setters_follow_the_spec(utc: Realm) -> None:
    d = new_date(utc, 2020.0, 0.0, 31.0)
    assert m(d, "setMonth", 1.0) == m(d, "getTime")
    assert (m(d, "getMonth"), m(d, "getDate")) == (2.0, 2.0)
    m(d, "setHours", 25.0, 61.0)
    assert (m(d, "getDate"), m(d, "getHours"), m(d, "getMinutes")) == (3.0, 2.0, 1.0)
    bad = new_date(utc, math.nan)
    assert math.isnan(m(bad, "setDate", 1.0))
    m(bad, "setFullYear", 2000.0)
    assert m(bad, "toISOString") == "2000-01-01T00:00:00.000Z"
    m(d, "setYear", 99.0)
    assert m(d, "getFullYear") == 1999.0
    assert math.isnan(m(d, "setTime", 8.64e15 + 1))


def test_setter_coerces_arguments_even_for_invalid_date(utc: Realm) -> None:
    calls = []
    obj = utc.new_object()
    obj.props["valueOf"] = utc.new_host_function("valueOf", lambda: calls.append(1) or 1.0)
    bad = new_date(utc, math.nan)
    assert math.isnan(m(bad, "setHours", obj, obj))
    assert calls == [1, 1]


def test_strings(utc: Realm) -> None:
    d = new_date(utc, 1709209815250.0)
    assert m(d, "toISOString") == "2024-02-29T12:30:15.250Z"
    assert m(d, "toUTCString") == "Thu, 29 Feb 2024 12:30:15 GMT"
    assert m(d, "toDateString") == "Thu Feb 29 2024"
    assert m(d, "toLocaleString") == "2/29/2024, 12:30:15 PM"
    assert m(d, "toJSON") == "2024-02-29T12:30:15.250Z"
    assert m(new_date(utc, -1.0), "toISOString") == "1969-12-31T23:59:59.999Z"
    assert m(new_date(utc, 8.64e15), "toISOString") == "+275760-09-13T00:00:00.000Z"
    invalid = new_date(utc, math.nan)
    assert m(invalid, "toString") == "Invalid Date" and m(invalid, "toJSON") is None
    with pytest.raises(JSRangeError):
        m(invalid, "toISOString")
    with pytest.raises(JSTypeError):
        utc.intrinsics["%Date.prototype%"].get("getTime").call(utc.new_object(), [])


def test_statics_and_constructor(utc: Realm) -> None:
    assert static(utc, "UTC", 99.0) == 915148800000.0
    assert math.isnan(static(utc, "UTC"))
    assert static(utc, "UTC", 2024.0, 1.0, 29.0, 12.0, 30.0, 15.0, 250.0) == 1709209815250.0
    copy = new_date(utc, new_date(utc, 5.0))
    assert m(copy, "getTime") == 5.0
    assert m(new_date(utc, "2020-01-01"), "getTime") == 1577836800000.0
    c = utc.global_object.get("Date")
    assert type(c.call(UNDEFINED, [])) is str


def test_clock_hook() -> None:
    r = Realm()
    now = [1_000.0]
    set_clock(r, lambda: now[0])
    assert static(r, "now") == 1000.0
    now[0] = 2_500.7
    assert static(r, "now") == 2500.0
    assert m(new_date(r), "getTime") == 2500.0


@given(st.integers(min_value=-8_640_000_000_000_000, max_value=8_640_000_000_000_000))
def test_iso_round_trip(tv: int) -> None:
    r = realm_in(None)
    d = new_date(r, float(tv))
    assert parse_to_time_value(r, m(d, "toISOString")) == float(tv)


@given(st.integers(min_value=-2_000_000_000_000, max_value=4_000_000_000_000))
def test_to_string_round_trip_in_a_zone(tv: int) -> None:
    r = realm_in("Europe/Berlin")
    d = new_date(r, float(tv))
    assert parse_to_time_value(r, m(d, "toString")) == float(tv - tv % 1000)
    assert parse_to_time_value(r, m(d, "toUTCString")) == float(tv - tv % 1000)


SNIPPETS = [
    ("new Date(Date.UTC(2024, 1, 29, 12, 30, 15, 250)).toISOString()", "2024-02-29T12:30:15.250Z"),
    ("JSON.stringify({d: new Date(0)})", '{"d":"1970-01-01T00:00:00.000Z"}'),
    ("Date.parse('2020-01-01') + ' ' + isNaN(Date.parse('nope'))", "1577836800000 true"),
    ("(function () { var d = new Date(2020, 0, 31); d.setMonth(1); return d.getMonth() + '/' + d.getDate(); })()",
     "2/2"),
    ("typeof Date() + ' ' + typeof (new Date(0) + 1) + ' ' + (new Date(5) - 0)", "string string 5"),
    ("String(new Date(NaN)) + ' ' + new Date(8.64e15 + 1).getTime()", "Invalid Date NaN"),
    ("(function () { try { new Date(NaN).toISOString(); } catch (e) { return e.name; } })()", "RangeError"),
    ("Date.prototype.toGMTString === Date.prototype.toUTCString", "true"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected


def test_negative_years_print_four_digits_and_parse_back(utc: Realm) -> None:
    d = new_date(utc, -62198755200000.0)
    assert m(d, "toString").startswith("Fri Jan 01 -0001 00:00:00")
    assert m(d, "toUTCString") == "Fri, 01 Jan -0001 00:00:00 GMT"
    assert parse_to_time_value(utc, m(d, "toString")) == -62198755200000.0
