"""Reflect: the internal methods as functions (booleans instead of throws)."""

from __future__ import annotations

from typing import Any

import pytest

from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import to_py
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED


@pytest.fixture()
def realm() -> Realm:
    return Realm()


def r(realm: Realm, name: str, *args: Any) -> Any:
    reflect = realm.global_object.get("Reflect")
    return reflect.get(name).call(reflect, list(args))


def test_reflect_basics(realm: Realm) -> None:
    o = realm.new_object()
    o.props["a"] = 1.0
    assert r(realm, "has", o, "a") is True
    assert r(realm, "get", o, "a") == 1.0
    assert r(realm, "set", o, "b", 2.0) is True
    assert to_py(r(realm, "ownKeys", o)) == ["a", "b"]
    assert r(realm, "deleteProperty", o, "a") is True
    assert r(realm, "preventExtensions", o) is True
    assert r(realm, "isExtensible", o) is False
    assert r(realm, "set", o, "c", 1.0) is False
    desc = realm.new_object()
    desc.props["value"] = 5.0
    assert r(realm, "defineProperty", o, "d", desc) is False
    assert r(realm, "getPrototypeOf", o) is realm.object_prototype
    assert r(realm, "setPrototypeOf", o, None) is False
    d = r(realm, "getOwnPropertyDescriptor", o, "b")
    assert to_py(d) == {"value": 2, "writable": True, "enumerable": True, "configurable": True}


def test_reflect_apply_and_construct(realm: Realm) -> None:
    add = realm.new_host_function("add", lambda a, b: a + b, 2)
    assert r(realm, "apply", add, UNDEFINED, realm.new_array([1.0, 2.0])) == 3.0
    array = realm.global_object.get("Array")
    made = r(realm, "construct", array, realm.new_array([1.0, 2.0]))
    assert to_py(made) == [1, 2]
    with pytest.raises(JSTypeError):
        r(realm, "construct", add, realm.new_array([]))
    with pytest.raises(JSTypeError):
        r(realm, "get", 1.0, "x")


SNIPPETS = [
    ("Reflect.ownKeys({b: 1, 1: 2, a: 3}).join()", "1,b,a"),
    ("Reflect.has({x: 1}, 'x') + ' ' + Reflect.defineProperty(Object.freeze({}), 'x', {value: 1})", "true false"),
    ("Reflect.apply(Math.max, null, [1, 3, 2]) + ' ' + Reflect.construct(Date, [0]).getTime()", "3 0"),
    ("(function () { var o = {get x() { return this.y; }}; return Reflect.get(o, 'x', {y: 7}); })()", "7"),
    ("(function () { try { Reflect.get(1, 'x'); } catch (e) { return e.name; } })()", "TypeError"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected
