"""The engine's microtask queue (promise jobs), drained after every host task — never put on asyncio one by one."""

from __future__ import annotations

from collections import deque
from typing import Any, Callable

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

    def drain(self) -> None:
        """Run every queued job; an exception from a job propagates and leaves the rest queued."""
        if self.draining:
            return
        self.draining = True
        q = self._queue
        try:
            while q:
                job, args = q.popleft()
                job(*args)
        finally:
            self.draining = False

    def clear(self) -> None:
        self._queue.clear()
