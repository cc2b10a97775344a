"""Media units and the graph that moves one 20 ms frame along every edge per tick, paced by the session clock.

Every unit has one input and any number of outputs. ``a.send_media_to(b)`` makes ``a`` the only source of ``b`` (a new
source replaces the old one, so ``say()`` replaces a bridged peer's audio). Every tick of a session's graph moves all
its units: each ticking unit is pulled once (``pull``), and its frame is pushed (``push``) to every unit it feeds,
rate-converted per edge. The ticks come from the loop's shared :class:`~.ticker.Ticker`, on an absolute 20 ms grid
(no drift): on virtual time on the compacted loop clock, on real time on the wall clock, where ``lateness`` records
how late each tick ran.
"""

from __future__ import annotations

import itertools
import logging
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from ..clock import Clock
from .formats import PCM
from .frames import Frame, RateConverter, kept_converter
from .ticker import TICK, Ticker, TickSlot

__all__ = ["MediaUnit", "MediaGraph", "MediaError", "Listener", "Sink", "TICK"]

log = logging.getLogger("voxsim.media")

Listener = Callable[[str, dict[str, Any]], None]
"""``listener(event_name, payload)``: event names are VoxEngine's strings (``Player.Started``)."""


class MediaError(RuntimeError):
    """A media operation that cannot be done in the unit's current state."""


