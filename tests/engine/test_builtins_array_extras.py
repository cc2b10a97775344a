"""Array.prototype extras: stable sort, holes, generic array-likes, the copying methods."""

from __future__ import annotations

from typing import Any

import pytest

from voxsim.engine.errors import JSRangeError, JSTypeError
from voxsim.engine.host import to_py
from voxsim.engine.realm import Realm
from voxsim.engine.values import HOLE, UNDEFINED, JSArray


@pytest.fixture(scope="module")
def realm() -> Realm:
    return Realm()


def a(realm: Realm, method: str, this: Any, *args: Any) -> Any:
    return realm.array_prototype.get(method).call(this, list(args))


def arr(realm: Realm, *items: Any) -> JSArray:
    return realm.new_array([float(x) if type(x) is int else x for x in items])


def test_sort_default_is_string_order_with_undefined_last(realm: Realm) -> None:
    x = arr(realm, 10, 9, UNDEFINED, 1, "b", "a")
    assert to_py(a(realm, "sort", x)) == [1, 10, 9, "a", "b", None]


def test_sort_is_stable_with_comparator(realm: Realm) -> None:
    items = [realm.new_array([float(k), float(i)]) for i, k in enumerate([3, 1, 2, 1, 3, 2, 1])]
    cmp = realm.new_host_function("cmp", lambda x, y: x.get("0") - y.get("0"), 2)
    out = to_py(a(realm, "sort", realm.new_array(items), cmp))
    assert out == sorted(to_py(realm.new_array(items)), key=lambda p: p[0])


def test_sort_moves_holes_to_the_end(realm: Realm) -> None:
    x = realm.new_array([3.0, HOLE, 1.0, UNDEFINED])
    a(realm, "sort", x)
    assert x.length == 4 and x.elems[:3] == [1.0, 3.0, UNDEFINED] and x.get_own_property("3") is None


def test_sort_rejects_bad_comparator(realm: Realm) -> None:
    with pytest.raises(JSTypeError):
        a(realm, "sort", arr(realm, 1), "nope")


def test_generic_array_like(realm: Realm) -> None:
    o = realm.new_object()
    o.props.update({"0": "b", "1": "a", "length": 2.0})
    a(realm, "sort", o)
    assert (o.get("0"), o.get("1")) == ("a", "b")
    a(realm, "reverse", o)
    assert (o.get("0"), o.get("1")) == ("b", "a")
    assert a(realm, "at", o, -1.0) == "a"


@pytest.mark.parametrize("method, items, args, out", [
    ("reverse", [1, 2, 3], (), [3, 2, 1]), ("fill", [1, 2, 3, 4], (0, 1, -1), [1, 0, 0, 4]),
    ("at", [1, 2, 3], (-1,), 3), ("at", [1, 2], (2,), UNDEFINED), ("lastIndexOf", [1, 2, 1], (1,), 2),
    ("lastIndexOf", [1, 2, 1], (1, -2), 0), ("lastIndexOf", [1, 2, 1], (1, -4), -1),
    ("copyWithin", [1, 2, 3, 4, 5], (0, 3), [4, 5, 3, 4, 5]), ("copyWithin", [1, 2, 3, 4, 5], (1, 0, 3), [1, 1, 2, 3, 5]),
    ("copyWithin", [1, 2, 3, 4, 5], (-2, -3, -1), [1, 2, 3, 3, 4]), ("toReversed", [1, 2, 3], (), [3, 2, 1]),
    ("toSpliced", [1, 2, 3], (1, 1, "x", "y"), [1, "x", "y", 3]), ("toSpliced", [1, 2, 3], (1,), [1]),
    ("toSpliced", [1, 2, 3], (), [1, 2, 3]), ("with", [1, 2], (-1, 9), [1, 9]), ("toSorted", [3, 1, 2], (), [1, 2, 3]),
    ("toLocaleString", [1, None, "x"], (), "1,,x"),
])
def test_methods(realm: Realm, method: str, items: list[Any], args: tuple[Any, ...], out: Any) -> None:
    x = arr(realm, *items)
    r = a(realm, method, x, *[float(v) if type(v) is int else v for v in args])
    assert (to_py(r) if isinstance(r, JSArray) else r) == (float(out) if type(out) is int else out)


def test_copying_methods_leave_the_original(realm: Realm) -> None:
    x = arr(realm, 3, 1, 2)
    a(realm, "toSorted", x)
    a(realm, "toReversed", x)
    a(realm, "with", x, 0.0, 7.0)
    assert to_py(x) == [3, 1, 2]


