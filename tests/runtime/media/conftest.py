"""Media test helpers: run a coroutine on a fresh virtual-time loop with a graph."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media.units import MediaGraph


@pytest.fixture
def vrun() -> Callable[[Callable[[Clock, MediaGraph], Awaitable[Any]]], Any]:
    """``vrun(async_fn)`` runs ``async_fn(clock, graph)`` on virtual time and returns its result."""

    def runner(fn: Callable[[Clock, MediaGraph], Awaitable[Any]]) -> Any:
        async def main() -> Any:
            clock = Clock()
            graph = MediaGraph(clock)
            try:
                return await fn(clock, graph)
            finally:
                graph.stop()

        return run(main(), virtual=True)

    return runner
