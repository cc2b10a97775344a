"""The JS value model: undefined, symbols, property descriptors, ordinary objects, arrays and functions.

Numbers are Python floats, strings are ``str`` of UTF-16 code units, null is ``None`` (docs/engine.md "Values").
JS reaches these objects only through the spec's internal methods below; no Python attribute is ever a JS property.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from .errors import JSRangeError, JSTypeError

__all__ = [
    "JSUndefined", "UNDEFINED", "MISSING", "HOLE", "UNINIT",
    "JSSymbol", "JSBigInt", "PropertyDescriptor", "JSObject", "JSArray", "JSFunction", "BuiltinFunction",
    "BoundFunction", "JSPrimitiveObject", "JSErrorObject", "JSArgumentsObject",
    "SYM_ITERATOR", "SYM_ASYNC_ITERATOR", "SYM_HAS_INSTANCE", "SYM_TO_PRIMITIVE", "SYM_TO_STRING_TAG",
    "SYM_SPECIES", "SYM_IS_CONCAT_SPREADABLE", "SYM_UNSCOPABLES", "SYM_MATCH", "SYM_MATCH_ALL", "SYM_REPLACE",
    "SYM_SEARCH", "SYM_SPLIT", "WELL_KNOWN_SYMBOLS",
    "array_index", "is_callable", "is_constructor", "js_str_to_py", "py_str_to_js", "describe_thrown",
    "data_desc", "accessor_desc", "MAX_ARRAY_LENGTH", "dense_limit",
]

MAX_ARRAY_LENGTH = 4294967295
_DENSE_GAP = 1024  # a write this far past the dense part goes to the sparse dict instead of growing the list

#: How long an array's dense part may grow by writes at an index (``a[a.length] = x``, ``a[i] = x`` with gaps,
#: ``Reflect.set``, ``fill`` after ``a.length = n``): ``[max_array_length]`` of the running task, set by its
#: ``Budget`` when the task starts or resumes (an array does not know its realm). A write that would grow the dense
#: part past it is a ``RangeError`` naming the limit, as ``push`` is; writes far past the dense part stay sparse.
dense_limit = [1 << 25]


class JSUndefined:
    """The type of ``undefined``; falsy, one instance."""

    __slots__ = ()
    _instance: "JSUndefined | None" = None

    def __new__(cls) -> "JSUndefined":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = JSUndefined()


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING: Any = _Sentinel("MISSING")   # "absent" in descriptors and lookups; never a JS value
HOLE: Any = _Sentinel("HOLE")         # an array hole in JSArray.elems
UNINIT: Any = _Sentinel("UNINIT")     # a let/const/class binding in its temporal dead zone


class JSSymbol:
    """A symbol; identity is the value. ``description`` is a str or UNDEFINED."""

    __slots__ = ("description", "registered", "__weakref__")

    def __init__(self, description: Any = UNDEFINED, registered: bool = False) -> None:
        self.description = description
        self.registered = registered

    def __repr__(self) -> str:
        d = "" if self.description is UNDEFINED else self.description
        return f"Symbol({d})"


class JSBigInt:
    """A BigInt value (arithmetic on it is not implemented yet: operations throw a clear TypeError)."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JSBigInt) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"{self.value}n"


def _wk(name: str) -> JSSymbol:
    return JSSymbol("Symbol." + name)


SYM_ITERATOR = _wk("iterator")
SYM_ASYNC_ITERATOR = _wk("asyncIterator")
SYM_HAS_INSTANCE = _wk("hasInstance")
SYM_TO_PRIMITIVE = _wk("toPrimitive")
SYM_TO_STRING_TAG = _wk("toStringTag")
SYM_SPECIES = _wk("species")
SYM_IS_CONCAT_SPREADABLE = _wk("isConcatSpreadable")
SYM_UNSCOPABLES = _wk("unscopables")
SYM_MATCH = _wk("match")
SYM_MATCH_ALL = _wk("matchAll")
SYM_REPLACE = _wk("replace")
SYM_SEARCH = _wk("search")
SYM_SPLIT = _wk("split")
WELL_KNOWN_SYMBOLS: dict[str, JSSymbol] = {
    s.description[7:]: s for s in (
        SYM_ITERATOR, SYM_ASYNC_ITERATOR, SYM_HAS_INSTANCE, SYM_TO_PRIMITIVE, SYM_TO_STRING_TAG, SYM_SPECIES,
        SYM_IS_CONCAT_SPREADABLE, SYM_UNSCOPABLES, SYM_MATCH, SYM_MATCH_ALL, SYM_REPLACE, SYM_SEARCH, SYM_SPLIT)
}


