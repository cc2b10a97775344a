"""JSON: strict parse with reviver, stringify with replacer/indent/toJSON/cycles, round trips."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, strategies as st

from voxsim.engine.builtins.json import JSSyntaxErrorHost, json_parse, json_stringify
from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import to_js, to_py
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED, js_str_to_py


@pytest.fixture(scope="module")
def realm() -> Realm:
    return Realm()


def j(realm: Realm, name: str, *args: Any) -> Any:
    obj = realm.global_object.get("JSON")
    return obj.get(name).call(obj, list(args))


@pytest.mark.parametrize("text", [
    "NaN", "[1,]", '{"a":1}x', '"\x01"', "", "01", "1.", "'a'", '{"a" 1}', "[1 2]", "-", "+1", ".5", "\u00a01",
    '{"a":1,}', "undefined", "Infinity",
])
def test_parse_rejects(realm: Realm, text: str) -> None:
    with pytest.raises(JSSyntaxErrorHost):
        j(realm, "parse", text)


def test_parse_values(realm: Realm) -> None:
    v = j(realm, "parse", ' {"b":[1,2,{"x":-0}],"a":"\\ud83d\\ude00","2":null,"1":true,"b":false} ')
    assert v.own_property_keys() == ["1", "2", "b", "a"]
    assert v.get("a") == "\ud83d\ude00" and v.get("b") is False
    x = j(realm, "parse", "-0")
    assert x == 0 and math.copysign(1, x) == -1
    assert j(realm, "parse", '"\\ud800"') == "\ud800"
    assert j(realm, "parse", "1e400") == math.inf


def test_parse_reviver(realm: Realm) -> None:
    calls = []

    def reviver(key: Any, value: Any) -> Any:
        calls.append(key)
        return UNDEFINED if key == "drop" else (value * 2 if type(value) is float else value)
    fn = realm.new_host_function("reviver", reviver, 2)
    out = j(realm, "parse", '{"a":1,"drop":2,"c":[3]}', fn)
    assert to_py(out) == {"a": 2, "c": [6]}
    assert calls == ["a", "drop", "0", "c", ""]


@pytest.mark.parametrize("value, out", [
    (None, "null"), (True, "true"), ("a\"\n\u2028", '"a\\"\\n\u2028"'), (math.nan, "null"), (-0.0, "0"),
    (1e21, "1e+21"), ("\ud800\udc00\udc00", '"\ud800\udc00\\udc00"'), (UNDEFINED, UNDEFINED),
])
def test_stringify_primitives(realm: Realm, value: Any, out: Any) -> None:
    assert j(realm, "stringify", value) == out


def test_stringify_objects(realm: Realm) -> None:
    v = to_js(realm, {"b": [1, None, {"x": "y"}], "a": {}, "u": None})
    v.props["skip"] = UNDEFINED
    assert j(realm, "stringify", v) == '{"b":[1,null,{"x":"y"}],"a":{},"u":null}'
    assert j(realm, "stringify", v, UNDEFINED, 2.0) == (
        '{\n  "b": [\n    1,\n    null,\n    {\n      "x": "y"\n    }\n  ],\n  "a": {},\n  "u": null\n}')
    assert j(realm, "stringify", to_js(realm, [1]), UNDEFINED, "----------xx") == "[\n----------1\n]"
    assert j(realm, "stringify", v, to_js(realm, ["u", "a", "u"])) == '{"u":null,"a":{}}'
    arr = realm.new_array([UNDEFINED, realm.new_host_function("f", lambda: 1, 0)])
    assert j(realm, "stringify", arr) == "[null,null]"


def test_stringify_replacer_function_and_to_json(realm: Realm) -> None:
    obj = to_js(realm, {"a": 1, "b": "x"})
    to_json = realm.new_host_function("toJSON", lambda key: f"key={key}", 1)
    inner = realm.new_object()
    inner.props["toJSON"] = to_json
    obj.props["c"] = inner
    rep = realm.new_host_function("rep", lambda k, v: v * 10 if type(v) is float else v, 2)
    assert j(realm, "stringify", obj, rep) == '{"a":10,"b":"x","c":"key=c"}'


def test_stringify_cycle(realm: Realm) -> None:
    a = realm.new_array([])
    a.append(a)
    with pytest.raises(JSTypeError):
        j(realm, "stringify", a)
    shared = realm.new_object()
    twice = realm.new_array([shared, shared])
    assert j(realm, "stringify", twice) == "[{},{}]"


_ROUND_TRIP_REALM = Realm()
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20)


@given(json_values)
def test_round_trip_against_python_json(value: Any) -> None:
    realm = _ROUND_TRIP_REALM
    text = json.dumps(value, ensure_ascii=True)
    js = json_parse(realm, text)
    again = json_stringify(realm, js)
    assert json.loads(js_str_to_py(again), parse_int=float) == json.loads(text, parse_int=float)
    assert json_stringify(realm, json_parse(realm, again)) == again


SNIPPETS = [
    ('JSON.stringify({b: [1, "x", null, undefined], a: {c: true}})', '{"b":[1,"x",null,null],"a":{"c":true}}'),
    ('JSON.stringify({a: 1, b: [2]}, null, 2)', '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}'),
    ('JSON.stringify({a: 1, b: 2, c: 3}, ["c", "a"])', '{"c":3,"a":1}'),
    ('JSON.stringify({a: 1, b: "s"}, function (k, v) { return typeof v === "number" ? v * 2 : v; })',
     '{"a":2,"b":"s"}'),
    ('JSON.stringify({toJSON: function (k) { return "key:" + k; }})', '"key:"'),
    ('JSON.stringify(new Date(0))', '"1970-01-01T00:00:00.000Z"'),
    ('JSON.stringify("\\u2028\\ud800")', '"\u2028\\ud800"'),
    ('JSON.stringify(undefined) + " " + JSON.stringify(function () {}) + " " + JSON.stringify(NaN)',
     "undefined undefined null"),
    ('(function () { var a = []; a.push(a); try { JSON.stringify(a); } catch (e) { return e.name; } })()', "TypeError"),
    ('(function () { try { JSON.parse("{\'a\':1}"); } catch (e) { return e.name; } })()', "SyntaxError"),
    ('JSON.parse("[1, {\\"a\\": [true, null]}]")[1].a[0]', "true"),
    ('JSON.parse("{\\"a\\": 1, \\"b\\": 2}", function (k, v) { return k === "a" ? undefined : v; }).a',
     "undefined"),
    ('Object.keys(JSON.parse("{\\"b\\":1,\\"2\\":2,\\"a\\":3,\\"1\\":4}")).join()', "1,2,b,a"),
    ('JSON.stringify(JSON.parse("-0")) + " " + (1 / JSON.parse("-0"))', "0 -Infinity"),
    ('(function () { Object.prototype.toJSON = function () { return 1; }; var s = JSON.stringify({a: [2]});'
     ' delete Object.prototype.toJSON; return s; })()', "1"),
    ('(function () { Array.prototype.toJSON = function () { return "arr"; }; var s = JSON.stringify({a: [2]});'
     ' delete Array.prototype.toJSON; return s; })()', '{"a":"arr"}'),
    ('JSON.stringify({get a() { return 5; }, b: 1})', '{"a":5,"b":1}'),
    ('(function () { var o = {a: {toJSON: function () { delete o.b; o.c = 3; return 1; }}, b: 2, c: 0};'
     ' return JSON.stringify(o); })()', '{"a":1,"c":3}'),
    ('(function () { var a = [1, {toJSON: function () { a.length = 1; return 2; }}, 3];'
     ' return JSON.stringify(a); })()', "[1,2,null]"),
    ('(function () { Array.prototype[1] = "p"; var s = JSON.stringify([0, , 2]); delete Array.prototype[1];'
     ' return s; })()', '[0,"p",2]'),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected
