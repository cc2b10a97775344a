"""Free an ended session by reference counting: cut the cycles of its JS heap, its compiled code and its owners.

Why: a session is one big reference cycle (realm ↔ global object ↔ functions ↔ closures ↔ session ↔ calls), so
when it ends all of it (~4,000 tracked objects for a bridged call) waits for CPython's full collection, which walks
every live object of the process at once — 0.5–0.7 s with 200 calls alive, landing on everyone's media ticks. A load
worker that cuts those cycles as each call ends gets most of the memory back at once, so it can keep full passes
rare (``--gc lean``) without growing.

What is cut, and why that is safe: only objects that belong to one session by construction —

- JS objects (``JSObject`` and subclasses: each realm makes its own; lazy ones are switched back to their class
  first, without making their pending methods): their slots are deleted;
- the cells of closures made by the compiler, the realm's and the runtime's host wrappers (a realm's compiled
  code; ``compiler.fastops`` is skipped: its closures are shared by every realm);
- the ``__dict__`` of the session's runtime objects (the session, its realm, calls, media layers and hosts, caller
  scripts, connectors, emitters: every instance of a ``voxsim.runtime`` class the walk reaches), which also cuts
  the smaller cycles among them (a media layer and its call hosts, a connector and its emitter).

The walk starts at the session and passes through containers, bound methods and voxsim objects, but never enters an
object that existed when the worker warmed up (``keep``: modules, caches, the shared emulator, the network, the
loop), nor the parser's, scope analysis' or lazy placeholders' objects (cached across realms). Anything it does not
cut is left to the collector, as before. It runs in slices of ``slice_objects`` (150: ~0.3 ms; 400 held the loop
1-5 ms at 200 calls) so it never holds the loop long; logs (lists, deques and dicts longer than ``_LOG_SIZE``: trace
records, heard energy) hold records, not cycles, so they are not walked, and an owner's big ones are emptied a slice
at a time before its dict is cleared.
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from typing import Any

from voxsim.engine.lazy import LAZY_TYPES
from voxsim.engine.values import JSObject
from voxsim.runtime.hostturns import HostTurns

__all__ = ["Snapshot", "snapshot", "break_session_cycles", "OWNER_MODULES"]


def _make_cell() -> Any:
    x = 0
    return (lambda: x).__closure__[0]  # type: ignore[index]


class _Bound:
    def method(self) -> None:
        """A bound method's type, for the walk."""


_CELL = type(_make_cell())
_FUNCTION = type(_make_cell)
_BOUND = type(_Bound().method)
_CONTAINERS = (dict, list, tuple, set, frozenset, deque, _CELL, _BOUND)
#: Modules whose objects are shared by realms (parse and scope caches, lazy placeholders, shared fast operations).
_SHARED_MODULES = ("voxsim.engine.ast", "voxsim.engine.scope", "voxsim.engine.lazy", "voxsim.engine.parser",
                   "voxsim.engine.tokens", "voxsim.engine.compiler.fastops", "voxsim.engine.regex")
#: Process-wide services a session refers to (one control server, agent emulator, network, slice scheduler for every
#: session of the worker): the walk stops there even when one was made after the warm-up.
_SHARED_TYPES = frozenset({"voxsim.runtime.http.ControlServer", "voxsim.tools.agent.server.AgentEmulator",
                           "voxsim.tools.load.calls.SharedEmulator", "voxsim.tools.load.calls.CallFactory",
                           "voxsim.runtime.network.Network", "voxsim.runtime.timeslice.SliceScheduler",
                           "voxsim.runtime.media.ticker.Ticker", "voxsim.runtime.media.ticker.TickSlot"})
#: Closures whose cells hold one realm's compiled code or host wrappers.
_CELL_MODULES = ("voxsim.engine.compiler", "voxsim.engine.realm", "voxsim.engine.host", "voxsim.engine.builtins",
                 "voxsim.runtime")
#: Where the classes whose instance dict is cleared live (besides the realm).
OWNER_MODULES = ("voxsim.runtime.",)


class Snapshot(set[int]):
    """Ids of the objects the collector tracked when it was taken; it holds those objects too, so none of their ids
    can be reused by a session's object later (an id alone would then wrongly mark it as shared)."""

    def __init__(self, objects: list[Any]) -> None:
        super().__init__(map(id, objects))
        self.objects = objects


