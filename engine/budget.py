"""Per-task limits that end a runaway cleanly: steps, running time, call depth, memory, string and array sizes.

Compiled code decrements ``left`` on loop back-edges and calls and calls ``spent()`` when it goes below zero. ``left``
holds one *chunk* of the task's steps, so ``spent()`` is a checkpoint reached every few hundred to few thousand steps:
it counts the chunk, refills it while the task is under ``max_steps``, and (with a ``timer``) checks the task's
time since the task started against ``max_seconds`` and its time slice against ``slice_seconds``, calling ``suspend()`` when the slice
is over so the realm can hand the thread back to the event loop. The hot path (one decrement and one compare) is the
same as with a single big allowance.

Memory is an approximate account in bytes, ``memory``, of what the current task allocated and still holds, charged
where a runaway that allocates without bound must pass (reactions waiting on pending promises, big strings) and
credited where the engine knows the memory is released again (a promise settled its reactions; a big string or
array that ``hold`` recorded and nothing else refers to any more, checked when the account is over); the realm's job
queue (``queue``) is added by its length. It is checked at the same checkpoints as the steps (and at once by
``charge()`` for one big allocation), so the hot path of a charge is one addition. It starts at 0 with each task
(the last quiet point): what earlier tasks left behind (a timer's closure, a pending promise that is never
settled) is not counted against the next one.

Objects made one at a time by compiled code (``o = {next: o}`` in a loop, closures, a Map or an array filled by
index) have no charge point of their own: a task that runs past its first checkpoints is *watched* instead, by the
growth of the interpreter's allocated memory blocks (``sys.getallocatedblocks()``: no cost per object; a read every
``HEAP_CHECK_SECONDS`` of the task's running time or ``HEAP_CHECK_STEPS`` without a timer, spaced out further when
reads are slow: they walk pymalloc's arenas). The process is shared, so only windows of the task's own running time count:
a window's growth is banked before the realm suspends the task, and a new window opens after it resumes (after
some slices only when reads are slow, until the rate those windows saw would pass the cap: then every slice). Blocks
freed meanwhile (by reference counting or by the collector, also others' garbage) are credited, so a task that
makes and drops objects stays at about zero; the count never goes below zero, so a big collection of others'
garbage (an ended session's objects) cannot hide a runaway's growth after it. Past ``HEAP_FACTOR`` times
``max_memory`` (at ``BLOCK_BYTES`` a block) the task ends like a memory runaway; the factor leaves room for what a
long first task legitimately keeps (lazily compiled functions, intrinsics made on first use).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sized
from typing import Callable

from .errors import BudgetExceeded
from .values import dense_limit as _dense_limit

__all__ = ["Budget", "CHECK_SECONDS", "MB", "JOB_BYTES", "BLOCK_BYTES", "HEAP_FACTOR", "HEAP_CHECK_SECONDS",
           "HEAP_WATCH_SECONDS", "HEAP_COST_RATIO", "HEAP_CHECK_STEPS"]

#: How much running time a chunk of steps should take when a timer is set: the chunk is halved or doubled so that
#: checkpoints come about this often whatever a step costs (0.3 µs in an empty loop, 100+ µs for a promise job).
CHECK_SECONDS = 0.00025

_MIN_CHUNK = 8

MB = 1 << 20

_NO_CAP = sys.maxsize

#: Bytes counted per queued promise job at a checkpoint: a storm of jobs that spawn more jobs grows the queue.
#: Measured with tracemalloc per queued job: ~180 B for a bare reaction, ~650 B with a fresh promise and closure,
#: ~3.3 KB for an ``await`` resume (it keeps its suspended function and greenlet alive); 1 KB is in between.
JOB_BYTES = 1024

#: Bytes counted per allocated block of the watched heap. pymalloc blocks hold 16-512 B; measured with tracemalloc
#: per block of growth: 86 B for ``o = {next: o}``, 81 B for ``p = [p]``, 42 B for ``m.set(i, i)``, 33 B for
#: ``a.push(a.length)`` (bigger objects are one block each, whatever their size: they are under-counted).
BLOCK_BYTES = 64

#: The watched heap may grow by this many times ``max_memory``: the first task of a big scenario compiles its
#: functions lazily and keeps them (cartesia_function_calling.js: ~21 K blocks, ~1.3 MB at BLOCK_BYTES).
HEAP_FACTOR = 4

#: A task is watched once it has run this long (on a timer; without one, from its first checkpoint): short tasks,
#: nearly all of them, never read the heap.
HEAP_WATCH_SECONDS = 0.004

#: Running time between two reads of the watched heap (a read walks pymalloc's arenas: 5-70 us in a small process,
#: 0.4-1 ms with 150-600 MB of Python objects) besides the two that make a window of a sliced task's slice.
HEAP_CHECK_SECONDS = 0.01

#: Steps between two reads of the watched heap without a timer (15-50 ms of a loop: ~1 % for a 500 us read; the
#: outcome stays a matter of steps, not of the machine's speed).
HEAP_CHECK_STEPS = 50_000

#: Reads of the watched heap take about 1 / HEAP_COST_RATIO of a task's running time at most (the next read waits
#: that many times the last one's cost): 2 % (of wall time; up to ~5 % of the task's CPU time measured on a box at
#: load 5, where a read's wall time includes being preempted). A bigger ratio leaves longer gaps between a slow
#: process's windows, which is how much later a runaway there is seen.
HEAP_COST_RATIO = 50

_allocated_blocks = sys.getallocatedblocks


def _dropped(held: dict[int, tuple[object, int]]) -> list[int]:
    """The keys of ``held`` whose object only ``held`` refers to (its count as measured here, once, at import)."""
    return [key for key, entry in held.items() if _refcount(entry[0]) <= _HELD_ONLY]


_refcount = sys.getrefcount


def _held_only() -> int:
    probe: dict[int, tuple[object, int]] = {}
    obj = ["x"]
    probe[id(obj)] = (obj, 1)
    del obj
    key, entry = next(iter(probe.items()))
    return _refcount(entry[0])


#: What ``_dropped`` reads for an object its dict alone holds (the same expression shape; differs between CPython
#: versions).
_HELD_ONLY = _held_only()


class Budget:
    """Limits for one realm. ``max_steps`` and ``max_seconds`` are per task (``reset()`` by every outer task).

    Spending the steps, the running time or the memory raises ``BudgetExceeded`` (not catchable from JS); exceeding
    ``max_depth``
    is a JS ``RangeError: Maximum call stack size exceeded``; too long a string or array is a JS ``RangeError``.

    Args:
        slice_steps: the largest chunk of steps between two checkpoints.
        slice_seconds: running time after which a checkpoint calls ``suspend`` (when the realm set one); ``None``
            never suspends (virtual time: runs stay deterministic).
        max_seconds: seconds since the task started (time suspended between slices included: it bounds how long
            an incident lasts) after which it ends; ``None``: no cap.
        timer: monotonic seconds; defaults to ``time.monotonic`` when a time limit is set. Without a timer the
            checkpoints only count steps, so the outcome never depends on the machine's speed.
        max_memory: bytes the ``memory`` account of one task may reach (see the module docstring); ``None``: no cap.
    """

    __slots__ = ("max_steps", "left", "max_depth", "depth", "max_string_length", "max_array_length", "slice_steps",
                 "slice_seconds", "max_seconds", "timer", "suspend", "memory", "max_memory", "queue", "max_memory_cap",
                 "max_heap_blocks", "_heap_base", "_heap_grown", "_heap_due", "_heap_opened", "_heap_cost", "_heap_seen",
                 "heap_reads", "heap_read_seconds",
                 "_heap_run", "_heap_dense", "_used", "_granted", "_chunk", "_started",
                 "_slice_start", "_checked", "_exceeded", "held", "swept")

    def __init__(self, max_steps: int = 200_000_000, max_depth: int = 1000,
                 max_string_length: int = 1 << 28, max_array_length: int = 1 << 25, *,
                 slice_steps: int = 10_000, slice_seconds: float | None = None, max_seconds: float | None = None,
                 timer: Callable[[], float] | None = None, max_memory: int | None = None) -> None:
        self.max_steps = max_steps
        self.max_depth = max_depth
        self.depth = 0
        self.max_string_length = max_string_length
        self.max_array_length = max_array_length
        self.slice_steps = max(1, slice_steps)
        self.slice_seconds = slice_seconds
        self.max_seconds = max_seconds
        self.max_memory = max_memory
        # ``max_memory`` as an int either way (sys.maxsize: no cap), so a check is one compare.
        self.max_memory_cap = _NO_CAP if max_memory is None else int(max_memory)
        # The watched heap's cap in blocks (module docstring); no memory cap, no watching.
        self.max_heap_blocks = _NO_CAP if max_memory is None else max(1, HEAP_FACTOR * int(max_memory) // BLOCK_BYTES)
        # Blocks at the start of the task's current run (-1: not watched yet), growth banked over earlier runs, and
        # when the next read is due (in seconds of the timer, or in steps without one).
        self._heap_base = -1
        self._heap_grown = 0
        self._heap_due = 0.0
        # When the open window opened, seconds of closed windows, the task's running time since it is watched
        # (-1: not yet), and whether every slice is a window (the sampled ones' rate passed the cap).
        self._heap_opened = 0.0
        self._heap_cost = 0.0  # seconds the read that opened the window took
        # Reads of the watched heap since the budget was made, and their wall time on a timer (what watching costs).
        self.heap_reads = 0
        self.heap_read_seconds = 0.0
        self._heap_seen = 0.0
        self._heap_run = -1.0
        self._heap_dense = False
        # Bytes the current task holds by the account (may go below 0: it freed what earlier tasks had left).
        self.memory = 0
        # The realm's promise job queue (set by the realm): its length counts at checkpoints.
        self.queue: Sized = ()
        # Big strings and arrays' slot lists charged in this task, by id: (object, bytes), credited once dropped.
        self.held: dict[int, tuple[object, int]] = {}
        # Bytes credited back for held objects so far (only grows): what a charge added is the change in
        # ``memory + swept`` (a charge may credit others first).
        self.swept = 0
        if timer is None and (slice_seconds is not None or max_seconds is not None):
            timer = time.monotonic
        self.timer = timer
        # Set by the realm for the duration of a preemptible task: switches out of the task and returns when resumed.
        self.suspend: Callable[[], None] | None = None
        self._chunk = min(self.slice_steps, 1000)
        self._exceeded: tuple[str, str] | None = None
        self._used = 0
        self._granted = 0
        self._started = 0.0
        self._slice_start = 0.0
        self._checked = 0.0
        self.left = 0
        self.reset()
        # A JS call costs a handful of Python frames; leave room so Python's own limit is never what stops us.
        want = max_depth * 24 + 2000
        if sys.getrecursionlimit() < want:
            sys.setrecursionlimit(want)

    @property
    def used(self) -> int:
        """Steps the current task has taken so far (exact at checkpoints, else up to the current chunk)."""
        return self._used + self._granted - self.left

    def reset(self) -> None:
        """Start a new task's allowance."""
        _dense_limit[0] = self.max_array_length
        self._used = 0
        self._exceeded = None
        self.memory = 0
        if self.held:
            self.held = {}
        self._heap_base = -1
        self._heap_grown = 0
        self._heap_seen = 0.0
        self._heap_run = -1.0
        self._heap_dense = False
        grant = self._chunk if self.timer is not None else self.slice_steps
        self.left = self._granted = min(grant, self.max_steps)
        if self.timer is not None:
            now = self.timer()
            self._started = self._slice_start = self._checked = now
            self._heap_due = now + HEAP_WATCH_SECONDS
        else:
            self._heap_due = 0.0

    def spent(self) -> None:
        """The checkpoint compiled code calls when ``left`` went below zero: count, refill or end the task."""
        if self._exceeded is not None:  # a finally block of the ended task is still running
            self.left = self._granted = 0
            raise BudgetExceeded(*self._exceeded)
        used = self._used + self._granted - self.left
        self._used = used
        if used > self.max_steps:
            self.exceed("step", f"more than {self.max_steps} steps in one task (an endless loop?)")
        if self.memory + len(self.queue) * JOB_BYTES > self.max_memory_cap and \
                (not self.held or self._credit_dropped()):
            self._memory_exceeded()
        if self.timer is not None:
            self._check_time()
            grant = self._chunk
        else:
            if self.max_heap_blocks != _NO_CAP:
                self._check_heap(used, HEAP_CHECK_STEPS)
            grant = self.slice_steps
        rest = self.max_steps - used
        self.left = self._granted = grant if grant < rest else rest

    def _check_time(self) -> None:
        assert self.timer is not None
        now = self.timer()
        if self.max_seconds is not None and now - self._started > self.max_seconds:
            self.exceed("time", f"one task ran more than {self.max_seconds:g} s (an endless loop?)")
        # Keep checkpoints about CHECK_SECONDS apart whatever a step costs here.
        since = now - self._checked
        if since > 2 * CHECK_SECONDS:
            self._chunk = max(_MIN_CHUNK, self._chunk // 2)
        elif since < CHECK_SECONDS / 2 and self._chunk < self.slice_steps:
            self._chunk = min(self.slice_steps, self._chunk * 2)
        self._checked = now
        suspend = self.suspend
        ending = suspend is not None and self.slice_seconds is not None and \
            now - self._slice_start >= self.slice_seconds
        watch = self.max_heap_blocks != _NO_CAP
        if watch and now >= self._heap_due:
            if not ending:
                self._check_heap(now, HEAP_CHECK_SECONDS)
            elif self._heap_run < 0:
                self._heap_run = 0.0  # watched from the next slice on (a window now would close at once)
        if suspend is not None and ending:
            if watch and self._heap_run >= 0:  # others run while the task is suspended: close the window first
                self._heap_suspending(now)
            suspend()
            _dense_limit[0] = self.max_array_length  # others' tasks ran meanwhile
            now = self.timer()
            self._slice_start = self._checked = now
            if watch and self._heap_run >= 0 and (self._heap_dense or now >= self._heap_due):
                self._heap_base = _allocated_blocks()
                self._heap_opened = now
                self._heap_cost = self.timer() - now  # often the dearest read: others ran, the caches are cold
                self.heap_reads += 1
                self.heap_read_seconds += self._heap_cost
                self._heap_due = now + max(HEAP_CHECK_SECONDS, HEAP_COST_RATIO * self._heap_cost)

    def _check_heap(self, now: float, period: float) -> None:
        """Read the watched heap when due (``now`` in seconds, or in steps without a timer): a read opens a window
        of the task's own running time (the first one starts watching the task), later ones end the task when its
        growth is over ``max_heap_blocks``.

        On a timer a read's cost (~5 us to ~1 ms: it walks pymalloc's arenas) sets when the next is due, so reads
        take about 1/``HEAP_COST_RATIO`` of the task's time."""
        if now < self._heap_due:
            return
        blocks = _allocated_blocks()
        self.heap_reads += 1
        if self.timer is not None:
            self._heap_cost = self.timer() - now
            self.heap_read_seconds += self._heap_cost
            period = max(period, HEAP_COST_RATIO * self._heap_cost)
        self._heap_due = now + period
        if self._heap_base < 0:
            self._heap_base = blocks
            self._heap_opened = now
            if self._heap_run < 0:
                self._heap_run = 0.0
            return
        grown = self._heap_grown + blocks - self._heap_base
        if grown < 0:  # more was freed than the task made (others' garbage collected now): no reserve to mask growth
            self._heap_grown, self._heap_base = 0, blocks
        self._heap_over(grown)

    def _heap_suspending(self, now: float) -> None:
        """Before a suspension of a watched task: count the slice's running time, bank the open window's growth.

        With slow reads (a big process) only some slices are windows; when the growth rate they saw, over the
        task's running time, passes the cap, every slice becomes a window (``_heap_dense``) and the estimate counts
        for at most half the cap: the task ends on growth that was mostly measured, and a legit burst seen in one
        window costs reads, not the task."""
        assert self.timer is not None
        self._heap_run += now - self._slice_start
        if self._heap_base < 0:
            return
        blocks = _allocated_blocks()
        cost = self.timer() - now
        self.heap_reads += 1
        self.heap_read_seconds += cost
        self._heap_due = now + HEAP_COST_RATIO * (self._heap_cost + cost)  # the window's two reads
        self._heap_grown = max(0, self._heap_grown + blocks - self._heap_base)  # (as in _check_heap)
        self._heap_seen += now - self._heap_opened
        self._heap_base = -1
        self._heap_over(self._heap_grown)
        if not self._heap_dense and self._heap_seen > 0 and \
                self._heap_grown * self._heap_run > self.max_heap_blocks * self._heap_seen:
            # Count what the unwatched slices likely added, up to half the cap: the other half must be measured.
            estimate = int(self._heap_grown * self._heap_run / self._heap_seen)
            self._heap_grown = max(self._heap_grown, min(estimate, self.max_heap_blocks // 2))
            self._heap_dense = True

    def _heap_over(self, grown: int) -> None:
        if grown > self.max_heap_blocks:
            self.exceed("memory", f"~{max(1, round(grown * BLOCK_BYTES / MB))} MB of new objects held by one task "
                                  f"(the limit is {self.max_heap_blocks * BLOCK_BYTES / MB:g} MB, {HEAP_FACTOR} x "
                                  f"max_memory: objects, closures or entries piling up without end?)")

    @property
    def heap_grown(self) -> int:
        """Blocks the watched heap grew by in the current task's watched windows so far."""
        if self._heap_base < 0:
            return self._heap_grown
        return self._heap_grown + _allocated_blocks() - self._heap_base

    def charge(self, n: int) -> None:
        """Count ``n`` bytes about to be allocated in one piece (a big string), and end the task before the
        allocation when the account goes over ``max_memory``."""
        self.memory += n
        if self.memory > self.max_memory_cap and (not self.held or self._credit_dropped()):
            self._memory_exceeded()

    def hold(self, obj: object, n: int) -> None:
        """``obj`` (a big string, an array's slot list) is what ``n`` charged bytes were for: they are credited
        back once nothing but this account holds it (checked when the account is over ``max_memory``).

        Why: built-in and ``+`` charges were never credited, so a task that built and dropped a 100 KB string
        (``JSON.stringify`` of a chunk, sent) 42 times ended as a 4 MB memory runaway. Objects kept alive by a
        reference cycle stay charged (an array that contains itself), as everything was before."""
        if n <= 0 or self.max_memory_cap == _NO_CAP:
            return
        key = id(obj)
        old = self.held.get(key)
        if old is not None and old[0] is obj:
            n += old[1]
        self.held[key] = (obj, n)

    def take(self, obj: object) -> int:
        """The bytes held for ``obj``, no longer held for it (0: none): an append in place (``s += t``) moves them
        to its result, and the account's own reference must not make CPython copy the string."""
        entry = self.held.pop(id(obj), None)
        if entry is None:
            return 0
        if entry[0] is not obj:  # an id reused by another object: that one's entry stays
            self.held[id(obj)] = entry
            return 0
        return entry[1]

    def _credit_dropped(self) -> bool:
        """Credit the held objects nothing else refers to any more; True when the account is still over the cap."""
        held = self.held
        for key in _dropped(held):
            n = held.pop(key)[1]
            self.memory -= n
            self.swept += n
        return self.memory + len(self.queue) * JOB_BYTES > self.max_memory_cap

    def _memory_exceeded(self) -> None:
        held = self.memory + len(self.queue) * JOB_BYTES
        self.exceed("memory", f"~{max(1, round(held / MB))} MB held by one task (the limit is "
                              f"{self.max_memory_cap / MB:g} MB: a promise chain or data that grows without end?)")

    def exceed(self, kind: str, detail: str) -> None:
        """End the current task with ``BudgetExceeded(kind, detail)``; later checkpoints of the task raise it again."""
        self._exceeded = (kind, detail)
        self.left = self._granted = 0
        raise BudgetExceeded(kind, detail)