class PropertyDescriptor:
    """A property descriptor; fields not present are MISSING. Stored properties are always complete.

    A stored plain data property (writable, enumerable, configurable) is kept as the bare value instead.
    """

    __slots__ = ("value", "get", "set", "writable", "enumerable", "configurable")

    def __init__(self, value: Any = MISSING, get: Any = MISSING, set: Any = MISSING, writable: Any = MISSING,
                 enumerable: Any = MISSING, configurable: Any = MISSING) -> None:
        self.value = value
        self.get = get
        self.set = set
        self.writable = writable
        self.enumerable = enumerable
        self.configurable = configurable

    def is_accessor(self) -> bool:
        return self.get is not MISSING or self.set is not MISSING

    def is_data(self) -> bool:
        return self.value is not MISSING or self.writable is not MISSING

    def is_generic(self) -> bool:
        return not self.is_accessor() and not self.is_data()

    def complete(self) -> "PropertyDescriptor":
        """CompletePropertyDescriptor: absent fields get their defaults (a new object)."""
        if self.is_accessor():
            return PropertyDescriptor(
                get=UNDEFINED if self.get is MISSING else self.get, set=UNDEFINED if self.set is MISSING else self.set,
                enumerable=self.enumerable is True, configurable=self.configurable is True)
        return PropertyDescriptor(
            value=UNDEFINED if self.value is MISSING else self.value, writable=self.writable is True,
            enumerable=self.enumerable is True, configurable=self.configurable is True)

    def is_plain(self) -> bool:
        """A complete data descriptor with all three flags true (storable as the bare value)."""
        return (self.writable is True and self.enumerable is True and self.configurable is True
                and self.get is MISSING and self.set is MISSING)

    def __repr__(self) -> str:
        parts = [f"{n}={getattr(self, n)!r}" for n in self.__slots__ if getattr(self, n) is not MISSING]
        return f"PropertyDescriptor({', '.join(parts)})"


def data_desc(value: Any, writable: bool = True, enumerable: bool = False, configurable: bool = True
              ) -> PropertyDescriptor:
    """A complete data descriptor (defaults are those of built-in methods: not enumerable)."""
    return PropertyDescriptor(value=value, writable=writable, enumerable=enumerable, configurable=configurable)


def accessor_desc(get: Any = UNDEFINED, set: Any = UNDEFINED, enumerable: bool = False, configurable: bool = True
                  ) -> PropertyDescriptor:
    return PropertyDescriptor(get=get, set=set, enumerable=enumerable, configurable=configurable)


def array_index(key: Any) -> int:
    """The array index a property key denotes (canonical "0".."4294967294"), or -1."""
    if type(key) is not str or not key:
        return -1
    c = key[0]
    if c < "0" or c > "9" or (c == "0" and len(key) > 1) or len(key) > 10 or not key.isdigit() or not key.isascii():
        return -1
    i = int(key)
    return i if i < MAX_ARRAY_LENGTH else -1


def _desc_of(v: Any) -> PropertyDescriptor:
    if type(v) is PropertyDescriptor:
        return v
    return PropertyDescriptor(value=v, writable=True, enumerable=True, configurable=True)


