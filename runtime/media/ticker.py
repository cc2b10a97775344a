"""One 20 ms media ticker per event loop, shared by the media graphs of every session on it.

Why: a graph with its own timer costs the loop a timer handle, two heap operations and, on real time, a wake-up of the
process per tick. With 200 sessions on a real-time loop that is 10,000 wake-ups a second, and on a virtual machine each
wake-up from a sleep costs 20-140 µs of CPU by itself — more than a bridged call's whole tick. The ticker runs the
graphs in *slots*: all graphs of a slot tick in one timer callback, one after the other, on the same 20 ms grid.

- Real time: the 20 ms period is cut into :data:`SLOTS` phases, and a graph joins the slot with the fewest graphs when
  it wakes (at most ``SLOTS`` × 50 wake-ups a second in all). A graph's frames are as late as the graphs before it in
  its slot took to tick, which is what its ``lateness`` records; balancing keeps every slot short.
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
#: Phases of the 20 ms period on real time: 2 ms apart. Fewer slots mean fewer wake-ups but longer batches (the last
#: graph of a slot of 20 bridged calls waits ~0.5 ms for the others); more slots, the reverse.
SLOTS = 10
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
            key = min(range(SLOTS), key=lambda i: len(self.slots[i].graphs) if i in self.slots else 0)
            slot = self.slots.get(key)
            if slot is None:
                slot = self.slots[key] = TickSlot(key, self._epoch + key * TICK / SLOTS)
        if slot.timer is None:  # an idle slot restarts at the first grid point from now on
            slot.n = math.ceil((now - slot.base) / TICK - 1e-9)
            slot.timer = self.loop.call_at(slot.when, self._fire, slot)
        slot.graphs.append(graph)
        return slot

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
        for graph in tuple(graphs):  # graphs that join during the tick start on the next one
            if graph.slot is slot and not graph.run_tick(when):
                graph.slot = None
                graphs.remove(graph)
        if not graphs:
            return
        loop = self.loop
        slot.n += 1
        behind = loop.time() - slot.when
        if behind > _STALL_TICKS * TICK:
            slot.n += math.ceil(behind / TICK)
        slot.timer = loop.call_at(slot.when, self._fire, slot)