def snapshot() -> Snapshot:
    """What exists now (take it once the worker has warmed up, before any call)."""
    return Snapshot(gc.get_objects())


_BIG = (list, deque, dict)
#: Containers longer than this are not walked (see ``break_session_cycles``).
_LOG_SIZE = 256


async def _release(container: Any, slice_objects: int) -> None:
    """Empty a big session-owned container from its end, yielding to the loop between slices."""
    turn = HostTurns.for_loop(asyncio.get_running_loop()).turn
    while container:
        if isinstance(container, dict):
            for _ in range(min(slice_objects, len(container))):
                container.popitem()
        elif isinstance(container, deque):
            for _ in range(min(slice_objects, len(container))):
                container.pop()
        else:
            del container[-slice_objects:]
        await turn()


def _clear_js(obj: JSObject) -> None:
    cls = type(obj)
    if cls in LAZY_TYPES:
        obj.__class__ = LAZY_TYPES[cls]  # drop the lazy ``props`` property; the pending methods are never made
    for klass in type(obj).__mro__:
        for name in getattr(klass, "__slots__", ()):
            if name != "__weakref__":
                try:
                    object.__delattr__(obj, name)
                except (AttributeError, TypeError):
                    pass
    extra = getattr(obj, "__dict__", None)
    if extra is not None:
        extra.clear()


async def break_session_cycles(session: Any, keep: set[int], slice_objects: int = 150) -> dict[str, int]:
    """Cut the cycles of an ended ``session`` (see the module docstring); yields to the loop every
    ``slice_objects`` objects, each slice a piece of its own (:class:`~voxsim.runtime.hostturns.HostTurns`: a slice
    of this session never runs back to back with one of another). Returns what it visited and cut."""
    turn = HostTurns.for_loop(asyncio.get_running_loop()).turn
    seen: set[int] = set()
    js: list[JSObject] = []
    cells: list[Any] = []
    owners: list[Any] = []
    stack: list[Any] = [session]
    # the loop runs once per object of the session (thousands): the names it uses are locals, and referents are
    # filtered by a C function rather than a generator
    pop, extend, add = stack.pop, stack.extend, seen.add
    referents, tracked = gc.get_referents, gc.is_tracked
    visit = 0
    while stack:
        obj = pop()
        key = id(obj)
        if key in seen or key in keep:
            continue
        add(key)
        visit += 1
        if visit == slice_objects:
            visit = 0
            await turn()
        cls = type(obj)
        if cls is _FUNCTION:
            closure = obj.__closure__
            if closure:
                module = obj.__module__ or ""
                if module.startswith(_CELL_MODULES) and not module.startswith(_SHARED_MODULES):
                    cells.extend(closure)
                    extend(closure)
            continue
        if cls in _CONTAINERS:
            if cls in _BIG and len(obj) > _LOG_SIZE:
                continue  # a log (trace records, heard energy, frames): records, not cycles; freed with its owner
        elif isinstance(obj, JSObject):
            js.append(obj)
        else:
            module = cls.__module__
            if not module.startswith("voxsim.") or module.startswith(_SHARED_MODULES):
                continue
            name = f"{module}.{cls.__qualname__}"
            if name in _SHARED_TYPES:
                continue
            if (module.startswith(OWNER_MODULES) or name == "voxsim.engine.realm.Realm") and hasattr(obj, "__dict__"):
                owners.append(obj)
        extend(filter(tracked, referents(obj)))
    for i, obj in enumerate(js):
        _clear_js(obj)
        if i % slice_objects == slice_objects - 1:
            await turn()
    for i, cell in enumerate(cells):  # emptying a cell may free what it held: sliced too
        try:
            del cell.cell_contents
        except ValueError:  # already empty
            pass
        if i % slice_objects == slice_objects - 1:
            await turn()
    for owner in owners:
        # A long call's big lists (trace records, heard energy, lateness) are let go a slice at a time: freeing
        # tens of thousands of objects in one go would be the very stall this module is here to avoid.
        for value in list(owner.__dict__.values()):
            if type(value) in _BIG and len(value) > slice_objects and id(value) not in keep:
                await _release(value, slice_objects)
        owner.__dict__.clear()
        await turn()  # an owner's dict can hold a media layer or a realm: one owner per loop turn
    return {"visited": len(seen), "js_objects": len(js), "cells": len(cells), "owners": len(owners)}
