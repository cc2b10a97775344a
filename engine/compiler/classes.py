"""Classes: ClassDefinitionEvaluation, fields and private names, `super` calls and property references."""

from __future__ import annotations

from typing import Any, Callable

from .. import ast as A
from ..errors import JSTypeError
from ..operations import to_property_key
from ..values import MISSING, UNDEFINED, UNINIT, JSObject, PropertyDescriptor, is_constructor
from .core import CompilerBase, Expr, env_at, throw_at
from .functions import CompiledFunction, FunctionCode

__all__ = ["ClassCompiler", "PrivateName", "initialize_fields"]


class PrivateName:
    """A class's ``#name``: the key of a private element in ``JSObject.props`` (never listed as an own key)."""

    __slots__ = ("description",)

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"#{self.description}"


class _Shim:
    """Makes a field initializer or static block look like a function node to ``function_code``."""

    __slots__ = ("params", "body", "generator", "async_", "expression", "id", "start", "end", "strict", "line",
                 "column", "field_name")

    def __init__(self, node: Any, body: Any, field_name: str | None = None) -> None:
        self.field_name = field_name
        self.params: list = []
        self.body = body
        self.generator = False
        self.async_ = False
        self.expression = True
        self.id = None
        self.start, self.end, self.line, self.column = node.start, node.end, node.line, node.column
        self.strict = True


def initialize_fields(realm: Any, obj: JSObject, f: Any) -> None:
    """InitializeInstanceElements: private methods/accessors first, then fields in order."""
    for entry in f.fields:
        kind = entry[0]
        if kind == "private_method":
            _, pn, desc = entry
            if pn in obj.props:
                raise JSTypeError("Cannot initialize private methods twice on the same object")
            obj.props[pn] = desc
    for entry in f.fields:
        if entry[0] != "field":
            continue
        _, key, init = entry
        value = init.call(obj, []) if init is not None else UNDEFINED
        if type(key) is PrivateName:
            if key in obj.props:
                raise JSTypeError(f"Cannot initialize #{key.description} twice on the same object")
            obj.props[key] = value
        elif not obj.define_own_property(key, PropertyDescriptor(value=value, writable=True, enumerable=True,
                                                                 configurable=True)):
            raise JSTypeError(f"Cannot redefine property: {realm.display(key)}")


