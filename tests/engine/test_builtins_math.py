"""Math: IEEE results with JS edge cases (−0, NaN, ±Infinity), max/min coercion, seeded random."""

from __future__ import annotations

import math
from typing import Any

import pytest

from voxsim.engine.builtins.math import set_random_seed
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED

NAN = math.nan
INF = math.inf


@pytest.fixture(scope="module")
def realm() -> Realm:
    return Realm()


def m(realm: Realm, name: str, *args: Any) -> Any:
    math_obj = realm.global_object.get("Math")
    return math_obj.get(name).call(math_obj, list(args))


def same(a: float, b: float) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


@pytest.mark.parametrize("name, args, out", [
    ("round", (-0.5,), -0.0), ("round", (2.5,), 3.0), ("round", (-2.5,), -2.0), ("round", (0.49999999999999994,), 0.0),
    ("round", (-0.0,), -0.0), ("round", (INF,), INF), ("ceil", (-0.5,), -0.0), ("floor", (-0.0,), -0.0),
    ("floor", (-1.5,), -2.0), ("trunc", (-0.9,), -0.0), ("trunc", (NAN,), NAN), ("sign", (-3.0,), -1.0),
    ("sign", (-0.0,), -0.0), ("abs", (-INF,), INF), ("sqrt", (-1.0,), NAN), ("sqrt", (-0.0,), -0.0),
    ("pow", (2.0, 10.0), 1024.0), ("pow", (1.0, INF), NAN), ("pow", (NAN, 0.0), 1.0), ("pow", (0.0, -1.0), INF),
    ("pow", (-0.0, -3.0), -INF), ("pow", (-0.0, -2.0), INF), ("pow", (-8.0, 1 / 3), NAN), ("pow", (10.0, 400.0), INF),
    ("atanh", (1.0,), INF), ("atanh", (-1.0,), -INF), ("atanh", (2.0,), NAN), ("log", (0.0,), -INF),
    ("log", (-1.0,), NAN), ("log2", (8.0,), 3.0), ("log10", (1000.0,), 3.0), ("log1p", (-1.0,), -INF),
    ("exp", (-INF,), 0.0), ("exp", (1000.0,), INF), ("expm1", (-0.0,), -0.0), ("cosh", (1000.0,), INF),
    ("sinh", (-1000.0,), -INF), ("sin", (INF,), NAN), ("tan", (-0.0,), -0.0), ("cbrt", (-27.0,), -3.0),
    ("acos", (2.0,), NAN), ("acosh", (0.5,), NAN), ("asinh", (-0.0,), -0.0), ("atan2", (0.0, -0.0), math.pi),
    ("atan2", (NAN, 1.0), NAN), ("max", (), -INF), ("min", (), INF), ("max", (0.0, -0.0), 0.0),
    ("min", (0.0, -0.0), -0.0), ("max", (1.0, NAN, 3.0), NAN), ("max", ("3", 2.0), 3.0), ("hypot", (3.0, 4.0), 5.0),
    ("hypot", (NAN, INF), INF), ("hypot", (), 0.0), ("clz32", (1.0,), 31.0), ("clz32", (0.0,), 32.0),
    ("clz32", (-1.0,), 0.0), ("imul", (4294967295.0, 5.0), -5.0), ("imul", (3.0, 4.0), 12.0),
    ("fround", (5.5,), 5.5), ("fround", (5.05,), 5.050000190734863), ("fround", (1e300,), INF),
    ("fround", (-0.0,), -0.0),
])
def test_math(realm: Realm, name: str, args: tuple[Any, ...], out: float) -> None:
    assert same(m(realm, name, *args), out)


def test_constants_and_tag(realm: Realm) -> None:
    math_obj = realm.global_object.get("Math")
    assert math_obj.get("PI") == math.pi
    assert math_obj.get_own_property("E").writable is False
    assert math_obj.get("SQRT1_2") == math.sqrt(0.5)
    call = realm.intrinsics["%Object.prototype.toString%"]
    assert call.call(math_obj, []) == "[object Math]"


def test_max_coerces_every_argument_before_deciding(realm: Realm) -> None:
    seen: list[str] = []
    obj = realm.new_object()
    obj.props["valueOf"] = realm.new_host_function("valueOf", lambda: seen.append("v") or 1.0)
    assert math.isnan(m(realm, "max", NAN, obj))
    assert seen == ["v"]


def test_random_is_seedable(realm: Realm) -> None:
    set_random_seed(realm, 42)
    a = [m(realm, "random") for _ in range(3)]
    set_random_seed(realm, 42)
    b = [m(realm, "random") for _ in range(3)]
    assert a == b and all(0 <= x < 1 for x in a)


def test_lengths(realm: Realm) -> None:
    math_obj = realm.global_object.get("Math")
    assert math_obj.get("max").get("length") == 2.0
    assert math_obj.get("random").get("length") == 0.0
    assert m(realm, "abs", UNDEFINED) != m(realm, "abs", UNDEFINED)


SNIPPETS = [
    ("Math.round(-0.5) === 0 && 1 / Math.round(-0.5)", "-Infinity"),
    ("Math.max() + ' ' + Math.min() + ' ' + Math.max(1, '3', 2) + ' ' + Math.max(1, NaN)", "-Infinity Infinity 3 NaN"),
    ("Math.hypot(3, 4) + ' ' + Math.cbrt(-27) + ' ' + Math.sign(-3) + ' ' + Math.trunc(-4.7)", "5 -3 -1 -4"),
    ("Math.clz32(1) + ' ' + Math.imul(0xffffffff, 5) + ' ' + Math.fround(5.05)", "31 -5 5.050000190734863"),
    ("Math.pow(2, 10) + ' ' + Math.pow(1, Infinity) + ' ' + Math.pow(NaN, 0)", "1024 NaN 1"),
    ("(function () { var r = Math.random(); return r >= 0 && r < 1; })()", "true"),
    ("Object.prototype.toString.call(Math)", "[object Math]"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected
