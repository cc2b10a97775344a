"""String: UTF-16 code-unit semantics, ES2022 methods, GetSubstitution, the string iterator."""

from __future__ import annotations

import math
from typing import Any

import pytest

from voxsim.engine.builtins.string import get_substitution
from voxsim.engine.errors import JSRangeError, JSTypeError
from voxsim.engine.host import to_py
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED, JSArray, JSPrimitiveObject

GRIN = "\ud83d\ude00"   # U+1F600 as the surrogate pair JS stores


@pytest.fixture(scope="module")
def realm() -> Realm:
    return Realm()


def s(realm: Realm, method: str, this: Any, *args: Any) -> Any:
    r = realm.intrinsics["%String.prototype%"].get(method).call(this, list(args))
    return to_py(r) if isinstance(r, JSArray) else r


@pytest.mark.parametrize("method, this, args, out", [
    ("padStart", "abc", (10.0, "12"), "1212121abc"), ("padStart", "abc", (2.0,), "abc"),
    ("padEnd", "abc", (6.0,), "abc   "), ("padEnd", "abc", (6.0, ""), "abc"),
    ("at", "abc", (-1.0,), "c"), ("at", "abc", (5.0,), UNDEFINED), ("charAt", "abc", (1.5,), "b"),
    ("charAt", "abc", (-1.0,), ""), ("charCodeAt", GRIN, (0.0,), 55357.0), ("codePointAt", GRIN, (0.0,), 128512.0),
    ("codePointAt", GRIN, (1.0,), 56832.0), ("codePointAt", "a", (1.0,), UNDEFINED),
    ("concat", "a", (1.0, None, UNDEFINED), "a1nullundefined"), ("endsWith", "abcdef", ("cd", 4.0), True),
    ("startsWith", "abcdef", ("cd", 2.0), True), ("includes", "abc", ("", 99.0), True),
    ("indexOf", "abcabc", ("c", 3.0), 5.0), ("indexOf", "abc", ("", 10.0), 3.0),
    ("lastIndexOf", "canal", ("a", 0.0), -1.0), ("lastIndexOf", "canal", ("a",), 3.0),
    ("lastIndexOf", "canal", ("a", math.nan), 3.0), ("lastIndexOf", "abc", ("",), 3.0),
    ("localeCompare", "a", ("b",), -1.0), ("localeCompare", "\u00c5", ("A\u030a",), 0.0),
    ("normalize", "A\u030a", (), "\u00c5"), ("normalize", "\u00c5", ("NFD",), "A\u030a"),
    ("repeat", "ab", (3.0,), "ababab"), ("repeat", "", (5.0,), ""), ("slice", "abcdef", (-3.0, -1.0), "de"),
    ("slice", "abc", (2.0, 1.0), ""), ("substring", "abcdef", (4.0, 1.0), "bcd"),
    ("substring", "abc", (math.nan, 2.0), "ab"), ("substr", "abcdef", (-3.0, 2.0), "de"),
    ("substr", "abc", (1.0,), "bc"), ("toUpperCase", "straße", (), "STRASSE"),
    ("toLowerCase", "\u0130", (), "i\u0307"), ("toLowerCase", "ΑΣ", (), "ας"), ("toUpperCase", GRIN + "a", (), GRIN + "A"),
    ("trim", "\ufeff\u00a0 x \n\u2028", (), "x"), ("trimStart", "  x ", (), "x "), ("trimEnd", "  x ", (), "  x"),
    ("split", "a,b,,c", (",",), ["a", "b", "", "c"]), ("split", "abc", ("",), ["a", "b", "c"]),
    ("split", "abc", (UNDEFINED,), ["abc"]), ("split", "", ("",), []), ("split", "", (",",), [""]),
    ("split", "a,b,c", (",", 2.0), ["a", "b"]), ("split", "a,b", (",", 0.0), []),
    ("replace", "aXbX", ("X", "[$&]"), "a[X]bX"), ("replace", "abc", ("b", "$`|$'"), "aa|cc"),
    ("replace", "abc", ("b", "$$"), "a$c"), ("replace", "abc", ("b", "$1"), "a$1c"),
    ("replace", "abc", ("", "-"), "-abc"), ("replaceAll", "aaa", ("a", "$&$&"), "aaaaaa"),
    ("replaceAll", "abc", ("", "-"), "-a-b-c-"), ("replaceAll", "xxx", ("xx", "y"), "yx"),
    ("isWellFormed", "a\ud800", (), False), ("isWellFormed", GRIN, (), True),
    ("toWellFormed", "a\ud800b", (), "a\ufffdb"),
])
def test_methods(realm: Realm, method: str, this: str, args: tuple[Any, ...], out: Any) -> None:
    assert s(realm, method, this, *args) == out


def test_length_is_code_units(realm: Realm) -> None:
    assert realm.get_v(GRIN, "length") == 2.0


def test_this_must_be_coercible(realm: Realm) -> None:
    with pytest.raises(JSTypeError):
        s(realm, "trim", UNDEFINED)
    with pytest.raises(JSTypeError):
        s(realm, "valueOf", 5.0)
    assert s(realm, "trim", 5.0) == "5"