class MediaUnit:
    """A node of the media graph: subclasses override ``pull`` (what they emit per tick) and ``push`` (their input)."""

    kind = "unit"
    _ids = itertools.count(1)

    def __init__(self, graph: MediaGraph, sample_rate: int = 8000, name: str | None = None) -> None:
        self.graph = graph
        self.sample_rate = sample_rate
        self.id = next(MediaUnit._ids)
        self.name = name or f"{self.kind}-{self.id}"
        self.source: MediaUnit | None = None
        self.outputs: list[MediaUnit] = []
        self.closed = False
        self._converter: RateConverter | None = None
        self._listeners: list[Listener] = []
        graph.add(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # --- routing ---------------------------------------------------------------------------------------------------

    def send_media_to(self, target: MediaUnit) -> None:
        """Make this unit the (only) source of ``target``, replacing whatever ``target`` heard before."""
        self.graph.connect(self, target)

    def stop_media_to(self, target: MediaUnit) -> None:
        """Stop sending to ``target`` (no-op when it is fed by someone else)."""
        self.graph.disconnect(self, target)

    def clear_media_buffer(self, tag: str | None = None) -> int:
        """Drop queued incoming audio (``clearMediaBuffer``); returns the number of frames dropped."""
        return 0

    def deliver(self, frame: Frame) -> None:
        """Called by the graph: convert ``frame`` to this unit's rate and ``push`` it."""
        if frame.sample_rate != self.sample_rate:
            self._converter = conv = kept_converter(self._converter, frame.sample_rate, self.sample_rate)
            frame = conv.convert(frame)
        self.push(frame)

    # --- per-tick behaviour (override) -----------------------------------------------------------------------------

    @property
    def ticking(self) -> bool:
        """Whether the graph must pull this unit every tick (players playing, calls connected…)."""
        return bool(self.outputs)

    def pull(self) -> Frame | None:
        """This unit's frame for the current tick, or None for nothing (silence is not sent)."""
        return None

    def push(self, frame: Frame) -> None:
        """Receive a frame from the source."""

    def after_tick(self) -> None:
        """Called once per tick after all frames moved (units in ``graph.watchers`` only)."""

    # --- events ----------------------------------------------------------------------------------------------------

    def listen(self, listener: Listener) -> None:
        """Add an event listener."""
        self._listeners.append(listener)

    def emit(self, name: str, **payload: Any) -> None:
        """Send an event to the listeners (errors in one listener are logged, not raised into the media loop)."""
        for listener in list(self._listeners):
            try:
                listener(name, payload)
            except Exception:
                log.exception("media listener failed on %s from %r", name, self)

    def close(self) -> None:
        """Detach from the graph (inputs and outputs); the unit stays inert afterwards."""
        if self.closed:
            return
        self.closed = True
        self.graph.remove(self)

    def changed(self) -> None:
        """Tell the graph this unit's ``ticking`` may have changed (starts the timer when needed)."""
        self.graph.wake()


class MediaGraph:
    """All units of one session and the tick timer that moves their frames."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.units: dict[int, MediaUnit] = {}
        self.watchers: dict[int, MediaUnit] = {}
        self.ticks = 0
        self.frames_moved = 0
        # Real time, per tick (seconds): how late it started and what it took. Arrays of doubles, not lists of
        # floats: a 60 s call holds 3,000 of each, and a load worker reads them as numpy arrays without a copy.
        self.lateness: array[float] = array("d")
        self.tick_cost: array[float] = array("d")
        self.record_lateness = not clock.virtual
        self.slot: TickSlot | None = None  # the ticker's slot while ticking
        self.cost = 0.0  # real time: what a tick takes (seconds, a moving average; 0 until measured)
        #: Called with the exception when a tick raises (the session's ``internal_error``); the graph stops ticking.
        self.on_error: Callable[[BaseException], object] | None = None
        self._next: float = 0.0  # session time of the tick being processed
        self._order: tuple[MediaUnit, ...] | None = None  # the units in tick order, rebuilt after add/remove

    @property
    def now(self) -> float:
        """Session time of the tick being processed (or the clock when idle)."""
        return self.clock.now()

    def add(self, unit: MediaUnit) -> None:
        """Register a unit (done by ``MediaUnit.__init__``)."""
        self.units[unit.id] = unit
        self._order = None

    def watch(self, unit: MediaUnit, on: bool = True) -> None:
        """Have ``unit.after_tick`` called every tick (recorders, ASR, silence detectors)."""
        if on:
            self.watchers[unit.id] = unit
            self.wake()
        else:
            self.watchers.pop(unit.id, None)

    def remove(self, unit: MediaUnit) -> None:
        """Unregister a unit and cut all its edges."""
        if unit.source is not None:
            self.disconnect(unit.source, unit)
        for target in list(unit.outputs):
            self.disconnect(unit, target)
        self.units.pop(unit.id, None)
        self.watchers.pop(unit.id, None)
        self._order = None

    def connect(self, source: MediaUnit, target: MediaUnit) -> None:
        """``source`` → ``target``; ``target``'s previous source stops feeding it. A target with ``input_port``
        (a conference: many sources at once) gives each source its own port unit instead."""
        port = getattr(target, "input_port", None)
        if port is not None and not source.closed and not target.closed:
            target = port(source)
        if source is target:
            raise MediaError(f"{source!r} cannot send media to itself")
        if source.closed or target.closed:
            closed = source if source.closed else target
            raise MediaError(f"{closed!r} is closed")
        old = target.source
        if old is source:
            return
        if old is not None:
            old.outputs.remove(target)
        target.source = source
        source.outputs.append(target)
        self.wake()

    def disconnect(self, source: MediaUnit, target: MediaUnit) -> None:
        """Remove the edge ``source`` → ``target`` if it exists."""
        port = getattr(target, "existing_input_port", None)
        if port is not None:
            target = port(source)
            if target is None:
                return
        if target.source is source:
            target.source = None
            source.outputs.remove(target)

    # --- the tick --------------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Have the loop's ticker tick this graph on the 20 ms grid, if it does not already."""
        if self.slot is None:
            self.slot = Ticker.for_loop(self.clock.loop).join(self, self.clock.origin)

    def run_tick(self, when: float) -> bool:
        """One tick, due at loop time ``when`` (called by the ticker); returns whether the graph still ticks."""
        clock = self.clock
        self._next = when - clock.origin
        if self.record_lateness:
            time = clock.loop.time
            started = time()
            self.lateness.append(started - when)
            self.tick()
            took = time() - started
            self.tick_cost.append(took)
            self.cost = took if not self.cost else self.cost + 0.05 * (took - self.cost)  # what slots are packed by
        else:
            self.tick()
        if self.watchers:
            return True
        for unit in self._order or self._units_in_order():  # a loop, not any(genexpr): this runs every tick
            if unit.ticking:
                return True
        return False

    def _units_in_order(self) -> tuple[MediaUnit, ...]:
        order = self._order
        if order is None:
            order = self._order = tuple(self.units.values())
        return order

    def tick(self) -> None:
        """Move one frame along every edge: pull every ticking unit, then push to its outputs."""
        self.ticks += 1
        moves: list[tuple[MediaUnit, Frame]] = []
        for unit in self._units_in_order():  # a snapshot: units added during the tick start on the next one
            if unit.ticking:
                frame = unit.pull()
                if frame is not None and unit.outputs:
                    moves.append((unit, frame))
        moved = 0
        for unit, frame in moves:
            for target in unit.outputs:
                target.deliver(frame)
                moved += 1
        self.frames_moved += moved
        if self.watchers:
            for unit in list(self.watchers.values()):
                unit.after_tick()

    def failed(self, exc: BaseException) -> None:
        """A tick raised (the ticker has dropped this graph): report it to ``on_error``, else to the loop."""
        if self.on_error is not None:
            self.on_error(exc)
        else:
            self.clock.loop.call_exception_handler({"message": "media tick failed", "exception": exc})

    def stop(self) -> None:
        """Stop ticking (session end)."""
        slot, self.slot = self.slot, None
        if slot is not None:
            Ticker.for_loop(self.clock.loop).leave(self, slot)


class Sink(MediaUnit):
    """A unit that keeps what it receives with the session time of each frame (tests, benchmarks, simulated ears)."""

    kind = "sink"

    def __init__(self, graph: MediaGraph, sample_rate: int = 8000, name: str | None = None, keep: bool = True) -> None:
        super().__init__(graph, sample_rate, name)
        self.keep = keep
        self.frames: list[tuple[float, Frame]] = []
        self.count = 0

    def push(self, frame: Frame) -> None:
        self.count += 1
        if self.keep:
            self.frames.append((self.graph.now, frame))

    def audio(self) -> PCM:
        """Everything received, concatenated (gaps are not filled)."""
        return np.concatenate([f.pcm for _, f in self.frames]) if self.frames else np.zeros(0, np.int16)
