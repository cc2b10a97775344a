"""The host interface: member tables, wrappers, conversion both ways, enums, host functions and promises."""

from __future__ import annotations

import pytest

from voxsim.engine.errors import JSThrow, JSTypeError
from voxsim.engine.host import (
    HostObject, define_host_class, js_getter, js_method, js_setter, make_enum, to_js, to_py, unwrap,
)
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED, JSArray, JSObject, PropertyDescriptor


class Call(HostObject):
    js_class = "Call"

    def __init__(self) -> None:
        self.answered = None
        self._volume = 1.0
        self.secret = "python attribute"

    @js_method("answer")
    def answer(self, headers=UNDEFINED, params=UNDEFINED):
        self.answered = to_py(headers)
        return True

    @js_method("id")
    def id(self):
        return "call-1"

    @js_getter("volume")
    def volume(self):
        return self._volume

    @js_setter("volume")
    def set_volume(self, v):
        self._volume = v

    def hidden(self):
        return "never visible"


def test_wrapper_members_only() -> None:
    r = Realm()
    call = Call()
    w = r.wrap(call)
    assert r.wrap(call) is w
    assert w.get("secret") is UNDEFINED and w.get("hidden") is UNDEFINED and w.get("__class__") is UNDEFINED
    answer = w.get("answer")
    assert answer.get("length") == 2.0
    assert answer.call(w, [to_js(r, {"X-A": "1"})]) is True
    assert call.answered == {"X-A": "1"}
    assert w.get("volume") == 1.0
    w.set("volume", 0.5)
    assert call._volume == 0.5
    assert w.get("id").call(w, []) == "call-1"


def test_method_on_wrong_receiver_is_type_error() -> None:
    r = Realm()
    w = r.wrap(Call())
    with pytest.raises(JSTypeError):
        w.get("id").call(r.new_object(), [])
    with pytest.raises(JSTypeError):
        unwrap(r.new_object(), Call)


def test_to_js_and_back() -> None:
    r = Realm()
    v = to_js(r, {"a": [1, 2.5, "x", None, True], "b": {"c": "📞"}})
    assert isinstance(v, JSObject) and isinstance(v.get("a"), JSArray)
    assert v.get("b").get("c") == "\ud83d\udcde"
    assert to_py(v) == {"a": [1, 2.5, "x", None, True], "b": {"c": "📞"}}
    with pytest.raises(TypeError):
        to_js(r, object())


def test_ints_beyond_the_double_range_become_infinity() -> None:
    r = Realm()
    assert to_js(r, 10**400) == float("inf") and to_js(r, -(10**400)) == float("-inf")
    assert to_js(r, [2**53 + 1])  # an exact float conversion rounds, never raises
    assert to_js(r, 2**53 + 1) == float(2**53)


def test_enum_is_frozen() -> None:
    r = Realm()
    e = make_enum(r, {"Connected": "Call.Connected"})
    assert e.get("Connected") == "Call.Connected"
    assert not e.set("Connected", "x") and not e.is_extensible() and not e.delete("Connected")


def test_host_class_constructor() -> None:
    r = Realm()
    ctor = define_host_class(r, Call, constructor=lambda *a: Call(), statics={"KIND": "call"})
    obj = r.construct(ctor, [])
    assert isinstance(unwrap(obj, Call), Call)
    assert obj.get("constructor") is ctor and ctor.get("KIND") == "call"
    with pytest.raises(JSThrow):
        r.call(ctor, UNDEFINED, [])


def test_host_function_and_global() -> None:
    r = Realm()
    seen = []
    r.define_global("log", r.new_host_function("log", lambda *a: seen.append(to_py(list(a))), 1))
    f = r.global_object.get("log")
    r.run_task(lambda: r.call(f, UNDEFINED, ["hi", 2.0]))
    assert seen == [["hi", 2]]
    d = r.global_object.get_own_property("log")
    assert isinstance(d, PropertyDescriptor) and d.enumerable is False


def test_new_promise_resolved_from_host() -> None:
    r = Realm()
    p, resolve, _ = r.new_promise()
    got = []
    r.run_task(lambda: p.get("then").call(p, [r.new_host_function("cb", got.append, 1)]))
    assert got == []
    r.run_task(lambda: resolve(7.0))
    assert got == [7.0]


