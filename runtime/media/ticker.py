"""One 20 ms media ticker per event loop, shared by the media graphs of every session on it.

Why: a graph with its own timer costs the loop a timer handle, two heap operations and, on real time, a wake-up of the
process per tick. With 200 sessions on a real-time loop that is 10,000 wake-ups a second, and on a virtual machine a
wake-up from a sleep costs 20-200 µs of CPU by itself — more than a bridged call's whole tick. The ticker runs the
graphs in *slots*: all graphs of a slot tick in one timer callback, one after the other, on the same 20 ms grid.

- Real time: slots sit on :data:`SLOTS` phases of the 20 ms period (2 ms apart) and are packed: a waking graph joins
  the busiest slot whose tick still fits in :data:`SLOT_BUDGET` (1 ms; each graph measures what its ticks take), so
  50 bridged calls share 2-3 slots and 200 all ten — few wake-ups, and no graph waits much more than 1 ms behind the
  others of its slot. A slot well over budget hands one graph a tick to another slot.
- Virtual time: a slot per exact phase of the loop clock, on the first graph's own grid, so a session alone on its
  loop ticks at exactly the instants it did with its own timer (runs stay reproducible).
"""

from __future__ import annotations

import math
import weakref
from asyncio import AbstractEventLoop, TimerHandle
from typing import TYPE_CHECKING

from ..clock import is_virtual
from .formats import FRAME_MS

if TYPE_CHECKING:
    from .units import MediaGraph

__all__ = ["Ticker", "TickSlot", "SLOTS", "TICK"]

TICK = FRAME_MS / 1000
#: Phases of the 20 ms period on real time, 2 ms apart: a full slot's tick (``SLOT_BUDGET``) plus the up to 1 ms by
#: which epoll (millisecond timeouts, rounded up) wakes the loop late. Phases 1 ms apart ran back to back instead.
SLOTS = 10
#: Real time: how long one slot's tick may take (seconds) before new graphs go to another slot. A graph's frames wait
#: for the graphs before it in its slot, so this bounds what batching adds to lateness; a larger budget means fewer
#: wake-ups (each costs the process 20-200 µs of CPU on a VM). 200 bridged calls, 2 ms: lateness p50 2.8 / p99
#: 6.7 ms; 1 ms: 1.2 / 3.6-5.0 ms for ~5 % more CPU.
SLOT_BUDGET = 0.001
_FIRST_GUESS = 0.0001  # a graph's tick before any was measured (a bridged call: 30-80 µs)
_STALL_TICKS = 10  # the process stalled this long: drop the missed ticks instead of bursting them
_US = 1_000_000

_tickers: weakref.WeakKeyDictionary[AbstractEventLoop, Ticker] = weakref.WeakKeyDictionary()


class TickSlot:
    """Graphs that tick together at loop times ``base + n * TICK``."""

    __slots__ = ("key", "base", "n", "graphs", "timer")

    def __init__(self, key: int, base: float) -> None:
        self.key = key
        self.base = base
        self.n = 0
        self.graphs: list[MediaGraph] = []
        self.timer: TimerHandle | None = None

    @property
    def when(self) -> float:
        """Loop time of the slot's next (or current) tick."""
        return self.base + self.n * TICK