class ClassCompiler(CompilerBase):

    def ex_ClassExpression(self, node: Any) -> Expr:
        make = self.class_maker(node)
        return lambda env: make(env, None)

    def class_maker(self, node: Any) -> Callable[[list, Any], Any]:
        """``make(env, name)`` evaluates the class (``name`` names an anonymous class)."""
        realm = self.realm
        prev = self.enter(node)
        scope = self.scope
        try:
            entry = self.block_entry(scope)
            name_b = scope.bindings.get(node.id.name) if node.id is not None else None
            privates_b = scope.bindings.get("#privates")
            heritage = self.expr(node.super_class) if node.super_class is not None else None
            derived = node.super_class is not None
            class_name = node.id.name if node.id is not None else ""
            ctor_node = next((m for m in node.body.body if type(m) is A.MethodDefinition and m.kind == "constructor"),
                             None)
            if ctor_node is not None:
                ctor_code = self.function_code(ctor_node.value, class_name, "classctor",
                                               "derived" if derived else "base")
                ctor_code.source_text = self.source.text[node.start:node.end]
            else:
                ctor_code = self.default_constructor(node, class_name, derived)
            elements = [self.class_element(m) for m in node.body.body
                        if not (type(m) is A.MethodDefinition and m.kind == "constructor")]
        finally:
            self.scope = prev  # type: ignore[assignment]
        private_names = sorted(scope.private_names)
        from ..builtins import function_name_of
        loc = self.loc(node)

        def make_class(env: list, name: Any) -> Any:
            e = entry(env) if entry is not None else env
            if privates_b is not None:
                e[privates_b.slot] = {n: PrivateName(n) for n in private_names}
            if heritage is None:
                proto_parent: Any = realm.object_prototype
                ctor_parent: Any = realm.function_prototype
            else:
                sup = heritage(e)
                if sup is None:
                    proto_parent = None
                    ctor_parent = realm.function_prototype
                elif not is_constructor(sup):
                    raise throw_at(realm, "TypeError", f"Class extends value {realm.display(sup)} is not a "
                                                       f"constructor or null", loc)
                else:
                    proto_parent = sup.get("prototype")
                    if proto_parent is not None and not isinstance(proto_parent, JSObject):
                        raise throw_at(realm, "TypeError", "Class extends value does not have valid prototype "
                                                           "property", loc)
                    ctor_parent = sup
            proto = JSObject(proto_parent)
            f = CompiledFunction(ctor_parent)
            f.realm = realm
            f.code = ctor_code
            f.env = e
            f.home = proto
            f.fields = []
            shown = class_name or (function_name_of(name) if name is not None else "")
            f.props["length"] = ctor_code.length_desc
            f.props["name"] = PropertyDescriptor(value=shown, writable=False, enumerable=False, configurable=True)
            f.props["prototype"] = PropertyDescriptor(value=proto, writable=False, enumerable=False,
                                                      configurable=False)
            proto.props["constructor"] = PropertyDescriptor(value=f, writable=True, enumerable=False,
                                                            configurable=True)
            statics: list[Callable[[], None]] = []
            for element in elements:
                element(e, f, proto, statics)
            if name_b is not None:
                e[name_b.slot] = f
            for run in statics:
                run()
            return f
        return make_class

    def default_constructor(self, node: Any, name: str, derived: bool) -> FunctionCode:
        realm = self.realm
        code = FunctionCode()
        code.realm = realm
        code.name = name
        code.length = 0
        code.class_kind = "derived" if derived else "base"
        code.source_text = self.source.text[node.start:node.end]
        code.length_desc = PropertyDescriptor(value=0.0, writable=False, enumerable=False, configurable=True)
        code.name_desc = PropertyDescriptor(value=name, writable=False, enumerable=False, configurable=True)
        code.strict = True
        code.kind = "normal"

        def invoke(f: Any, this: Any, args: list) -> Any:
            raise realm.throw("TypeError", f"Class constructor {name} cannot be invoked without 'new'")

        from ..builtins import proto_from_constructor

        def construct(f: Any, args: list, new_target: Any) -> Any:
            if derived:
                parent = f.get_prototype_of()
                if not is_constructor(parent):
                    raise realm.throw("TypeError", "Super constructor is not a constructor")
                obj = parent.construct(list(args), new_target)
            else:
                obj = JSObject(proto_from_constructor(realm, new_target, "%Object.prototype%"))
            if f.fields:
                initialize_fields(realm, obj, f)
            return obj
        code.invoke = invoke
        code.construct = construct
        return code

    def class_element(self, m: Any) -> Callable[[list, Any, Any, list], None]:
        realm = self.realm
        t = type(m)
        if t is A.StaticBlock:
            shim = _Shim(m, A.BlockStatement(m.body))
            self.an.scopes[id(shim)] = self.an.scope_of(m)
            code = self.function_code(shim, "", "field")
            new_function = self.new_function

            def static_block(env: list, f: Any, proto: Any, statics: list) -> None:
                fn = new_function(code, env)
                fn.home = f
                statics.append(lambda: fn.call(f, []))
            return static_block
        is_private = type(m.key) is A.PrivateIdentifier
        key_fn = None if is_private else self.property_key(m)
        pname = m.key.name if is_private else None
        static = m.static
        if t is A.PropertyDefinition:
            init_code = None
            if m.value is not None:
                fname = None
                if is_private:
                    fname = "#" + pname
                elif not m.computed:
                    fname = key_fn(None)
                shim = _Shim(m, m.value, fname if type(fname) is str else None)
                self.an.scopes[id(shim)] = self.an.scope_of(m)
                init_code = self.function_code(shim, "", "field")
            new_function = self.new_function
            privates = self.privates_lookup(pname) if is_private else None

            def field(env: list, f: Any, proto: Any, statics: list) -> None:
                key = privates(env)[pname] if privates is not None else key_fn(env)
                init = None
                if init_code is not None:
                    init = new_function(init_code, env)
                    init.home = f if static else proto
                if static:
                    statics.append(lambda: initialize_fields(realm, f, _Fields([("field", key, init)])))
                else:
                    f.fields.append(("field", key, init))
            return field
        kind = m.kind
        make = self.method_maker(m.value, "getter" if kind == "get" else "setter" if kind == "set" else "method", m)
        privates = self.privates_lookup(pname) if is_private else None

        def method(env: list, f: Any, proto: Any, statics: list) -> None:
            target = f if static else proto
            key = privates(env)[pname] if privates is not None else key_fn(env)
            prefix = "get" if kind == "get" else "set" if kind == "set" else ""
            fn = make(env, target, key if not is_private else "#" + pname, prefix)
            if is_private:
                holder = f if static else None
                existing = None
                for entry in (f.fields if not static else []):
                    if entry[0] == "private_method" and entry[1] is key:
                        existing = entry
                if static:
                    d = f.props.get(key)
                    desc = _merge_private(d, kind, fn)
                    f.props[key] = desc
                else:
                    desc = _merge_private(existing[2] if existing else None, kind, fn)
                    if existing:
                        f.fields.remove(existing)
                    f.fields.append(("private_method", key, desc))
                _ = holder
                return
            if kind == "get" or kind == "set":
                old = target.get_own_property(key)
                get = fn if kind == "get" else (old.get if old is not None and old.is_accessor() else UNDEFINED)
                set_ = fn if kind == "set" else (old.set if old is not None and old.is_accessor() else UNDEFINED)
                ok = target.define_own_property(key, PropertyDescriptor(get=get, set=set_, enumerable=False,
                                                                        configurable=True))
            else:
                ok = target.define_own_property(key, PropertyDescriptor(value=fn, writable=True, enumerable=False,
                                                                        configurable=True))
            if not ok:
                raise realm.throw("TypeError", f"Cannot redefine property: {realm.display(key)}")
        return method

    # -- private names
    def privates_lookup(self, name: str) -> Callable[[list], dict]:
        s = self.scope
        while s is not None:
            if s.kind == "class" and name in s.private_names:
                b = s.bindings["#privates"]
                hops, slot = self.an.resolve(b, self.scope)
                up = env_at(hops)
                return lambda env: up(env)[slot]
            s = s.parent
        raise self.syntax_error(f"Private field '#{name}' must be declared in an enclosing class", None)

    def private_reader(self, node: Any) -> Callable[[list, Any], Any]:
        """``read(env, obj)`` for ``obj.#name``."""
        realm = self.realm
        name = node.property.name
        privates = self.privates_lookup(name)
        loc = self.loc(node)

        def read(env: list, o: Any) -> Any:
            pn = privates(env)[name]
            v = o.props.get(pn, MISSING) if isinstance(o, JSObject) else MISSING
            if v is MISSING:
                raise throw_at(realm, "TypeError", f"Cannot read private member #{name} from an object whose "
                                                   f"class did not declare it", loc)
            if type(v) is PropertyDescriptor:
                if v.get is MISSING:
                    return v.value
                if v.get is UNDEFINED:
                    raise throw_at(realm, "TypeError", f"'#{name}' was defined without a getter", loc)
                return v.get.call(o, [])
            return v
        return read

    def private_writer(self, node: Any) -> Callable[[list, Any, Any], None]:
        """``write(env, obj, value)`` for ``obj.#name = value``."""
        realm = self.realm
        name = node.property.name
        privates = self.privates_lookup(name)
        loc = self.loc(node)

        def write(env: list, o: Any, value: Any) -> None:
            pn = privates(env)[name]
            v = o.props.get(pn, MISSING) if isinstance(o, JSObject) else MISSING
            if v is MISSING:
                raise throw_at(realm, "TypeError", f"Cannot write private member #{name} to an object whose "
                                                   f"class did not declare it", loc)
            if type(v) is PropertyDescriptor:
                if v.set is MISSING or v.set is UNDEFINED:
                    raise throw_at(realm, "TypeError", f"'#{name}' was defined without a setter"
                                   if v.get is not MISSING else f"Private method #{name} is not writable", loc)
                v.set.call(o, [value])
                return
            o.props[pn] = value
        return write

    def private_get(self, node: Any) -> Expr:
        obj = self.expr(node.object)
        reader = self.private_reader(node)
        optional = node.optional
        from .core import SHORT

        def private_get(env: list) -> Any:
            o = obj(env)
            if optional and (o is None or o is UNDEFINED):
                raise SHORT
            return reader(env, o)
        return private_get

    def private_in(self, node: Any) -> Expr:
        realm = self.realm
        name = node.left.name
        privates = self.privates_lookup(name)
        right = self.expr(node.right)
        loc = self.loc(node)

        def private_in(env: list) -> Any:
            o = right(env)
            if not isinstance(o, JSObject):
                raise throw_at(realm, "TypeError", "Cannot use 'in' operator to search for a private field in a "
                                                   "non-object", loc)
            return privates(env)[name] in o.props
        return private_in

    # -- super
    def _super_parts(self, node: Any) -> tuple[Callable[[list], Any], Callable[[list], Any]]:
        realm = self.realm
        home = self.special_named("home")
        this = self.special_named("this")
        loc = self.loc(node)
        if home is None or this is None:
            raise self.syntax_error("'super' keyword unexpected here", node)
        hup, hslot = env_at(home[0]), home[1]
        tup, tslot = env_at(this[0]), this[1]

        def home_proto(env: list) -> Any:
            h = hup(env)[hslot]
            if not isinstance(h, JSObject):
                raise throw_at(realm, "SyntaxError", "'super' keyword unexpected here", loc)
            return h.get_prototype_of()

        def this_value(env: list) -> Any:
            v = tup(env)[tslot]
            if v is UNINIT:
                raise throw_at(realm, "ReferenceError", "Must call super constructor in derived class before "
                                                        "accessing 'this'", loc)
            return v
        return home_proto, this_value

    def super_member(self, node: Any) -> Expr:
        realm = self.realm
        home_proto, this_value = self._super_parts(node)
        key = self.member_key(node)
        loc = self.loc(node)

        def super_get(env: list) -> Any:
            this = this_value(env)
            k = key(env)
            p = home_proto(env)
            if p is None:
                raise throw_at(realm, "TypeError", f"Cannot read properties of null (reading '{k}')", loc)
            return p.get(k, this)
        return super_get

    def super_member_binder(self, target: Any) -> Callable[[list, Any], None]:
        realm = self.realm
        home_proto, this_value = self._super_parts(target)
        key = self.member_key(target)
        strict = True

        def super_set(env: list, value: Any) -> None:
            this = this_value(env)
            k = key(env)
            p = home_proto(env)
            if p is None:
                raise realm.throw("TypeError", "Cannot set properties of null")
            if not p.set(k, value, this) and strict:
                raise realm.throw("TypeError", f"Cannot assign to read only property '{realm.display(k)}'")
        return super_set

    def super_target(self, node: Any) -> Callable[[list], Callable[[Any], None]]:
        """``super[e]`` as an assignment target: ``prepare(env)`` evaluates the reference (this, the key value and
        the home object's prototype) and returns ``put(v)``, which converts the key and sets
        (https://tc39.es/ecma262/#sec-makesuperpropertyreference, then PutValue)."""
        realm = self.realm
        home_proto, this_value = self._super_parts(node)
        raw_key = self.expr(node.property) if node.computed else None
        name = None if node.computed else node.property.name
        loc = self.loc(node)

        def prepare(env: list) -> Callable[[Any], None]:
            this = this_value(env)
            rk = raw_key(env) if raw_key is not None else name
            p = home_proto(env)

            def put(value: Any) -> None:
                if p is None:
                    raise throw_at(realm, "TypeError", "Cannot set properties of null", loc)
                k = rk if type(rk) is str else to_property_key(rk)
                if not p.set(k, value, this):
                    raise throw_at(realm, "TypeError", f"Cannot assign to read only property '{realm.display(k)}'",
                                   loc)
            return put
        return prepare

    def super_delete(self, node: Any) -> Expr:
        """``delete super.x`` / ``delete super[e]`` (https://tc39.es/ecma262/#sec-delete-operator-runtime-semantics-
        evaluation): evaluate the reference (``this`` first, then the key expression without ToPropertyKey), then
        throw a ReferenceError."""
        realm = self.realm
        _, this_value = self._super_parts(node)
        key_expr = self.expr(node.property) if node.computed else None
        loc = self.loc(node)

        def super_delete(env: list) -> Any:
            this_value(env)
            if key_expr is not None:
                key_expr(env)
            raise throw_at(realm, "ReferenceError", "Unsupported reference to 'super'", loc)
        return super_delete

    def super_reference(self, target: Any) -> Callable[[list], tuple[Any, Any]]:
        get = self.super_member(target)
        bind = self.super_member_binder(target)
        return lambda env: ((lambda: get(env)), (lambda v: bind(env, v)))

    def super_call(self, node: Any) -> Expr:
        realm = self.realm
        func = self.special_named("func")
        this = self.special_named("this")
        nt = self.special_named("newtarget")
        loc = self.loc(node)
        if func is None or this is None or nt is None:
            raise self.syntax_error("'super' keyword unexpected here", node)
        fup, fslot = env_at(func[0]), func[1]
        tup, tslot = env_at(this[0]), this[1]
        nup, nslot = env_at(nt[0]), nt[1]
        args = self.arguments_list(node.arguments)
        stack = realm.stack

        def super_call(env: list) -> Any:
            f = fup(env)[fslot]
            parent = f.get_prototype_of()
            a = args(env)
            if not is_constructor(parent):
                raise throw_at(realm, "TypeError", "Super constructor is not a constructor", loc)
            stack.append(loc)
            try:
                result = parent.construct(a, nup(env)[nslot])
            finally:
                stack.pop()
            te = tup(env)
            if te[tslot] is not UNINIT:
                raise throw_at(realm, "ReferenceError", "Super constructor may only be called once", loc)
            te[tslot] = result
            if f.fields:
                initialize_fields(realm, result, f)
            return result
        return super_call


class _Fields:
    __slots__ = ("fields",)

    def __init__(self, fields: list) -> None:
        self.fields = fields


def _merge_private(old: Any, kind: str, fn: Any) -> PropertyDescriptor:
    if kind == "get":
        setter = old.set if isinstance(old, PropertyDescriptor) and old.set is not MISSING else UNDEFINED
        return PropertyDescriptor(get=fn, set=setter, enumerable=False, configurable=False)
    if kind == "set":
        getter = old.get if isinstance(old, PropertyDescriptor) and old.get is not MISSING else UNDEFINED
        return PropertyDescriptor(get=getter, set=fn, enumerable=False, configurable=False)
    return PropertyDescriptor(value=fn, writable=False, enumerable=False, configurable=False)


_ = to_property_key
