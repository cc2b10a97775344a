"""Session globals: timers, ``require``, and the constant tables (event enums, Modules, Language, VoiceList).

Timers keep their own ordered queue (due time, creation order) on the session clock, because asyncio's timer heap does
not promise creation order for equal due times; at most 100 are active, as in VoxEngine.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voxsim.engine.errors import JSErrorFromHost, JSTypeError
from voxsim.engine.operations import to_number
from voxsim.engine.host import HostObject, host_prototype, to_js
from voxsim.engine.values import MISSING, UNDEFINED, JSFunction, JSObject, PropertyDescriptor

from .enums_extra import EXTRA_ENUMS
from .events import GLOBAL_ENUMS
from .modules import MODULES, ModuleError, is_known_module, require_module
from .voices import language_table, voice_list

if TYPE_CHECKING:
    import asyncio

    from .session import Session

__all__ = ["Timers", "TIMER_LIMIT", "install", "freeze", "js_constant", "js_enum", "EnumObject", "FrozenTable", "MemberTrap",
           "trap_missing_members"]

TIMER_LIMIT = 100
_EPSILON = 1e-6


class _Timer:
    __slots__ = ("id", "fn", "args", "interval", "due", "seq")

    def __init__(self, ident: int, fn: Any, args: list[Any], interval: float | None, due: float, seq: int) -> None:
        self.id = ident
        self.fn = fn
        self.args = args
        self.interval = interval
        self.due = due
        self.seq = seq


class Timers:
    """setTimeout/setInterval of one session: creation order for equal due times, ≤ 100 active."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids = itertools.count(1)
        self._seq = itertools.count()
        self._heap: list[tuple[float, int, _Timer]] = []
        self._active: dict[int, _Timer] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for: float | None = None

    @property
    def active(self) -> int:
        """How many timers are pending."""
        return len(self._active)

    def set(self, fn: Any, delay_ms: Any, args: list[Any], repeat: bool) -> float:
        """Schedule ``fn(*args)``; returns the timer id (a JS number)."""
        name = "setInterval" if repeat else "setTimeout"
        if not isinstance(fn, JSFunction):
            raise JSTypeError(f"{name}: the callback must be a function")
        if len(self._active) >= TIMER_LIMIT:
            raise JSErrorFromHost(f"Too many timers: VoxEngine allows {TIMER_LIMIT} active timers")
        delay = to_number(delay_ms) if delay_ms is not UNDEFINED else 0.0
        if math.isnan(delay) or delay < 0:
            delay = 0.0
        seconds = delay / 1000.0
        if repeat:
            seconds = max(seconds, 0.001)  # an interval of 0 would never let virtual time move on
        timer = _Timer(next(self._ids), fn, list(args), seconds if repeat else None,
                       self.session.clock.now() + seconds, next(self._seq))
        if self.session.state not in ("new", "running"):
            return float(timer.id)  # after terminate(): an id, but it never fires
        self._active[timer.id] = timer
        heapq.heappush(self._heap, (timer.due, timer.seq, timer))
        self._arm()
        return float(timer.id)

    def clear(self, ident: Any) -> None:
        """clearTimeout/clearInterval: unknown ids are ignored."""
        if isinstance(ident, float) and ident.is_integer():
            self._active.pop(int(ident), None)

    def cancel_all(self) -> None:
        """Drop every timer (the session is terminating)."""
        self._active.clear()
        self._heap.clear()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
            self._armed_for = None

    def _arm(self) -> None:
        while self._heap and self._heap[0][2].id not in self._active:
            heapq.heappop(self._heap)
        if not self._heap:
            return
        due = self._heap[0][0]
        if self._handle is not None and self._armed_for is not None and self._armed_for <= due:
            return
        if self._handle is not None:
            self._handle.cancel()
        self._armed_for = due
        self._handle = self.session.clock.call_at(due, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._armed_for = None
        now = self.session.clock.now() + _EPSILON
        last_seq = next(self._seq)  # timers created while firing wait for the next turn
        while self._heap and self._heap[0][0] <= now and self._heap[0][1] < last_seq:
            _, _, timer = heapq.heappop(self._heap)
            if self._active.get(timer.id) is not timer:
                continue
            if timer.interval is None:
                del self._active[timer.id]
            else:
                timer.due = timer.due + timer.interval
                timer.seq = next(self._seq)
                heapq.heappush(self._heap, (timer.due, timer.seq, timer))
            if self.session.state != "running":
                break
            self.session.call_js(timer.fn, UNDEFINED, timer.args, where="timer")
        self._arm()


def freeze(value: Any) -> Any:
    """Object.freeze, deeply, on engine objects (constant tables must not be changed by scripts)."""
    if isinstance(value, JSObject):
        for key in value.own_property_keys():
            desc = value.get_own_property(key)
            if desc is not None and desc.is_data():
                freeze(desc.value)
                value.define_own_property(key, PropertyDescriptor(writable=False, configurable=False))
            elif desc is not None:
                value.define_own_property(key, PropertyDescriptor(configurable=False))
        value.prevent_extensions()
    return value


def js_constant(session: Session, table: Any) -> Any:
    """A Python table (dict of strings/numbers/dicts) as a deeply frozen JS object of the session's realm.

    Dicts become :class:`FrozenTable` objects that build their members on first use: ``VoiceList`` has ~2,200 voice
    objects, and freezing them all cost ~0.4 s of every session's start-up for a table most scenarios never read."""
    if isinstance(table, Mapping):
        return FrozenTable(session.realm, table)
    return freeze(session.to_js(table))


_PROPS_SLOT: Any = JSObject.__dict__["props"]  # the base class's slot descriptor, which the lazy tables' ``props`` wraps


def _member(realm: Any, value: Any) -> PropertyDescriptor:
    """One table member as a frozen data property (a nested dict as a lazy FrozenTable)."""
    if isinstance(value, Mapping):
        value = FrozenTable(realm, value)
    elif isinstance(value, (list, tuple)):
        value = freeze(to_js(realm, value))
    else:
        value = to_js(realm, value)
    return PropertyDescriptor(value=value, writable=False, enumerable=True, configurable=False)


def _materialize(realm: Any, table: Mapping[str, Any], props: dict[Any, Any]) -> None:
    """Fill ``props`` with ``table``'s members as frozen data properties, in the table's order (members already
    made one by one keep their descriptor, so a nested table read before stays the same object)."""
    made = dict(props)
    props.clear()
    for key, value in table.items():
        desc = made.get(key)
        props[key] = desc if desc is not None else _member(realm, value)


class FrozenTable(JSObject):
    """A deeply frozen plain object whose own properties are made from a Python dict on first access.

    Every engine path (fast paths included) reaches own properties through ``.props``, so materialising there is
    invisible to scripts: the object is non-extensible from the start and its members are non-writable,
    non-configurable, enumerable data properties in the dict's order, nested dicts being FrozenTables themselves."""

    __slots__ = ("_table", "_realm")

    def __init__(self, realm: Any, table: Mapping[str, Any]) -> None:
        self._table: Mapping[str, Any] | None = None
        super().__init__(realm.object_prototype)
        self._table = table
        self._realm = realm
        self.extensible = False

    @property
    def props(self) -> dict[Any, Any]:
        if self._table is not None:
            table, self._table = self._table, None
            _materialize(self._realm, table, _PROPS_SLOT.__get__(self))
        props: dict[Any, Any] = _PROPS_SLOT.__get__(self)
        return props

    @props.setter
    def props(self, value: dict[Any, Any]) -> None:
        _PROPS_SLOT.__set__(self, value)


# Keys the engine itself probes on arbitrary objects: a miss there is not the scenario's mistake.
_PROBED = frozenset({"toJSON", "then", "constructor", "prototype", "length", "name", "__proto__"})


class EnumObject(JSObject):
    """A frozen enum object (``CallEvents``…) whose reads of missing members return ``undefined`` as in VoxEngine
    and also record a trace warning (``PlayerEvents.PlaybackError`` is a classic). Its members are made on first use
    one by one: a session defines ~40 enums and most scenarios read a handful of their members."""

    __slots__ = ("session", "enum_name", "_table")
    exotic = True  # route every read through get(), so misses are seen

    def __init__(self, proto: JSObject | None, session: Session, enum_name: str,
                 table: Mapping[str, Any] | None = None) -> None:
        self._table: Mapping[str, Any] | None = None
        super().__init__(proto)
        self.session = session
        self.enum_name = enum_name
        self._table = table

    @property
    def props(self) -> dict[Any, Any]:
        if self._table is not None:
            table, self._table = self._table, None
            _materialize(self.session.realm, table, _PROPS_SLOT.__get__(self))
        props: dict[Any, Any] = _PROPS_SLOT.__get__(self)
        return props

    @props.setter
    def props(self, value: dict[Any, Any]) -> None:
        _PROPS_SLOT.__set__(self, value)

    def get_own_property(self, key: Any) -> PropertyDescriptor | None:
        # A read makes that member only (CallEvents has 40, a scenario reads a few); keys, writes and deletes read
        # ``props``, which makes the rest in the table's order.
        table = self._table
        if table is None:
            return JSObject.get_own_property(self, key)
        raw: dict[Any, Any] = _PROPS_SLOT.__get__(self)
        desc = raw.get(key)
        if desc is None:
            if type(key) is not str or key not in table:
                return None
            desc = raw[key] = _member(self.session.realm, table[key])
        return desc

    def get(self, key: Any, receiver: Any = MISSING) -> Any:
        value = super().get(key, receiver)
        if value is UNDEFINED and type(key) is str and key not in _PROBED and not self.has_property(key):
            stack = self.session.realm.stack
            extra = {"where": stack[-1].strip()} if stack else {}
            self.session.warn(f"{self.enum_name}.{key} does not exist in VoxEngine (reads as undefined)",
                              source="runtime", **extra)
        return value


class MemberTrap(JSObject):
    """Sits between a host class's prototype and ``Object.prototype``: a read that reaches it found no such member
    (``call.transfer``), so it records a warning; the read still gives ``undefined``, as on the platform."""

    __slots__ = ("session", "class_name_", "declared")
    exotic = True

    def __init__(self, proto: JSObject | None, session: Session, class_name: str,
                 declared: frozenset[str] = frozenset()) -> None:
        super().__init__(proto)
        self.session = session
        self.class_name_ = class_name
        self.declared = declared

    def get_own_property(self, key: Any) -> PropertyDescriptor | None:
        if type(key) is str and key not in _PROBED and self.proto is not None and not self.proto.has_property(key):
            stack = self.session.realm.stack
            extra = {"where": stack[-1].strip()} if stack else {}
            # a member the platform has but voxsim lacks must not be reported as a typo in the scenario
            what = "is not emulated by voxsim yet" if key in self.declared else "does not exist in VoxEngine"
            self.session.warn(f"{self.class_name_}.{key} {what} (reads as undefined)", source="runtime", **extra)
        return None


def trap_missing_members(session: Session, cls: type[HostObject], name: str | None = None,
                         declared: frozenset[str] = frozenset()) -> None:
    """Make reads of members ``cls`` does not have warn (see :class:`MemberTrap`); call once per session.
    ``declared`` names the members the platform has (reported as not emulated rather than nonexistent)."""
    proto = host_prototype(session.realm, cls)
    if not isinstance(proto.proto, MemberTrap):
        proto.proto = MemberTrap(proto.proto, session, name or cls.js_class, declared)


def js_enum(session: Session, name: str, table: Mapping[str, Any]) -> EnumObject:
    """A frozen :class:`EnumObject` named ``name`` holding ``table`` (values converted with ``to_js`` on first use;
    ``table`` must not change afterwards)."""
    obj = EnumObject(session.realm.object_prototype, session, name, table)
    obj.extensible = False
    return obj


def _arg(args: list[Any], i: int) -> Any:
    return args[i] if i < len(args) else UNDEFINED


# The timer and require globals are built-in functions with bodies shared by every session: each finds its
# session through ``realm.host`` (no closure per session and global).
def _set_timeout(realm: Any, this: Any, args: list[Any]) -> Any:
    return realm.host.extensions["timers"].set(_arg(args, 0), _arg(args, 1), args[2:], repeat=False)


def _set_interval(realm: Any, this: Any, args: list[Any]) -> Any:
    return realm.host.extensions["timers"].set(_arg(args, 0), _arg(args, 1), args[2:], repeat=True)


def _clear_timer(realm: Any, this: Any, args: list[Any]) -> Any:
    realm.host.extensions["timers"].clear(_arg(args, 0))
    return UNDEFINED


def _require(realm: Any, this: Any, args: list[Any]) -> Any:
    session = realm.host
    name = _arg(args, 0)
    # Unknown modules only warn: public scenarios in production call e.g. require(Modules.Player), which is
    # require(undefined) under the v28 typings, and go on working.
    if isinstance(name, str) and not is_known_module(name) and name in _script_names(session):
        return UNDEFINED  # another scenario file of this run: already loaded in the same realm
    if not isinstance(name, str):
        session.warn(f"require({realm.display(name)}): not a VoxEngine module; ignored", source="require")
        return UNDEFINED
    try:
        if not require_module(session, name):
            session.warn(f"require({name!r}): module {name!r} is not emulated by voxsim yet", source="require")
    except ModuleError as exc:
        session.warn(f"require({name!r}): {exc}; ignored", source="require")
    return UNDEFINED


def install(session: Session) -> None:
    """Timers, ``require``, the enums, ``Modules``, ``Language``, ``VoiceList``, ``global``."""
    realm = session.realm
    assert realm.host is session
    timers = Timers(session)
    session.extensions["timers"] = timers
    session.add_closer(timers.cancel_all)
    realm.define_global("setTimeout", realm.new_function("setTimeout", _set_timeout, 2))
    realm.define_global("setInterval", realm.new_function("setInterval", _set_interval, 2))
    realm.define_global("clearTimeout", realm.new_function("clearTimeout", _clear_timer, 1))
    realm.define_global("clearInterval", realm.new_function("clearInterval", _clear_timer, 1))
    realm.define_global("require", realm.new_function("require", _require, 1))
    for name, table in GLOBAL_ENUMS.items():
        realm.define_global(name, js_enum(session, name, table))
    for name, table in EXTRA_ENUMS.items():
        realm.define_global(name, js_enum(session, name, table))
    realm.define_global("Modules", js_enum(session, "Modules", MODULES))
    tables = _constant_tables()
    realm.define_global("Language", js_enum(session, "Language", tables["Language"]))
    realm.define_global("VoiceList", js_constant(session, tables["VoiceList"]))
    realm.define_global("global", realm.global_object)


@functools.cache
def _constant_tables() -> dict[str, Any]:
    """The Python ``Language`` and ``VoiceList`` tables, built once per process (sessions only read them)."""
    return {"Language": language_table(), "VoiceList": voice_list()}


def _script_names(session: Session) -> set[str]:
    names: set[str] = set()
    for script in session.script_files:
        stem = Path(script).name
        names.update({stem, stem[:-3] if stem.endswith(".js") else stem, f"./{stem}"})
    return names