def _same_value(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        if a != a:
            return b != b
        if a == 0.0 and b == 0.0:
            return math.copysign(1.0, a) == math.copysign(1.0, b)
        return a == b
    if type(a) is not type(b):
        return False
    if type(a) is str or type(a) is bool or type(a) is JSBigInt:
        return a == b
    return a is b


def validate_and_apply(obj: "JSObject | None", key: Any, extensible: bool, desc: PropertyDescriptor,
                       current: PropertyDescriptor | None) -> bool:
    """ValidateAndApplyPropertyDescriptor (https://tc39.es/ecma262/#sec-validateandapplypropertydescriptor)."""
    if current is None:
        if not extensible:
            return False
        if obj is not None:
            obj._store(key, desc.complete())
        return True
    if desc.is_generic() and desc.enumerable is MISSING and desc.configurable is MISSING:
        return True
    if current.configurable is False:
        if desc.configurable is True:
            return False
        if desc.enumerable is not MISSING and desc.enumerable is not current.enumerable:
            return False
        if not desc.is_generic() and desc.is_accessor() != current.is_accessor():
            return False
        if current.is_accessor():
            if desc.get is not MISSING and desc.get is not current.get:
                return False
            if desc.set is not MISSING and desc.set is not current.set:
                return False
        elif current.writable is False:
            if desc.writable is True:
                return False
            if desc.value is not MISSING and not _same_value(desc.value, current.value):
                return False
    if obj is not None:
        if desc.is_generic() or desc.is_accessor() == current.is_accessor():
            new = PropertyDescriptor(current.value, current.get, current.set, current.writable, current.enumerable,
                                     current.configurable)
            for name in ("value", "get", "set", "writable", "enumerable", "configurable"):
                v = getattr(desc, name)
                if v is not MISSING:
                    setattr(new, name, v)
        elif desc.is_accessor():
            new = PropertyDescriptor(
                get=UNDEFINED if desc.get is MISSING else desc.get, set=UNDEFINED if desc.set is MISSING else desc.set,
                enumerable=current.enumerable if desc.enumerable is MISSING else desc.enumerable,
                configurable=current.configurable if desc.configurable is MISSING else desc.configurable)
        else:
            new = PropertyDescriptor(
                value=UNDEFINED if desc.value is MISSING else desc.value, writable=desc.writable is True,
                enumerable=current.enumerable if desc.enumerable is MISSING else desc.enumerable,
                configurable=current.configurable if desc.configurable is MISSING else desc.configurable)
        obj._store(key, new)
    return True


class JSObject:
    """An ordinary object. ``props`` maps keys (str or JSSymbol) to a bare value (a plain data property) or a
    complete PropertyDescriptor; dict order is insertion order, ``own_property_keys`` puts indices first."""

    __slots__ = ("proto", "extensible", "props", "__weakref__")
    class_name = "Object"
    exotic = False          # True when the class overrides get_own_property (the fast paths then step aside)

    def __init__(self, proto: "JSObject | None" = None) -> None:
        self.proto = proto
        self.extensible = True
        self.props: dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"<JS {self.class_name}>"

    # -- storage hook used by validate_and_apply
    def _store(self, key: Any, desc: PropertyDescriptor) -> None:
        self.props[key] = desc.value if desc.is_plain() else desc

    # -- internal methods
    def get_prototype_of(self) -> "JSObject | None":
        return self.proto

    def set_prototype_of(self, proto: "JSObject | None") -> bool:
        if proto is self.proto:
            return True
        if not self.extensible:
            return False
        p = proto
        while p is not None:
            if p is self:
                return False
            if type(p).get_prototype_of is not JSObject.get_prototype_of:
                break
            p = p.proto
        self.proto = proto
        return True

    def is_extensible(self) -> bool:
        return self.extensible

    def prevent_extensions(self) -> bool:
        self.extensible = False
        return True

    def get_own_property(self, key: Any) -> PropertyDescriptor | None:
        v = self.props.get(key, MISSING)
        if v is MISSING:
            return None
        if type(v) is PropertyDescriptor:
            return v
        return PropertyDescriptor(value=v, writable=True, enumerable=True, configurable=True)

    def define_own_property(self, key: Any, desc: PropertyDescriptor) -> bool:
        return validate_and_apply(self, key, self.extensible, desc, self.get_own_property(key))

    def has_property(self, key: Any) -> bool:
        o: JSObject | None = self
        while o is not None:
            if o.exotic:
                if o.get_own_property(key) is not None:
                    return True
                o = o.get_prototype_of()
            else:
                if key in o.props:
                    return True
                o = o.proto
        return False

    def get(self, key: Any, receiver: Any = MISSING) -> Any:
        o: JSObject | None = self
        while o is not None:
            if o.exotic:
                d = o.get_own_property(key)
                if d is None:
                    o = o.get_prototype_of()
                    continue
                v: Any = d
            else:
                v = o.props.get(key, MISSING)
                if v is MISSING:
                    o = o.proto
                    continue
            if type(v) is PropertyDescriptor:
                if v.get is MISSING:
                    return v.value
                getter = v.get
                if getter is UNDEFINED:
                    return UNDEFINED
                return getter.call(self if receiver is MISSING else receiver, [])
            return v
        return UNDEFINED

    def set(self, key: Any, value: Any, receiver: Any = MISSING) -> bool:
        if receiver is MISSING or receiver is self:
            if not self.exotic:
                props = self.props
                v = props.get(key, MISSING)
                if v is not MISSING:
                    if type(v) is not PropertyDescriptor:
                        props[key] = value
                        return True
                    if v.writable is True:
                        v.value = value     # stored descriptors are never shared while writable
                        return True
            receiver = self
        return ordinary_set(self, key, value, receiver)

    def delete(self, key: Any) -> bool:
        v = self.props.get(key, MISSING)
        if v is MISSING:
            return True
        if type(v) is PropertyDescriptor and v.configurable is not True:
            return False
        del self.props[key]
        return True

    def own_property_keys(self) -> list[Any]:
        return _order_keys(self.props)

    # -- conveniences for built-ins (not internal methods)
    def define(self, key: Any, value: Any, writable: bool = True, enumerable: bool = False,
               configurable: bool = True) -> None:
        """Define a data property directly (for intrinsics set-up); attributes as given. Writes the property dict
        without making the object's pending built-in methods (engine/lazy.py)."""
        props = _PROPS_SLOT.__get__(self)
        if writable and enumerable and configurable:
            props[key] = value
        else:
            props[key] = PropertyDescriptor(value=value, writable=writable, enumerable=enumerable,
                                            configurable=configurable)

    def create_data_property(self, key: Any, value: Any) -> bool:
        """CreateDataProperty: a plain data property, failing on a non-configurable one or non-extensible object."""
        if not self.exotic:
            v = self.props.get(key, MISSING)
            if v is MISSING:
                if self.extensible:
                    self.props[key] = value
                    return True
                return False
            if type(v) is not PropertyDescriptor:
                self.props[key] = value
                return True
        return self.define_own_property(key, PropertyDescriptor(value=value, writable=True, enumerable=True,
                                                                configurable=True))


_PROPS_SLOT: Any = JSObject.__dict__["props"]


def _order_keys(keys: Iterable[Any]) -> list[Any]:
    ints: list[tuple[int, str]] = []
    strs: list[Any] = []
    syms: list[Any] = []
    for k in keys:
        if type(k) is str:
            i = array_index(k)
            if i >= 0:
                ints.append((i, k))
            else:
                strs.append(k)
        elif type(k) is JSSymbol:
            syms.append(k)
    if ints:
        ints.sort()
        return [k for _, k in ints] + strs + syms
    return strs + syms


def ordinary_set(obj: JSObject, key: Any, value: Any, receiver: Any) -> bool:
    """OrdinarySet (https://tc39.es/ecma262/#sec-ordinaryset), walking the chain without recursion."""
    o: JSObject | None = obj
    own: PropertyDescriptor | None = None
    while o is not None:
        own = o.get_own_property(key)
        if own is not None:
            break
        o = o.get_prototype_of()
    if own is None:
        own = PropertyDescriptor(value=UNDEFINED, writable=True, enumerable=True, configurable=True)
    if own.get is not MISSING or own.set is not MISSING:
        setter = own.set
        if setter is UNDEFINED or setter is MISSING:
            return False
        setter.call(receiver, [value])
        return True
    if own.writable is False:
        return False
    if not isinstance(receiver, JSObject):
        return False
    existing = receiver.get_own_property(key)
    if existing is not None:
        if existing.is_accessor() or existing.writable is False:
            return False
        return receiver.define_own_property(key, PropertyDescriptor(value=value))
    return receiver.create_data_property(key, value)


class JSArray(JSObject):
    """An Array exotic object: a dense ``elems`` list (HOLE for holes; values or PropertyDescriptors), indices far
    past the dense part in ``props``, and ``length`` as an int."""

    __slots__ = ("elems", "length", "length_writable")
    class_name = "Array"
    exotic = True

    def __init__(self, proto: JSObject | None = None, elems: list[Any] | None = None) -> None:
        self.proto = proto
        self.extensible = True
        self.props = {}
        self.elems: list[Any] = [] if elems is None else elems
        self.length = len(self.elems)
        self.length_writable = True

    def get_own_property(self, key: Any) -> PropertyDescriptor | None:
        if type(key) is str:
            i = array_index(key)
            if i >= 0:
                elems = self.elems
                if i < len(elems):
                    v = elems[i]
                    if v is HOLE:
                        return None
                    return _desc_of(v)
            elif key == "length":
                return PropertyDescriptor(value=float(self.length), writable=self.length_writable,
                                          enumerable=False, configurable=False)
        return JSObject.get_own_property(self, key)

    def _store(self, key: Any, desc: PropertyDescriptor) -> None:
        i = array_index(key)
        if i >= 0:
            elems = self.elems
            v = desc.value if desc.is_plain() else desc
            if i < len(elems):
                elems[i] = v
                return
            if i < len(elems) + _DENSE_GAP:
                if i >= dense_limit[0]:
                    raise JSRangeError(f"Invalid array length: {i + 1} elements is over max_array_length "
                                       f"({dense_limit[0]})")
                elems.extend([HOLE] * (i - len(elems)))
                elems.append(v)
                self._absorb_sparse()
                return
        JSObject._store(self, key, desc)

    def _absorb_sparse(self) -> None:
        props = self.props
        if not props:
            return
        elems = self.elems
        while True:
            k = str(len(elems))
            v = props.pop(k, MISSING)
            if v is MISSING:
                return
            elems.append(v)

    def define_own_property(self, key: Any, desc: PropertyDescriptor) -> bool:
        if key == "length":
            return self._set_length(desc)
        i = array_index(key)
        if i >= 0:
            if i >= self.length and not self.length_writable:
                return False
            if not validate_and_apply(self, key, self.extensible, desc, self.get_own_property(key)):
                return False
            if i >= self.length:
                self.length = i + 1
            return True
        return validate_and_apply(self, key, self.extensible, desc, self.get_own_property(key))

    def _set_length(self, desc: PropertyDescriptor) -> bool:
        """ArraySetLength (https://tc39.es/ecma262/#sec-arraysetlength)."""
        if desc.value is MISSING:
            if not validate_and_apply(None, "length", self.extensible, desc, self.get_own_property("length")):
                return False
            if desc.writable is False:
                self.length_writable = False
            return True
        from .operations import to_number, to_uint32
        new_len = to_uint32(desc.value)
        if float(new_len) != to_number(desc.value):
            raise JSRangeError("Invalid array length")
        if desc.configurable is True or desc.enumerable is True or desc.is_accessor():
            return False
        if new_len >= self.length:
            if not self.length_writable and new_len != self.length:
                return False
            if not self.length_writable and desc.writable is True:
                return False
            self.length = new_len
            if desc.writable is False:
                self.length_writable = False
            return True
        if not self.length_writable:
            return False
        ok = True
        elems = self.elems
        # delete from the end, stopping at a non-configurable element
        sparse = sorted((array_index(k) for k in self.props if array_index(k) >= new_len), reverse=True)
        for i in sparse:
            v = self.props[str(i)]
            if type(v) is PropertyDescriptor and v.configurable is False:
                new_len = i + 1
                ok = False
                break
            del self.props[str(i)]
        if ok:
            for i in range(len(elems) - 1, new_len - 1, -1):
                v = elems[i]
                if type(v) is PropertyDescriptor and v.configurable is False:
                    new_len = i + 1
                    ok = False
                    break
            del elems[new_len:]
        self.length = new_len
        if desc.writable is False:
            self.length_writable = False
        return ok

    def set(self, key: Any, value: Any, receiver: Any = MISSING) -> bool:
        if (receiver is MISSING or receiver is self) and type(key) is str:
            i = array_index(key)
            if 0 <= i < len(self.elems):
                v = self.elems[i]
                if v is not HOLE and type(v) is not PropertyDescriptor:
                    self.elems[i] = value
                    return True
        return ordinary_set(self, key, value, self if receiver is MISSING else receiver)

    def delete(self, key: Any) -> bool:
        i = array_index(key)
        if 0 <= i < len(self.elems):
            v = self.elems[i]
            if type(v) is PropertyDescriptor and v.configurable is not True:
                return False
            self.elems[i] = HOLE
            return True
        return JSObject.delete(self, key)

    def own_property_keys(self) -> list[Any]:
        keys: list[Any] = [str(i) for i, v in enumerate(self.elems) if v is not HOLE]
        rest = _order_keys(self.props)
        n = 0
        while n < len(rest) and array_index(rest[n]) >= 0:
            n += 1
        return keys + rest[:n] + ["length"] + rest[n:]

    def has_property(self, key: Any) -> bool:
        return JSObject.has_property(self, key)

    def append(self, value: Any) -> None:
        """Fast push for engine code building a fresh array."""
        self.elems.append(value)
        self.length = len(self.elems)


class JSFunction(JSObject):
    """Base of callable objects: ``call(this, args)`` and, for constructors, ``construct(args, new_target)``."""

    __slots__ = ("realm",)
    class_name = "Function"

    def call(self, this: Any, args: list[Any]) -> Any:
        raise JSTypeError("not a function")

    def construct(self, args: list[Any], new_target: Any) -> Any:
        raise JSTypeError(f"{self.debug_name() or 'anonymous'} is not a constructor")

    def is_constructor(self) -> bool:
        return False

    def source_text(self) -> str:
        """What Function.prototype.toString returns: the source text, or the native-code form."""
        return f"function {self.debug_name()}() {{ [native code] }}"

    def debug_name(self) -> str:
        d = self.props.get("name", MISSING)
        if type(d) is PropertyDescriptor:
            d = d.value
        return d if type(d) is str else ""


BuiltinCallable = Callable[[Any, Any, list], Any]

_LENGTH_DESCS: dict[Any, PropertyDescriptor] = {}
_NAME_DESCS: dict[str, PropertyDescriptor] = {}
_SHARED_MAX = 8192


def _shared_desc(cache: dict[Any, PropertyDescriptor], key: Any, value: Any) -> PropertyDescriptor:
    """The shared read-only, configurable, non-enumerable descriptor of a built-in's ``length`` or ``name``."""
    d = PropertyDescriptor(value, MISSING, MISSING, False, False, True)
    if len(cache) < _SHARED_MAX:    # names of host functions made at run time must not grow it without bound
        cache[key] = d
    return d


class BuiltinFunction(JSFunction):
    """A function implemented in Python: ``fn(realm, this, args)``; a constructor also has
    ``ctor(realm, args, new_target)``."""

    __slots__ = ("fn", "ctor")

    def __init__(self, realm: Any, fn: BuiltinCallable, name: Any, length: int,
                 ctor: Callable[[Any, list, Any], Any] | None = None, proto: JSObject | None = None) -> None:
        # A realm makes ~500 of these and a session ~1,300 more for host objects: the ``length`` and ``name``
        # descriptors are shared (they are read-only, and a stored descriptor is only ever changed in place while
        # writable: redefining one stores a new descriptor).
        self.proto = realm.function_prototype if proto is None else proto
        self.extensible = True
        self.realm = realm
        self.fn = fn
        self.ctor = ctor
        ld = _LENGTH_DESCS.get(length)
        if ld is None:
            ld = _shared_desc(_LENGTH_DESCS, length, float(length))
        nd = _NAME_DESCS.get(name) if type(name) is str else None
        if nd is None:
            nd = _shared_desc(_NAME_DESCS, name, name) if type(name) is str else \
                PropertyDescriptor(name, MISSING, MISSING, False, False, True)
        self.props = {"length": ld, "name": nd}

    def call(self, this: Any, args: list[Any]) -> Any:
        return self.fn(self.realm, this, args)

    def construct(self, args: list[Any], new_target: Any) -> Any:
        if self.ctor is None:
            return JSFunction.construct(self, args, new_target)
        return self.ctor(self.realm, args, new_target)

    def is_constructor(self) -> bool:
        return self.ctor is not None


class BoundFunction(JSFunction):
    """Function.prototype.bind's result."""

    __slots__ = ("target", "bound_this", "bound_args")

    def __init__(self, realm: Any, target: JSFunction, bound_this: Any, bound_args: list[Any]) -> None:
        JSObject.__init__(self, target.get_prototype_of())
        self.realm = realm
        self.target = target
        self.bound_this = bound_this
        self.bound_args = bound_args

    def call(self, this: Any, args: list[Any]) -> Any:
        return self.target.call(self.bound_this, self.bound_args + args)

    def construct(self, args: list[Any], new_target: Any) -> Any:
        if new_target is self:
            new_target = self.target
        return self.target.construct(self.bound_args + args, new_target)

    def is_constructor(self) -> bool:
        return self.target.is_constructor()


class JSPrimitiveObject(JSObject):
    """A Boolean/Number/String/Symbol/BigInt wrapper; String wrappers expose indices and ``length``."""

    __slots__ = ("value",)

    def __init__(self, proto: JSObject | None, value: Any) -> None:
        JSObject.__init__(self, proto)
        self.value = value
        if type(value) is str:
            self.props["length"] = PropertyDescriptor(value=float(len(value)), writable=False, enumerable=False,
                                                      configurable=False)

    @property
    def class_name(self) -> str:  # type: ignore[override]
        v = self.value
        if type(v) is str:
            return "String"
        if type(v) is bool:
            return "Boolean"
        if type(v) is float:
            return "Number"
        if type(v) is JSSymbol:
            return "Symbol"
        return "BigInt"

    @property
    def exotic(self) -> bool:  # type: ignore[override]
        return type(self.value) is str

    def get_own_property(self, key: Any) -> PropertyDescriptor | None:
        d = JSObject.get_own_property(self, key)
        if d is None and type(self.value) is str:
            i = array_index(key)
            if 0 <= i < len(self.value):
                return PropertyDescriptor(value=self.value[i], writable=False, enumerable=True, configurable=False)
        return d

    def define_own_property(self, key: Any, desc: PropertyDescriptor) -> bool:
        if type(self.value) is str:
            i = array_index(key)
            if 0 <= i < len(self.value):
                return validate_and_apply(None, key, False, desc, self.get_own_property(key))
        return JSObject.define_own_property(self, key, desc)

    def delete(self, key: Any) -> bool:
        if type(self.value) is str and 0 <= array_index(key) < len(self.value):
            return False
        return JSObject.delete(self, key)

    def own_property_keys(self) -> list[Any]:
        if type(self.value) is str:
            idx = [str(i) for i in range(len(self.value))]
            return _order_keys(idx + list(self.props))
        return JSObject.own_property_keys(self)


class JSErrorObject(JSObject):
    """An object with [[ErrorData]] (made by the Error constructors); ``js_stack`` holds the frames at creation."""

    __slots__ = ("js_stack",)
    class_name = "Error"

    def __init__(self, proto: JSObject | None) -> None:
        JSObject.__init__(self, proto)
        self.js_stack: list[str] = []


class JSArgumentsObject(JSObject):
    """An unmapped arguments object (strict-style; sloppy mapping to parameters is not emulated)."""

    __slots__ = ()
    class_name = "Arguments"


def is_callable(v: Any) -> bool:
    return isinstance(v, JSFunction)


def is_constructor(v: Any) -> bool:
    return isinstance(v, JSFunction) and v.is_constructor()


def js_str_to_py(s: str) -> str:
    """A JS string (UTF-16 code units) as a normal Python str; lone surrogates are kept as they are."""
    if s.isascii():
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def py_str_to_js(s: str) -> str:
    """A Python str as a JS string: astral characters become surrogate pairs."""
    if s.isascii() or all(ord(c) < 0x10000 for c in s):
        return s
    b = s.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(b[i:i + 2], "little")) for i in range(0, len(b), 2))


def describe_thrown(value: Any) -> str:
    """``Name: message`` for an error object, else the value as a string (never runs JS)."""
    if isinstance(value, JSObject):
        name = _plain_get(value, "name")
        msg = _plain_get(value, "message")
        if type(name) is str or type(msg) is str:
            name = name if type(name) is str else "Error"
            return f"{name}: {msg}" if type(msg) is str and msg else name
        return f"[object {value.class_name}]"
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if type(value) is float:
        from .operations import number_to_string
        return number_to_string(value)
    if type(value) is bool:
        return "true" if value else "false"
    return js_str_to_py(value) if type(value) is str else repr(value)


def _plain_get(obj: JSObject, key: str) -> Any:
    o: JSObject | None = obj
    while o is not None:
        v = o.props.get(key, MISSING)
        if v is not MISSING:
            if type(v) is PropertyDescriptor:
                return v.value if v.get is MISSING else MISSING
            return v
        o = o.proto
    return MISSING