def test_with_out_of_range(realm: Realm) -> None:
    with pytest.raises(JSRangeError):
        a(realm, "with", arr(realm, 1), 1.0, 0.0)


def test_flat_and_flat_map(realm: Realm) -> None:
    nested = realm.new_array([1.0, realm.new_array([2.0, realm.new_array([3.0, realm.new_array([4.0])])]), HOLE])
    nested.length = 3
    assert to_py(a(realm, "flat", nested)) == [1, 2, [3, [4]]]
    assert to_py(a(realm, "flat", nested, float("inf"))) == [1, 2, 3, 4]
    dup = realm.new_host_function("dup", lambda v, i, o: realm.new_array([v, v]), 3)
    assert to_py(a(realm, "flatMap", arr(realm, 1, 2), dup)) == [1, 1, 2, 2]
    with pytest.raises(JSTypeError):
        a(realm, "flatMap", arr(realm, 1), UNDEFINED)


def test_find_last_and_reduce_right(realm: Realm) -> None:
    even = realm.new_host_function("even", lambda v, i, o: v % 2 == 0, 3)
    x = arr(realm, 1, 2, 3, 4, 5)
    assert a(realm, "findLast", x, even) == 4.0
    assert a(realm, "findLastIndex", x, even) == 3.0
    join = realm.new_host_function("join", lambda acc, v, i, o: f"{acc}{int(v)}", 4)
    assert a(realm, "reduceRight", x, join, "") == "54321"
    with pytest.raises(JSTypeError):
        a(realm, "reduceRight", realm.new_array([]), join)


def test_unscopables_include_new_methods(realm: Realm) -> None:
    from voxsim.engine.values import SYM_UNSCOPABLES
    u = realm.array_prototype.get(SYM_UNSCOPABLES)
    assert u.get("toSorted") is True and u.get("flat") is True


SNIPPETS = [
    ("[10, 9, 1, undefined, 'b'].sort().join()", "1,10,9,b,"),
    ("[3, 1, 2].sort(function (a, b) { return b - a; }).join()", "3,2,1"),
    ("[{k: 1, i: 0}, {k: 0, i: 1}, {k: 1, i: 2}, {k: 0, i: 3}]"
     ".sort(function (a, b) { return a.k - b.k; }).map(function (o) { return o.i; }).join()", "1,3,0,2"),
    ("[1, [2, [3, [4]]]].flat(Infinity).join() + ' ' + [1, 2].flatMap(function (x) { return [x, x * 2]; }).join()",
     "1,2,3,4 1,2,2,4"),
    ("[1, 2, 3].at(-1) + ' ' + [1, 2, 3, 2].lastIndexOf(2) + ' ' + [1, 2, 3].findLast(function (x) { return x < 3; })",
     "3 3 2"),
    ("[1, 2, 3, 4, 5].copyWithin(0, 3).join() + ' ' + new Array(3).fill(7).join()", "4,5,3,4,5 7,7,7"),
    ("(function () { var a = [3, 1, 2]; var b = a.toSorted(); return a.join() + ' ' + b.join(); })()", "3,1,2 1,2,3"),
    ("[1, 2, 3].toSpliced(1, 1, 'x').join() + ' ' + [1, 2].with(-1, 9).join() + ' ' + [1, 2].toReversed().join()",
     "1,x,3 1,9 2,1"),
    ("['a', 'b', 'c'].reduceRight(function (acc, x) { return acc + x; })", "cba"),
    ("Array.prototype.sort.call({0: 'b', 1: 'a', length: 2})[0]", "a"),
    ("[1, , 3].reverse().hasOwnProperty(1)", "false"),
]


@pytest.mark.parametrize("source, expected", SNIPPETS)
def test_snippets(source: str, expected: str) -> None:
    from voxsim.engine import script
    assert script.run_snippet(f"print({source});") == expected


def test_last_index_of_sparse_is_fast_and_sees_prototype_indices(realm: Realm) -> None:
    x = realm.new_array([])
    x.set("100000000", "far")
    x.set("5", 1.0)
    assert a(realm, "lastIndexOf", x, "far") == 100000000.0
    assert a(realm, "lastIndexOf", x, 1.0) == 5.0
    assert a(realm, "lastIndexOf", x, 2.0) == -1.0
    r = Realm()
    r.array_prototype.set("3", "proto")
    y = r.new_array([])
    y.set("10", 1.0)
    assert r.array_prototype.get("lastIndexOf").call(y, ["proto"]) == 3.0
