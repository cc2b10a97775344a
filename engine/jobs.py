"""The engine's microtask queue (promise jobs), drained after every host task — never put on asyncio one by one."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .budget import Budget

__all__ = ["JobQueue"]


class JobQueue:
    """FIFO of promise jobs. ``drain()`` runs jobs until the queue is empty, including jobs queued meanwhile."""

    __slots__ = ("_queue", "draining")

    def __init__(self) -> None:
        self._queue: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self.draining = False

    def enqueue(self, job: Callable[..., Any], *args: Any) -> None:
        self._queue.append((job, args))

    def __len__(self) -> int:
        return len(self._queue)

    def drain(self, budget: Budget | None = None) -> None:
        """Run every queued job; an exception from a job propagates and leaves the rest queued.

        With a ``budget`` each job costs one step, so a promise storm reaches the budget's checkpoints (time slice,
        step and time limits) even when its jobs call no JS function."""
        if self.draining:
            return
        self.draining = True
        q = self._queue
        try:
            if budget is None:
                while q:
                    job, args = q.popleft()
                    job(*args)
                return
            while q:
                budget.left -= 1
                if budget.left < 0:
                    budget.spent()
                job, args = q.popleft()
                job(*args)
        finally:
            self.draining = False

    def clear(self) -> None:
        self._queue.clear()