class Ticker:
    """The ticker of one event loop: :meth:`for_loop` finds or makes it."""

    def __init__(self, loop: AbstractEventLoop) -> None:
        self.loop = loop
        self.virtual = is_virtual(loop)
        self.slots: dict[int, TickSlot] = {}
        self._epoch = loop.time()  # real time: slot i's phase is epoch + i * TICK / SLOTS
        self.per_graph = _FIRST_GUESS  # real time: what one graph's tick takes (a moving average over all slots)

    @classmethod
    def for_loop(cls, loop: AbstractEventLoop) -> Ticker:
        """The loop's ticker (made on first use; it goes with the loop)."""
        ticker = _tickers.get(loop)
        if ticker is None:
            ticker = _tickers[loop] = cls(loop)
        return ticker

    def join(self, graph: MediaGraph, origin: float) -> TickSlot:
        """Have ``graph`` ticked from its slot's next tick on; ``origin`` is its session's loop time 0, on whose
        20 ms grid a graph ticks on virtual time."""
        now = self.loop.time()
        if self.virtual:
            key = round(origin * _US) % round(TICK * _US)
            slot = self.slots.get(key)
            if slot is None:
                slot = self.slots[key] = TickSlot(key, origin)
        else:
            slot = self._pack(self._cost(graph))
        return self._enter(graph, slot, now)

    def _enter(self, graph: MediaGraph, slot: TickSlot, now: float) -> TickSlot:
        if slot.timer is None:  # an idle slot restarts at the first grid point from now on
            slot.n = math.ceil((now - slot.base) / TICK - 1e-9)
            slot.timer = self.loop.call_at(slot.when, self._fire, slot)
        slot.graphs.append(graph)
        return slot

    def _cost(self, graph: MediaGraph) -> float:
        return graph.cost or self.per_graph

    def _load(self, slot: TickSlot) -> float:
        """What the slot's tick takes: the sum of its graphs' measured tick times."""
        return sum(graph.cost or self.per_graph for graph in slot.graphs)

    def _pack(self, cost: float, avoid: TickSlot | None = None) -> TickSlot:
        """Real time: the busiest slot with room for ``cost`` more, else an unused phase, else the least busy."""
        loads = {key: self._load(s) for key, s in self.slots.items() if s.graphs and s is not avoid}
        fits = [key for key, load in loads.items() if load + cost <= SLOT_BUDGET]
        if fits:
            return self.slots[max(fits, key=loads.__getitem__)]
        for key in range(SLOTS):
            slot = self.slots.get(key)
            if slot is None:
                slot = self.slots[key] = TickSlot(key, self._epoch + key * TICK / SLOTS)
            if not slot.graphs:
                return slot
        return self.slots[min(loads, key=loads.__getitem__)] if loads else self.slots[0]

    def leave(self, graph: MediaGraph, slot: TickSlot) -> None:
        """Stop ticking ``graph`` (an idle slot cancels its timer)."""
        try:
            slot.graphs.remove(graph)
        except ValueError:
            return
        if not slot.graphs and slot.timer is not None:
            slot.timer.cancel()
            slot.timer = None

    def _fire(self, slot: TickSlot) -> None:
        slot.timer = None
        when = slot.when
        graphs = slot.graphs
        loop = self.loop
        started = loop.time()
        ticked = len(graphs)
        for graph in tuple(graphs):  # graphs that join during the tick start on the next one
            if graph.slot is not slot:
                continue
            try:
                ticking = graph.run_tick(when)
            except Exception as exc:  # one session's fault ends its media, not its slot-mates' (nor the slot's timer)
                ticking = False
                graph.failed(exc)
            if not ticking:
                graph.slot = None
                graphs.remove(graph)
        if not graphs:
            return
        if not self.virtual:
            self._measure(slot, loop.time() - started, ticked)
        slot.n += 1
        behind = loop.time() - slot.when
        if behind > _STALL_TICKS * TICK:
            slot.n += math.ceil(behind / TICK)
        slot.timer = loop.call_at(slot.when, self._fire, slot)

    def _measure(self, slot: TickSlot, took: float, ticked: int) -> None:
        """Real time: update the per-graph guess; move one graph out of a slot well over budget (a measured cost,
        so one slow tick — a collection, a preemption — moves nothing)."""
        if ticked:
            self.per_graph += 0.05 * (took / ticked - self.per_graph)
        graphs = slot.graphs
        if len(graphs) < 2:
            return
        load = self._load(slot)
        if load > 1.5 * SLOT_BUDGET:
            graph = graphs[-1]
            cost = self._cost(graph)
            other = self._pack(cost, avoid=slot)
            if self._load(other) + cost < load - cost:  # only if the two slots end up closer to even
                graphs.pop()
                graph.slot = self._enter(graph, other, self.loop.time())
