"""Map/Set/WeakMap/WeakSet: SameValueZero keys, insertion order, live iteration during mutation."""

from __future__ import annotations

import math
from typing import Any

import pytest

from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import to_py
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED, JSSymbol


@pytest.fixture()
def realm() -> Realm:
    return Realm()


def new(realm: Realm, name: str, *args: Any) -> Any:
    c = realm.global_object.get(name)
    return c.construct(list(args), c)


def c(obj: Any, name: str, *args: Any) -> Any:
    return obj.get(name).call(obj, list(args))


def drain(it: Any) -> list[Any]:
    out = []
    while True:
        r = c(it, "next")
        if r.get("done"):
            return out
        out.append(to_py(r.get("value")))


def test_same_value_zero_keys(realm: Realm) -> None:
    m = new(realm, "Map")
    c(m, "set", math.nan, "nan")
    c(m, "set", -0.0, "zero")
    c(m, "set", 1.0, "one")
    c(m, "set", True, "true")
    c(m, "set", "1", "str")
    assert c(m, "get", math.nan) == "nan"
    assert c(m, "get", 0.0) == "zero"
    assert c(m, "get", 1.0) == "one" and c(m, "get", True) == "true" and c(m, "get", "1") == "str"
    assert m.get("size") == 5.0
    keys = drain(c(m, "keys"))
    assert math.copysign(1, keys[1]) == 1.0  # -0 is stored as +0


def test_constructor_from_iterable_and_requires_new(realm: Realm) -> None:
    pairs = realm.new_array([realm.new_array([1.0, "a"]), realm.new_array([2.0, "b"])])
    m = new(realm, "Map", pairs)
    assert drain(c(m, "entries")) == [[1, "a"], [2, "b"]]
    with pytest.raises(JSTypeError):
        realm.global_object.get("Map").call(UNDEFINED, [])
    with pytest.raises(JSTypeError):
        new(realm, "Map", realm.new_array([1.0]))
    s = new(realm, "Set", "abca")
    assert drain(c(s, "values")) == ["a", "b", "c"]


def test_live_iteration(realm: Realm) -> None:
    m = new(realm, "Map")
    for i in range(5):
        c(m, "set", float(i), float(i))
    it = c(m, "keys")
    c(it, "next")
    c(m, "delete", 1.0)
    c(m, "set", 9.0, 9.0)
    assert drain(it) == [2, 3, 4, 9]


def test_iteration_survives_compaction_and_clear(realm: Realm) -> None:
    s = new(realm, "Set")
    for i in range(100):
        c(s, "add", float(i))
    it = c(s, "values")
    for _ in range(50):
        c(it, "next")
    for i in range(60):
        c(s, "delete", float(i))
    assert drain(it) == list(range(60, 100))
    it2 = c(s, "values")
    c(s, "clear")
    c(s, "add", "new")
    assert drain(it2) == ["new"]


def test_for_each_sees_additions(realm: Realm) -> None:
    s = new(realm, "Set", realm.new_array([1.0]))
    seen = []

    def cb(v: Any, k: Any, coll: Any) -> None:
        seen.append(v)
        if v < 3:
            c(s, "add", v + 1)
    c(s, "forEach", realm.new_host_function("cb", cb, 3))
    assert seen == [1.0, 2.0, 3.0]


def test_receiver_checks(realm: Realm) -> None:
    m = new(realm, "Map")
    s = new(realm, "Set")
    with pytest.raises(JSTypeError):
        realm.intrinsics["%Set.prototype%"].get("add").call(m, [1.0])
    set_next = realm.intrinsics["%SetIteratorPrototype%"].get("next")
    with pytest.raises(JSTypeError):
        set_next.call(c(m, "keys"), [])
    assert c(s, "has", 1.0) is False


def test_weak_collections(realm: Realm) -> None:
    wm = new(realm, "WeakMap")
    k = realm.new_object()
    c(wm, "set", k, 1.0)
    assert c(wm, "get", k) == 1.0 and c(wm, "has", k) is True
    assert c(wm, "get", "str") is UNDEFINED
    with pytest.raises(JSTypeError):
        c(wm, "set", 1.0, 1.0)
    c(wm, "set", JSSymbol("local"), 2.0)
    with pytest.raises(JSTypeError):
        c(wm, "set", JSSymbol("reg", registered=True), 2.0)
    assert c(wm, "delete", k) is True and c(wm, "has", k) is False
    ws = new(realm, "WeakSet", realm.new_array([k]))
    assert c(ws, "has", k) is True
    with pytest.raises(JSTypeError):
        c(ws, "add", 5.0)


def test_tags_and_aliases(realm: Realm) -> None:
    tostr = realm.intrinsics["%Object.prototype.toString%"]
    assert tostr.call(new(realm, "Map"), []) == "[object Map]"
    assert tostr.call(new(realm, "WeakSet"), []) == "[object WeakSet]"
    sp = realm.intrinsics["%Set.prototype%"]
    assert sp.get("keys") is sp.get("values")
    from voxsim.engine.values import SYM_ITERATOR
    mp = realm.intrinsics["%Map.prototype%"]
    assert mp.get(SYM_ITERATOR) is mp.get("entries")


SNIPPETS = [
    ("(function () { var m = new Map([[1, 'a'], [NaN, 'n']]); m.set(-0, 'z');"
     " return [m.get(NaN), m.get(0), m.size, [...m.keys()].join()].join(' '); })()", "n z 3 1,NaN,0"),
    ("(function () { var s = new Set([1, 2, 2, 3]); var out = [];"
     " for (var v of s) { out.push(v); if (v === 1) { s.delete(2); s.add(4); } } return out.join(); })()", "1,3,4"),
    ("(function () { var m = new Map(); m.set('a', 1).set('b', 2); var out = [];"
     " m.forEach(function (v, k, map) { out.push(k + v + (map === m)); }); return out.join(); })()", "a1true,b2true"),
    ("[...new Map([[1, 2]]).entries()][0].join() + ' ' + [...new Set('aba')].join('')", "1,2 ab"),
    ("(function () { var wm = new WeakMap(); var k = {}; wm.set(k, 1); return wm.get(k) + ' ' + wm.has({}); })()",
     "1 false"),
    ("(function () { try { new WeakSet().add(1); } catch (e) { return e.name; } })()", "TypeError"),
    ("(function () { try { Map(); } catch (e) { return e.name; } })()", "TypeError"),
    ("Object.prototype.toString.call(new Set().values())", "[object Set Iterator]"),
    ("(function () { class M extends Map { constructor() { super([[1, 1]]); } } return new M().size; })()", "1"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected


def test_map_group_by(realm: Realm) -> None:
    items = realm.new_array([1.0, 2.0, 3.0, 4.0, -0.0])
    parity = realm.new_host_function("parity", lambda v, k: v % 2 if v else -0.0, 2)
    m = realm.global_object.get("Map").get("groupBy").call(UNDEFINED, [items, parity])
    assert drain(c(m, "entries")) == [[1, [1, 3]], [0, [2, 4, 0]]]
