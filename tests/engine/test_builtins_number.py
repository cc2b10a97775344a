"""Number: constructor and statics, exact toFixed/toExponential/toPrecision/toString(radix), parseInt/parseFloat."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, strategies as st

from voxsim.engine.builtins.number import parse_float, parse_int, to_exponential, to_fixed, to_precision
from voxsim.engine.errors import JSRangeError, JSTypeError
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED, JSPrimitiveObject


@pytest.fixture(scope="module")
def realm() -> Realm:
    return Realm()


def call(realm: Realm, path: str, this: Any, *args: Any) -> Any:
    obj: Any = realm.global_object
    for part in path.split("."):
        obj = obj.get(part)
    return obj.call(this, list(args))


@pytest.mark.parametrize("x, digits, out", [
    (1.005, 2, "1.00"), (1.45, 1, "1.4"), (0.5, 0, "1"), (-1.5, 0, "-2"), (-0.0, 2, "0.00"), (123.456, 0, "123"),
    (1e21, 2, "1e+21"), (0.000001, 7, "0.0000010"), (1000000000000000128.0, 0, "1000000000000000128"),
    (2.5, 0, "3"), (1.255, 2, "1.25"), (42.0, 3, "42.000"), (0.1, 20, "0.10000000000000000555"),
])
def test_to_fixed(realm: Realm, x: float, digits: int, out: str) -> None:
    assert call(realm, "Number.prototype.toFixed", x, float(digits)) == out


@pytest.mark.parametrize("x, digits, out", [
    (123456.0, 2.0, "1.23e+5"), (0.0, UNDEFINED, "0e+0"), (77.1234, UNDEFINED, "7.71234e+1"),
    (77.1234, 4.0, "7.7123e+1"), (1.5e-7, UNDEFINED, "1.5e-7"), (-5.0, 1.0, "-5.0e+0"), (math.inf, 200.0, "Infinity"),
    (25.0, 0.0, "3e+1"), (12345.0, 3.0, "1.235e+4"),
])
def test_to_exponential(realm: Realm, x: float, digits: Any, out: str) -> None:
    assert call(realm, "Number.prototype.toExponential", x, digits) == out


@pytest.mark.parametrize("x, p, out", [
    (123.456, 4.0, "123.5"), (0.000123, 2.0, "0.00012"), (1e21, 3.0, "1.00e+21"), (123456.0, 2.0, "1.2e+5"),
    (0.0, 3.0, "0.00"), (99.99, 3.0, "100"), (1.0, 1.0, "1"), (0.00000123, 2.0, "0.0000012"),
    (1e-7, 1.0, "1e-7"), (5.0, UNDEFINED, "5"), (-1.25, 2.0, "-1.3"),
])
def test_to_precision(realm: Realm, x: float, p: Any, out: str) -> None:
    assert call(realm, "Number.prototype.toPrecision", x, p) == out


@pytest.mark.parametrize("method, arg", [
    ("toFixed", 101.0), ("toFixed", -1.0), ("toExponential", 101.0), ("toPrecision", 0.0), ("toPrecision", 101.0),
    ("toString", 1.0), ("toString", 37.0),
])
def test_range_errors(realm: Realm, method: str, arg: float) -> None:
    with pytest.raises(JSRangeError):
        call(realm, f"Number.prototype.{method}", 1.5, arg)


@pytest.mark.parametrize("x, radix, out", [
    (255.0, 16.0, "ff"), (-255.0, 2.0, "-11111111"), (0.5, 2.0, "0.1"), (35.0, 36.0, "z"), (10.0, UNDEFINED, "10"),
    (math.nan, 2.0, "NaN"), (-0.0, 10.0, "0"),
])
def test_to_string_radix(realm: Realm, x: float, radix: Any, out: str) -> None:
    assert call(realm, "Number.prototype.toString", x, radix) == out


def test_this_number_value(realm: Realm) -> None:
    proto = realm.intrinsics["%Number.prototype%"]
    wrapped = JSPrimitiveObject(proto, 7.0)
    assert call(realm, "Number.prototype.valueOf", wrapped) == 7.0
    with pytest.raises(JSTypeError):
        call(realm, "Number.prototype.valueOf", "7")


@pytest.mark.parametrize("fn, value, out", [
    ("isInteger", 5.0, True), ("isInteger", 5.5, False), ("isInteger", "5", False), ("isSafeInteger", 2.0 ** 53, False),
    ("isSafeInteger", 2.0 ** 53 - 1, True), ("isNaN", math.nan, True), ("isNaN", "NaN", False),
    ("isFinite", math.inf, False), ("isFinite", 1.0, True),
])
def test_statics(realm: Realm, fn: str, value: Any, out: bool) -> None:
    assert call(realm, f"Number.{fn}", UNDEFINED, value) is out


def test_constants_and_constructor(realm: Realm) -> None:
    number = realm.global_object.get("Number")
    assert number.get("MAX_SAFE_INTEGER") == 2.0 ** 53 - 1
    assert number.get("EPSILON") == 2.0 ** -52
    assert number.get("MIN_VALUE") == 5e-324
    assert number.get_own_property("MAX_VALUE").writable is False
    assert number.call(UNDEFINED, []) == 0.0
    assert number.call(UNDEFINED, [" 0x10 "]) == 16.0
    assert math.isnan(number.call(UNDEFINED, ["12px"]))
    wrapped = number.construct(["3"], number)
    assert isinstance(wrapped, JSPrimitiveObject) and wrapped.value == 3.0


@pytest.mark.parametrize("s, radix, out", [
    ("  42px", UNDEFINED, 42.0), ("0x1F", UNDEFINED, 31.0), ("0x1F", 16.0, 31.0), ("0x1F", 10.0, 0.0),
    ("-0", UNDEFINED, -0.0), ("z", 36.0, 35.0), ("12", 1.0, math.nan), ("", UNDEFINED, math.nan),
    ("\u00a0 -17.9", UNDEFINED, -17.0), ("101", 2.0, 5.0), ("9007199254740993", UNDEFINED, 9007199254740992.0),
])
def test_parse_int(s: str, radix: Any, out: float) -> None:
    got = parse_int(s, radix)
    if math.isnan(out):
        assert math.isnan(got)
    else:
        assert got == out and math.copysign(1, got) == math.copysign(1, out)


@pytest.mark.parametrize("s, out", [
    ("3.14abc", 3.14), ("  -.5e-3x", -0.0005), ("1e", 1.0), ("Infinityx", math.inf), ("-Infinity", -math.inf),
    ("0x10", 0.0), (".e1", math.nan), ("-0", -0.0), ("1e1000", math.inf),
])
def test_parse_float(s: str, out: float) -> None:
    got = parse_float(s)
    if math.isnan(out):
        assert math.isnan(got)
    else:
        assert got == out and math.copysign(1, got) == math.copysign(1, out)


def test_parse_int_is_shared(realm: Realm) -> None:
    number = realm.global_object.get("Number")
    g = realm.global_object.get("parseInt")
    if g is not UNDEFINED:
        assert number.get("parseInt") is g


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite, st.integers(min_value=1, max_value=21))
def test_to_precision_round_trips_at_17(x: float, p: int) -> None:
    s = to_precision(x, 17)
    assert float(s) == x
    mantissa = to_precision(x, p).lstrip("-").split("e")[0].replace(".", "")
    assert len(mantissa if x == 0 else mantissa.lstrip("0")) == p


@given(finite)
def test_to_exponential_shortest_round_trips(x: float) -> None:
    assert float(to_exponential(x, None)) == x


@given(st.floats(min_value=-1e20, max_value=1e20), st.integers(min_value=0, max_value=20))
def test_to_fixed_is_within_half_unit(x: float, f: int) -> None:
    from decimal import Decimal
    s = to_fixed(x, f)
    assert abs(Decimal(s) - Decimal(x)) <= Decimal(1) / (2 * 10 ** f)
    if f:
        assert len(s.split(".")[1]) == f


SNIPPETS = [
    ("(1.005).toFixed(2) + ' ' + (1e21).toFixed(2) + ' ' + (0.000001).toFixed(7)", "1.00 1e+21 0.0000010"),
    ("(123.456).toPrecision(4) + ' ' + (0.00000123).toPrecision(2) + ' ' + (123456).toPrecision(2)",
     "123.5 0.0000012 1.2e+5"),
    ("(77.1234).toExponential() + ' ' + (77.1234).toExponential(2) + ' ' + (0).toExponential()", "7.71234e+1 7.71e+1 0e+0"),
    ("(255).toString(16) + ' ' + (255).toString(2) + ' ' + (-255).toString(36) + ' ' + (0.5).toString(2)",
     "ff 11111111 -73 0.1"),
    ("0.1 + 0.2", "0.30000000000000004"),
    ("[1e21, 1e-7, 123e-20, -0, 2**53].join(' ')", "1e+21 1e-7 1.23e-18 0 9007199254740992"),
    ("Number('  0x10  ') + Number('') + Number(null) + ' ' + Number('12px') + ' ' + Number(undefined)", "16 NaN NaN"),
    ("Number.isInteger(5) + ' ' + Number.isSafeInteger(2**53) + ' ' + Number.isNaN('NaN')", "true false false"),
    ("Number.parseFloat === parseFloat && Number.parseInt === parseInt", "true"),
    ("parseInt('0x1f') + parseInt('08') + parseInt('z', 36) + ' ' + parseFloat('3.14abc')", "74 3.14"),
    ("Number.MAX_SAFE_INTEGER + ' ' + Number.EPSILON + ' ' + Number.MIN_VALUE", "9007199254740991 2.220446049250313e-16 5e-324"),
    ("(function () { try { (1).toFixed(101); } catch (e) { return e.name; } })()", "RangeError"),
    ("(function () { try { Number.prototype.toString.call('1'); } catch (e) { return e.name; } })()", "TypeError"),
    ("typeof new Number(1) + ' ' + (new Number(2) + 1)", "object 3"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected


@pytest.mark.parametrize("x, radix, out", [
    (0.1, 2, "0.0001100110011001100110011001100110011001100110011001101"), (3.14159, 16, "3.243f3e0370cdc"),
    (1e21, 16, "3635c9adc5dea00000"), (1 / 3, 3, "0.1"), (-255.5, 16, "-ff.8"), (2.0 ** 60, 2, "1" + "0" * 60),
])
def test_radix_digits_like_v8(x: float, radix: int, out: str) -> None:
    from voxsim.engine.operations import number_to_string
    assert number_to_string(x, radix) == out


def test_smallest_subnormal_in_base_2() -> None:
    from voxsim.engine.operations import number_to_string
    s = number_to_string(5e-324, 2)
    assert s == "0." + "0" * 1073 + "1"


@given(st.floats(min_value=1e-300, max_value=1e300), st.integers(min_value=2, max_value=36).filter(lambda r: r != 10))
def test_radix_string_round_trips(x: float, radix: int) -> None:
    from voxsim.engine.operations import number_to_string
    s = number_to_string(x, radix)
    ip, _, fp = s.partition(".")
    value = int(ip, radix) + sum(int(c, radix) * float(radix) ** -(i + 1) for i, c in enumerate(fp))
    assert math.isclose(value, x, rel_tol=1e-12)
