"""Built-in methods made on first use (engine/lazy.py): nothing a script or host code can observe changes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from voxsim.engine.builtins.array import PROTOTYPE_MEMBERS as ARRAY_MEMBERS
from voxsim.engine.builtins.math import MEMBERS as MATH_MEMBERS
from voxsim.engine.host import to_py
from voxsim.engine.lazy import LAZY_TYPES, LazyMember, raw_props
from voxsim.engine.realm import Realm
from voxsim.engine.script import run_snippet
from voxsim.engine.values import BuiltinFunction, JSArray, JSObject, JSSymbol, PropertyDescriptor


def _pending(obj: JSObject) -> int:
    return sum(1 for v in raw_props(obj).values() if type(v) is LazyMember)


def test_a_new_realm_makes_few_builtin_functions() -> None:
    r = Realm()
    math = r.intrinsics["%Math%"]
    assert type(math) in LAZY_TYPES and _pending(math) == len(MATH_MEMBERS)
    assert type(r.intrinsics["%Array.prototype%"]) in LAZY_TYPES


def test_first_read_makes_every_method_in_place_and_restores_the_class() -> None:
    r = Realm()
    proto = r.intrinsics["%Array.prototype%"]
    keys_before = [k for k in raw_props(proto) if isinstance(k, (str, JSSymbol))]
    push = proto.get("push")
    assert type(proto) is JSArray and _pending(proto) == 0
    assert list(proto.props) == keys_before
    assert isinstance(push, BuiltinFunction) and proto.get("push") is push
    names = [k for k in proto.props if isinstance(k, str)]
    table = [k for k, _, _ in ARRAY_MEMBERS if isinstance(k, str)]
    assert [k for k in names if k in table] == table


def test_members_are_distinct_per_realm_and_bound_to_their_realm() -> None:
    a, b = Realm(), Realm()
    fa, fb = a.intrinsics["%Math%"].get("max"), b.intrinsics["%Math%"].get("max")
    assert fa is not fb and fa.realm is a and fb.realm is b
    assert fa.proto is a.function_prototype


def test_registered_intrinsics_are_the_members_later_read() -> None:
    r = Realm()
    proto = r.intrinsics["%Array.prototype%"]
    values = r.intrinsics["%Array.prototype.values%"]
    assert proto.get("values") is values


def test_raw_writes_keep_the_object_lazy_and_the_order() -> None:
    r = Realm()
    math = r.intrinsics["%Math%"]
    raw_props(math)["extra"] = PropertyDescriptor(value=1.0, writable=True, enumerable=False, configurable=True)
    assert type(math) in LAZY_TYPES
    assert list(math.props)[-1] == "extra" and math.get("extra") == 1.0


def test_host_conversion_sees_a_lazy_object_as_plain() -> None:
    r = Realm()
    math = r.intrinsics["%Math%"]
    math.define("answer", 42.0, enumerable=True)
    assert type(math) in LAZY_TYPES
    assert to_py(math) == {"answer": 42}


@pytest.mark.parametrize("src, want", [
    ("print(String.prototype.trimLeft === String.prototype.trimStart, String.prototype.trimLeft.name)",
     "true trimStart"),
    ("String.prototype.trimLeft = 1; print(typeof String.prototype.trimStart)", "function"),
    ("print(Date.prototype.toGMTString === Date.prototype.toUTCString)", "true"),
    ("print(Number.parseInt === parseInt, Number.parseFloat === parseFloat)", "true true"),
    ("print(Array.prototype[Symbol.iterator] === Array.prototype.values)", "true"),
    ("print(Set.prototype.keys === Set.prototype.values, Map.prototype[Symbol.iterator] === Map.prototype.entries)",
     "true true"),
    ("var d = Object.getOwnPropertyDescriptor(Math, 'abs'); print(d.writable, d.enumerable, d.configurable)",
     "true false true"),
    ("var d = Object.getOwnPropertyDescriptor(JSON.parse, 'length'); print(d.value, d.writable, d.configurable)",
     "2 false true"),
    ("Object.defineProperty(Math.max, 'length', {value: 7}); print(Math.max.length, Math.min.length)", "7 2"),
    ("Object.defineProperty(Math.max, 'name', {value: 'x'}); print(Math.max.name, Math.min.name)", "x min"),
    ("delete Reflect.apply; print(typeof Reflect.apply, typeof Reflect.construct)", "undefined function"),
    ("print(Object.getOwnPropertyNames(Math).slice(-3).join())", "tan,tanh,trunc"),
    ("print(JSON.stringify(Math), Object.keys(JSON).length, Object.prototype.toString.call(JSON))",
     "{} 0 [object JSON]"),
    ("var r = /a/g; print('aXa'.replace(r, 'b'), RegExp.prototype.exec.name)", "bXb exec"),
    ("RegExp.prototype.exec = function () { return null; }; print('aXa'.replace(/a/g, 'b'))", "aXa"),
])
def test_observable_behaviour(src: str, want: str) -> None:
    assert run_snippet(src) == want


def test_every_reachable_object_is_the_same_whether_read_early_or_late() -> None:
    """Two realms: one walked right away, one after scripts touched a few prototypes; same shapes."""
    def shape(r: Realm) -> list[Any]:
        seen: set[int] = set()
        out: list[Any] = []

        def walk(o: JSObject) -> None:
            if id(o) in seen:
                return
            seen.add(id(o))
            for k in o.own_property_keys():
                d = o.get_own_property(k)
                assert d is not None
                v = d.value if d.is_data() else None
                if k == "print":
                    continue    # run_snippet's own global
                out.append((repr(k), d.writable, d.enumerable, d.configurable,
                            v if not isinstance(v, JSObject) else LAZY_TYPES.get(type(v), type(v)).__name__))
                for x in (v, d.get, d.set):
                    if isinstance(x, JSObject):
                        walk(x)
            if o.proto is not None:
                walk(o.proto)
        walk(r.global_object)
        return out
    early = shape(Realm())
    late = Realm()
    run_snippet("[1].map(String); 'a'.trim(); Math.max(1); new Map().set(1, 2)", late)
    assert shape(late) == early


_KEYS = ["max", "min", "abs", "PI", "extra", "toString"]
_OPS = st.lists(st.tuples(st.sampled_from(["define", "set", "delete", "read"]), st.sampled_from(_KEYS),
                          st.floats(allow_nan=False, width=16)), max_size=8)


@given(_OPS)
@settings(max_examples=60, deadline=None)
def test_writes_before_the_first_read_end_like_writes_after_it(ops: list[tuple[str, str, float]]) -> None:
    """The same operations on a still-lazy ``Math`` and on one read first leave the same properties."""
    def apply(math: JSObject) -> list[Any]:
        seen = []
        for op, key, value in ops:
            if op == "define":
                math.define(key, value)
            elif op == "set":
                seen.append(math.set(key, value))
            elif op == "delete":
                seen.append(math.delete(key))
            else:
                v = math.get(key)
                seen.append(v if not isinstance(v, JSObject) else LAZY_TYPES.get(type(v), type(v)).__name__)
        for k in math.own_property_keys():
            d = math.get_own_property(k)
            assert d is not None
            v = d.value
            seen.append((repr(k), d.writable, d.enumerable, d.configurable,
                         getattr(v, "debug_name", lambda: v)()))
        return seen
    lazy, eager = Realm().intrinsics["%Math%"], Realm().intrinsics["%Math%"]
    eager.get("max")
    assert type(lazy) in LAZY_TYPES and type(eager) not in LAZY_TYPES
    assert apply(lazy) == apply(eager)
