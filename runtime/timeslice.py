"""Fair turns for JS tasks suspended between time slices: one loop-wide round robin that leaves the loop to others.

A session hands ``SliceScheduler.for_loop(loop).schedule`` to its realm (``realm.schedule``). Resuming a suspended task
with a bare ``call_soon`` would let it take a slice every loop turn: next to 50 real-time calls it then gets most of
the loop and their media falls behind a little more every period. Here the suspended tasks of all sessions on a loop
take turns, one slice at a time, and after a slice of ``d`` seconds the next one starts no sooner than ``d * gap``
seconds later, so runaways together get at most ``1 / (1 + gap)`` of the loop while anything else wants it.

The pause is only taken when something else wants the loop: a callback is ready, or a timer falls due within the
pause. Otherwise the next slice is queued at once (``call_soon``: the loop still polls its sockets before it, and a
socket event found then makes the slice after it pause), so a long legitimate task on an idle loop takes about its
CPU time in wall time instead of twice that. The media graph's 20 ms ticks are timers: next to live calls a slice
that ends within ``d * gap`` of a tick pauses, as before. Reading the loop's ready queue and timer heap is
deterministic on virtual time (which does not slice anyway).
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Callable

__all__ = ["SliceScheduler", "DEFAULT_GAP"]

#: Pause after a slice, as a multiple of the slice's length (1.0: suspended JS gets at most half of the loop).
DEFAULT_GAP = 1.0

_schedulers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SliceScheduler] = weakref.WeakKeyDictionary()


class _Turn:
    """A queued resume; ``cancel()`` drops it (the task was finished synchronously meanwhile)."""

    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class SliceScheduler:
    """Round robin of suspended JS tasks on one event loop (see the module docstring)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gap: float = DEFAULT_GAP, first_gap: float = 0.002) -> None:
        self.loop = loop
        self.gap = gap
        self.first_gap = first_gap
        self._turns: deque[_Turn] = deque()
        self._armed: asyncio.Handle | None = None
        self._running = False
        self.slices = 0
        #: Resume without a pause when nothing else wants the loop (False: always pause, the earlier behaviour).
        self.idle_resume = True
        #: Resumes that paused / that were queued at once because the loop was idle.
        self.paused = 0
        self.immediate = 0

    @classmethod
    def for_loop(cls, loop: asyncio.AbstractEventLoop) -> SliceScheduler:
        """The scheduler shared by every session on ``loop``."""
        scheduler = _schedulers.get(loop)
        if scheduler is None:
            scheduler = _schedulers[loop] = cls(loop)
        return scheduler

    def schedule(self, callback: Callable[[], None]) -> _Turn:
        """Queue ``callback`` (a realm's resume) for a later turn; returns a handle with ``cancel()``."""
        turn = _Turn(callback)
        self._turns.append(turn)
        if not self._running and self._armed is None:
            # The slice that just ended ran outside a turn (a timer or an event started the task): a fixed pause.
            self._arm(self.first_gap * self.gap)
        return turn

    def _arm(self, pause: float) -> None:
        """Queue the next turn: after ``pause`` when other work is ready or due within it, else at once."""
        if self.idle_resume and not self._others_want_loop(pause):
            self.immediate += 1
            self._armed = self.loop.call_soon(self._next)
        else:
            self.paused += 1
            self._armed = self.loop.call_later(pause, self._next)

    def _others_want_loop(self, within: float) -> bool:
        """A callback other than ours is ready, or a timer falls due within ``within`` seconds. A loop that does
        not expose its queues (not an asyncio ``BaseEventLoop``) always counts as busy."""
        loop = self.loop
        ready = getattr(loop, "_ready", None)
        scheduled = getattr(loop, "_scheduled", None)
        if ready is None or scheduled is None:
            return True
        if ready:
            return True
        # The heap's first entry may be a cancelled timer: counting it as due only costs a pause.
        return bool(scheduled) and scheduled[0].when() <= loop.time() + within

    def _next(self) -> None:
        self._armed = None
        while self._turns and self._turns[0].cancelled:
            self._turns.popleft()
        if not self._turns:
            return
        turn = self._turns.popleft()
        started = self.loop.time()
        self._running = True
        try:
            turn.callback()
        finally:
            self._running = False
            self.slices += 1
            if self._turns:
                self._arm(max(0.0, self.loop.time() - started) * self.gap)

    def __len__(self) -> int:
        return sum(1 for t in self._turns if not t.cancelled)

    def __repr__(self) -> str:
        return (f"<SliceScheduler {len(self)} waiting, {self.slices} slices, {self.paused} paused, "
                f"{self.immediate} at once>")