@pytest.mark.parametrize("method, args", [
    ("repeat", (-1.0,)), ("repeat", (math.inf,)), ("normalize", ("nfc",)), ("padStart", (2.0 ** 40,)),
])
def test_range_errors(realm: Realm, method: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(JSRangeError):
        s(realm, method, "ab", *args)


def test_statics(realm: Realm) -> None:
    string = realm.global_object.get("String")
    assert string.get("fromCharCode").call(UNDEFINED, [65.0, 65536.0 + 66, 55357.0, 56832.0]) == "AB" + GRIN
    assert string.get("fromCodePoint").call(UNDEFINED, [128512.0, 97.0]) == GRIN + "a"
    for bad in (-1.0, 1.5, 1114112.0, math.nan):
        with pytest.raises(JSRangeError):
            string.get("fromCodePoint").call(UNDEFINED, [bad])
    tpl = realm.new_object()
    tpl.props["raw"] = realm.new_array(["a", "b", "c"])
    assert string.get("raw").call(UNDEFINED, [tpl, 1.0, 2.0, 3.0]) == "a1b2c"


def test_constructor(realm: Realm) -> None:
    string = realm.global_object.get("String")
    from voxsim.engine.values import JSSymbol
    assert string.call(UNDEFINED, [JSSymbol("x")]) == "Symbol(x)"
    assert string.call(UNDEFINED, []) == ""
    w = string.construct([GRIN], string)
    assert isinstance(w, JSPrimitiveObject) and w.get("length") == 2.0 and w.get("1") == "\ude00"
    assert w.own_property_keys() == ["0", "1", "length"]


def test_iterator_walks_code_points(realm: Realm) -> None:
    from voxsim.engine.builtins.iterator import iterate
    assert list(iterate(realm, "a" + GRIN + "\ud800b")) == ["a", GRIN, "\ud800", "b"]


def test_trim_aliases(realm: Realm) -> None:
    proto = realm.intrinsics["%String.prototype%"]
    assert proto.get("trimLeft") is proto.get("trimStart")
    assert proto.get("trimRight").get("name") == "trimEnd"


def test_replace_with_function_gets_match_position_and_string(realm: Realm) -> None:
    seen = []
    fn = realm.new_host_function("f", lambda *a: seen.append(a) or "!", 3)
    assert s(realm, "replaceAll", "a-a", "a", fn) == "!-!"
    assert seen == [("a", 0.0, "a-a"), ("a", 2.0, "a-a")]


@pytest.mark.parametrize("replacement, captures, out", [
    ("$1-$2", ["x", UNDEFINED], "x-"), ("$10", ["a"] * 10, "a"), ("$10", ["a"], "a0"), ("$01", ["q"], "q"),
    ("$0", ["q"], "$0"), ("$<n>", [], "$<n>"), ("$$1", ["q"], "$1"), ("$", [], "$"),
])
def test_get_substitution(realm: Realm, replacement: str, captures: list[Any], out: str) -> None:
    assert get_substitution(realm, "m", "xmy", 1, captures, UNDEFINED, replacement) == out


def test_get_substitution_named(realm: Realm) -> None:
    groups = realm.new_object()
    groups.props["year"] = "2024"
    assert get_substitution(realm, "m", "xmy", 1, [], groups, "$<year>/$<none>/$<bad") == "2024//$<bad"


# -- JS snippets (need the compiler)

SNIPPETS = [
    ('"abc".padStart(6, "12") + "|" + "abc".padEnd(5)', "121abc|abc  "),
    ('"\\ud83d\\ude00".length + " " + [..."a\\ud83d\\ude00"].length', "2 2"),
    ('"\\ud83d\\ude00".codePointAt(0).toString(16)', "1f600"),
    ('String.fromCodePoint(0x1F600) === "\\ud83d\\ude00"', "true"),
    ('String.raw`a\\n${1 + 1}b`', "a\\n2b"),
    ('"Straße".toUpperCase() + " " + "ΑΣ".toLowerCase()', "STRASSE ας"),
    ('"a-b-c".replaceAll("-", "+") + " " + "a-b".replace("-", "$&$&")', "a+b+c a--b"),
    ('"a,b,,c".split(",").length + " " + "abc".split("").join("|")', "4 a|b|c"),
    ('"  x ".trim() + "|" + "  x ".trimStart() + "|" + "  x ".trimEnd() + "|"', "x|x |  x|"),
    ('"abc".at(-1) + "abc".charAt(5) + "abc".slice(-2) + "abcdef".substring(4, 1)', "cbcbcd"),
    ('"canal".lastIndexOf("a") + " " + "canal".indexOf("a", 2)', "3 3"),
    ('"a".localeCompare("b") + " " + "\\u00c5".localeCompare("A\\u030a")', "-1 0"),
    ('"\\u0041\\u030a".normalize("NFC") === "\\u00c5"', "true"),
    ('"ab".repeat(3) + " " + "abc".startsWith("b", 1) + " " + "abc".endsWith("b", 2) + " " + "abc".includes("c")',
     "ababab true true true"),
    ('(function () { try { "a".repeat(-1); } catch (e) { return e.name; } })()', "RangeError"),
    ('(function () { try { "a".startsWith(/a/); } catch (e) { return e.name; } })()', "TypeError"),
    ('new String("ab")[1] + " " + Object.keys(new String("ab")) + " " + typeof new String("x")', "b 0,1 object"),
    ('String(Symbol("s")) + " " + String(null) + " " + String([1, [2, 3]])', "Symbol(s) null 1,2,3"),
    ('"x".concat(1, null) + " " + "%".codePointAt(1)', "x1null undefined"),
    ('Object.prototype.toString.call("".matchAll(/x/g))', "[object RegExp String Iterator]"),
    ('"abc"[Symbol.iterator]().toString()', "[object String Iterator]"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected


def test_string_length_follows_the_budget() -> None:
    from voxsim.engine.budget import Budget
    small = Realm(budget=Budget(max_string_length=1000))
    with pytest.raises(JSRangeError):
        s(small, "repeat", "ab", 600.0)
    with pytest.raises(JSRangeError):
        s(small, "padEnd", "ab", 1001.0)
    assert len(s(small, "repeat", "ab", 500.0)) == 1000
