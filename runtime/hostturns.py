"""Host work in pieces, one piece per loop iteration: a session's start-up, a load call's end, a worker's teardown.

Why: each of these already leaves the loop between its pieces, but with ``await asyncio.sleep(0)`` every task between
pieces is ready at once, and asyncio runs all the callbacks ready in an iteration back to back before it looks at its
timers again. At 200 live calls a load worker has a call starting and one ending every 0.1 s and a few ended sessions
being torn down: 5-10 pieces of 0.5-1.5 ms came due together, and the media ticker's slot due meanwhile waited
3-10 ms (most of the run's ticks over 5 ms late). Here the pieces of every task on a loop wait in one queue, and the
loop runs one of them per iteration, so a due tick waits for at most one piece.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque

__all__ = ["HostTurns"]

_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HostTurns] = weakref.WeakKeyDictionary()


class HostTurns:
    """The queue of host pieces waiting for a turn on one event loop (:meth:`for_loop` finds or makes it)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._armed = False
        self.turns = 0  # pieces let go so far

    @classmethod
    def for_loop(cls, loop: asyncio.AbstractEventLoop) -> HostTurns:
        """The loop's queue (made on first use; it goes with the loop)."""
        turns = _turns.get(loop)
        if turns is None:
            turns = _turns[loop] = cls(loop)
        return turns

    async def turn(self) -> None:
        """Wait for this task's turn: the pieces queued before it each get a loop iteration of their own first."""
        waiter: asyncio.Future[None] = self.loop.create_future()
        self._waiting.append(waiter)
        if not self._armed:
            self._armed = True
            self.loop.call_soon(self._release)
        await waiter

    def _release(self) -> None:
        """Wake the first waiter (its piece runs in the next iteration) and come back in the iteration after."""
        waiting = self._waiting
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():  # a cancelled task passes its turn on
                waiter.set_result(None)
                self.turns += 1
                break
        if waiting:
            self.loop.call_soon(self._release)
        else:
            self._armed = False

    def __len__(self) -> int:
        return sum(1 for waiter in self._waiting if not waiter.done())
