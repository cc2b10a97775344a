"""The value model: descriptors, key order, arrays, conversions and Number::toString."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from voxsim.engine.errors import JSRangeError
from voxsim.engine.operations import (
    loose_equals, number_to_string, same_value, string_to_number, to_int32, to_number, to_string, to_uint32,
    typeof,
)
from voxsim.engine.realm import Realm
from voxsim.engine.values import (
    UNDEFINED, JSArray, JSObject, JSSymbol, PropertyDescriptor, array_index, js_str_to_py, py_str_to_js,
)


@pytest.mark.parametrize("x, s", [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (0.000001, "0.000001"), (123.456, "123.456"), (math.nan, "NaN"),
    (math.inf, "Infinity"), (-math.inf, "-Infinity"), (0.1 + 0.2, "0.30000000000000004"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (123e-20, "1.23e-18"), (2 ** 53, "9007199254740992"),
])
def test_number_to_string(x: float, s: str) -> None:
    assert number_to_string(x) == s


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_to_string_round_trips(x: float) -> None:
    assert string_to_number(number_to_string(x)) == x


@pytest.mark.parametrize("s, n", [
    ("", 0.0), ("  12  ", 12.0), ("0x1F", 31.0), ("0b101", 5.0), ("0o17", 15.0), ("1e3", 1000.0), (".5", 0.5),
    ("5.", 5.0), ("-Infinity", -math.inf), ("\u00a0 7\n", 7.0),
])
def test_string_to_number(s: str, n: float) -> None:
    assert string_to_number(s) == n


@pytest.mark.parametrize("s", ["abc", "1_000", "0x", "--1", "1e", "infinity", "0x1g"])
def test_string_to_number_nan(s: str) -> None:
    assert math.isnan(string_to_number(s))


def test_int32_and_uint32() -> None:
    assert to_int32(2.0 ** 31) == -(2 ** 31)
    assert to_uint32(-1.0) == 2 ** 32 - 1
    assert to_int32(math.nan) == 0


def test_equality() -> None:
    assert loose_equals(None, UNDEFINED)
    assert not loose_equals(None, 0.0)
    assert loose_equals("1", 1.0)
    assert loose_equals(True, 1.0)
    assert not same_value(0.0, -0.0)
    assert same_value(math.nan, math.nan)


def test_typeof() -> None:
    r = Realm()
    assert typeof(UNDEFINED) == "undefined" and typeof(None) == "object" and typeof(1.0) == "number"
    assert typeof(r.global_object.get("Object")) == "function" and typeof(JSSymbol()) == "symbol"


def test_key_order_integers_first() -> None:
    o = JSObject(None)
    for k in ["b", "2", "a", "1", "10"]:
        o.create_data_property(k, 1.0)
    s = JSSymbol("s")
    o.create_data_property(s, 1.0)
    assert o.own_property_keys() == ["1", "2", "10", "b", "a", s]


def test_non_writable_and_accessor() -> None:
    r = Realm()
    o = r.new_object()
    assert o.define_own_property("x", PropertyDescriptor(value=1.0, writable=False))
    assert not o.set("x", 2.0)
    assert o.get("x") == 1.0
    assert not o.delete("x")  # not configurable by default via defineProperty
    getter = r.new_host_function("g", lambda: 5, 0)
    o.define_own_property("y", PropertyDescriptor(get=getter, enumerable=True, configurable=True))
    assert o.get("y") == 5.0
    child = r.new_object(o)
    assert child.get("y") == 5.0 and not child.set("x", 3.0)


def test_array_length_and_holes() -> None:
    r = Realm()
    a = r.new_array([1.0, 2.0, 3.0])
    assert a.get("length") == 3.0
    a.set("5", 6.0)
    assert a.length == 6 and not a.has_property("4") and a.get("5") == 6.0
    assert a.define_own_property("length", PropertyDescriptor(value=2.0))
    assert a.own_property_keys() == ["0", "1", "length"]
    with pytest.raises(JSRangeError):
        a.define_own_property("length", PropertyDescriptor(value=-1.0))
    a.set("100000", 1.0)  # far write goes to the sparse part
    assert a.length == 100001 and len(a.elems) < 1000 and a.get("100000") == 1.0
    assert a.own_property_keys()[-2:] == ["100000", "length"]


@given(st.text())
def test_utf16_round_trip(s: str) -> None:
    js = py_str_to_js(s)
    assert len(js) == len(s.encode("utf-16-le", "surrogatepass")) // 2
    assert js_str_to_py(js) == s


def test_array_index() -> None:
    assert array_index("0") == 0 and array_index("01") == -1 and array_index("4294967295") == -1
    assert array_index("x") == -1 and array_index("4294967294") == 4294967294


def test_to_string_calls_to_primitive() -> None:
    r = Realm()
    o = r.new_object()
    o.define("toString", r.new_host_function("toString", lambda: "hi", 0))
    assert to_string(o) == "hi"
    assert math.isnan(to_number(o))
    assert isinstance(r.new_array(), JSArray)
