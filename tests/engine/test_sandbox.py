"""Sandbox: no Python object or attribute is reachable from JS, whatever path a script tries."""

from __future__ import annotations

import pytest

from voxsim.engine.host import HostObject, js_getter, js_method
from voxsim.engine.realm import Realm
from voxsim.engine.script import run_snippet
from voxsim.engine.values import (
    UNDEFINED, JSBigInt, JSObject, JSSymbol, JSUndefined, MISSING, PropertyDescriptor,
)

JS_TYPES = (float, str, bool, type(None), JSUndefined, JSSymbol, JSBigInt, JSObject)


class Secretive(HostObject):
    js_class = "Secretive"

    def __init__(self) -> None:
        self.password = "hunter2"

    @js_method("hello")
    def hello(self, name=UNDEFINED):
        return f"hello {name}"

    @js_getter("state")
    def state(self):
        return "ok"


def realm_with_host() -> Realm:
    r = Realm()
    r.define_global("secretive", r.wrap(Secretive()))
    r.define_global("print", r.new_host_function("print", lambda *a: None, 0))
    return r


def reachable(realm: Realm) -> list:
    """Every value reachable from the global object through properties, accessors and prototypes."""
    seen: set[int] = set()
    out = []
    todo = [realm.global_object]
    while todo:
        v = todo.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        out.append(v)
        if not isinstance(v, JSObject):
            continue
        todo.append(v.get_prototype_of())
        for k in v.own_property_keys():
            out.append(k)
            d = v.get_own_property(k)
            for part in (d.value, d.get, d.set):
                if part is not MISSING:
                    todo.append(part)
    return out


def test_everything_reachable_is_a_js_value() -> None:
    r = realm_with_host()
    values = reachable(r)
    assert len(values) > 500
    bad = [v for v in values if not isinstance(v, JS_TYPES)]
    assert bad == []
    keys = [v for v in values if isinstance(v, str)]
    assert not any(k.startswith("__") and k.endswith("__") and k not in ("__proto__", "__defineGetter__",
                   "__defineSetter__", "__lookupGetter__", "__lookupSetter__") for k in keys)


ESCAPES = [
    "secretive.password",
    "secretive.__class__",
    "secretive.__dict__",
    "secretive.hello.__globals__",
    "secretive.hello.__code__",
    "secretive.__proto__.__class__",
    "({}).__class__",
    "({}).constructor.__subclasses__",
    "(function(){}).__globals__",
    "[].__class__",
    "''.__class__",
    "(1).__class__",
    "Symbol().__class__",
    "this.__builtins__",
    "globalThis.__import__",
    "Object.getOwnPropertyNames(secretive).join()",
    "Object.getOwnPropertyNames(Object.getPrototypeOf(secretive)).sort().join()",
    "Reflect === undefined ? '' : Reflect.ownKeys(secretive).join()",
]


@pytest.mark.parametrize("expr", ESCAPES)
def test_python_attributes_are_invisible(expr: str) -> None:
    r = realm_with_host()
    script = r.compile_script(f"var out = {expr};", "escape.js")
    r.run_task(script.run)
    out = r.global_object.get("out")
    assert out is UNDEFINED or out in ("", "hello,state"), (expr, out)


def test_function_constructor_returns_js_global_only() -> None:
    out = run_snippet("""
        var g = Function('return this')();
        print(g === globalThis, typeof g.__class__);
        var g2 = ({}).constructor.constructor('return this')();
        print(g2 === globalThis);
        print(Object.getPrototypeOf(Object.getPrototypeOf(g2)) === null);
    """)
    assert out == "true undefined\ntrue\ntrue"


def test_host_getters_and_methods_check_their_receiver() -> None:
    r = realm_with_host()
    script = r.compile_script("""
        var proto = Object.getPrototypeOf(secretive);
        var getter = Object.getOwnPropertyDescriptor(proto, 'state').get;
        var results = [];
        try { getter.call({}); } catch (e) { results.push(e.name); }
        try { proto.hello.call(Object.create(proto), 'x'); } catch (e) { results.push(e.name); }
        results.push(String(proto.hello));
        results.push(secretive.hello('you'));
        var out = results.join('|');
    """, "host.js")
    r.run_task(script.run)
    assert r.global_object.get("out") == ("TypeError|TypeError|function hello() { [native code] }|hello you")


def test_errors_and_stacks_are_plain_js() -> None:
    out = run_snippet("""
        try { null.x; } catch (e) {
          print(typeof e.stack, Object.getOwnPropertyNames(e).sort().join(), typeof e.__traceback__);
        }
        try { (function f() { 'use strict'; return arguments.callee; })(); } catch (e) { print(e.name); }
        print(typeof (function () { return arguments.callee; })());
        function Caller() { try { return String(Caller.caller); } catch (e) { return e.name; } }
        print(Caller());
    """)
    assert out == "string message,stack undefined\nTypeError\nfunction\nnull"


def test_engine_internals_do_not_leak_through_descriptors() -> None:
    out = run_snippet("""
        var d = Object.getOwnPropertyDescriptor(globalThis, 'Object');
        print(Object.keys(d).join());
        var fd = Object.getOwnPropertyDescriptors(function f(a) { "use strict"; });
        print(Object.keys(fd).sort().join());
        class C { #x = 1; }
        print(Object.getOwnPropertyNames(new C()).length, Object.getOwnPropertySymbols(new C()).length);
    """)
    assert out == "value,writable,enumerable,configurable\nlength,name,prototype\n0 0"


def test_wrapper_object_has_no_own_properties_by_default() -> None:
    r = realm_with_host()
    w = r.global_object.get("secretive")
    assert w.own_property_keys() == []
    assert isinstance(w.get_prototype_of().get_own_property("hello"), PropertyDescriptor)