def test_unhandled_rejection_reported() -> None:
    r = Realm()
    reasons = []
    r.on_unhandled_rejection(reasons.append)
    p, _, reject = r.new_promise()
    r.run_task(lambda: reject("bad"))
    assert reasons == ["bad"]
    p2, _, reject2 = r.new_promise()
    r.run_task(lambda: (reject2("handled"), p2.get("catch").call(p2, [r.new_host_function("c", lambda v: None, 1)])))
    assert reasons == ["bad"]


def test_host_type_error_becomes_js_error() -> None:
    r = Realm()

    def bad() -> None:
        raise JSTypeError("nope")
    f = r.new_host_function("bad", bad)
    with pytest.raises(JSThrow) as info:
        r.run_task(lambda: r.call(f))
    err = info.value.value
    assert err.get("name") == "TypeError" and err.get("message") == "nope"
    assert err.get("constructor") is r.global_object.get("TypeError")


def test_host_function_arguments_padded_and_cut() -> None:
    r = Realm()
    seen = []

    def two(a, b):
        seen.append((a, b))

    f = r.new_host_function("two", two, 2)
    r.run_task(lambda: (r.call(f, UNDEFINED, []), r.call(f, UNDEFINED, ["a", "b", "c"])))
    assert seen == [(UNDEFINED, UNDEFINED), ("a", "b")]  # padded to the JS length, cut to what Python takes
    assert f.get("length") == 2.0 and f.get("name") == "two" and not f.is_constructor()
    with pytest.raises(JSThrow):
        r.run_task(lambda: r.construct(f, []))


def test_host_prototype_members_are_made_one_by_one_and_keep_their_shape() -> None:
    from voxsim.engine.lazy import LAZY_TYPES, LazyMember, raw_props

    r = Realm()
    w = r.wrap(Call())
    proto = w.proto
    assert type(proto) in LAZY_TYPES  # nothing made until a member is read
    assert w.get("id").call(w, []) == "call-1"
    assert w.get("volume") == 1.0  # an accessor, through the prototype
    made = {k for k, v in raw_props(proto).items() if isinstance(k, str) and type(v) is PropertyDescriptor}
    assert made == {"id", "volume"} and type(raw_props(proto)["answer"]) is LazyMember
    assert proto.has_property("answer") and not proto.has_property("nope")
    keys = [k for k in proto.props if isinstance(k, str)]  # reading the dict makes the rest and restores the class
    assert type(proto) is JSObject and keys == ["answer", "id", "volume"]
    answer = proto.get_own_property("answer")
    assert (answer.writable, answer.enumerable, answer.configurable) == (True, False, True)
    volume = proto.get_own_property("volume")
    assert volume.get.get("name") == "get volume" and volume.set.get("name") == "set volume"
    assert (volume.enumerable, volume.configurable) == (True, True)
    assert w.get("id") is proto.get("id")  # made once


def test_host_members_are_per_realm_though_their_bodies_are_shared() -> None:
    """Two realms (two sessions) share the Python side of a host class's members, never the JS objects: a script
    that changes a method, its properties or the prototype in one realm changes nothing in the other."""
    from voxsim.engine.script import run_snippet  # noqa: F401 - installs compile_script's engine

    a, b = Realm(), Realm()
    for r in (a, b):
        r.define_global("call", Call())
    fa, fb = (r.global_object.get("call").get("answer") for r in (a, b))
    assert fa is not fb and fa.realm is a and fb.realm is b and fa.proto is a.function_prototype
    a.compile_script("""
        call.answer.extra = 1;
        Object.getPrototypeOf(call).id = function () { return "changed"; };
        Object.defineProperty(Object.getPrototypeOf(call), "volume", {get() { return 9; }});
    """).run()
    got = b.compile_script(
        "[call.answer.extra, call.id(), call.volume, Object.getPrototypeOf(call).hasOwnProperty('x')].join()").run()
    assert got == ",call-1,1,false"
    assert a.compile_script("[call.answer.extra, call.id(), call.volume].join()").run() == "1,changed,9"
