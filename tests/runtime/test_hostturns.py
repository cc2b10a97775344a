"""HostTurns: pieces of host work on one loop run one per loop iteration, in the order they asked, and a timer that
falls due waits for at most one of them."""

from __future__ import annotations

import asyncio

from voxsim.runtime.hostturns import HostTurns


class _Iterations:
    """Counts loop iterations: a callback that queues itself again runs once per iteration."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.n = 0
        self.handle = loop.call_soon(self._tick)

    def _tick(self) -> None:
        self.n += 1
        self.handle = self.loop.call_soon(self._tick)

    def stop(self) -> None:
        self.handle.cancel()


def test_pieces_of_many_tasks_take_one_loop_iteration_each_in_turn() -> None:
    async def main() -> list[tuple[str, int, int]]:
        loop = asyncio.get_running_loop()
        turns = HostTurns.for_loop(loop)
        iterations = _Iterations(loop)
        log: list[tuple[str, int, int]] = []

        async def worker(name: str) -> None:
            for piece in range(3):
                await turns.turn()
                log.append((name, piece, iterations.n))

        await asyncio.gather(*(worker(name) for name in "abcd"))
        iterations.stop()
        assert len(turns) == 0 and turns.turns == 12
        return log

    log = asyncio.run(main())
    assert [(name, piece) for name, piece, _ in log] == [(n, p) for p in range(3) for n in "abcd"]  # round robin
    seen = [iteration for _, _, iteration in log]
    assert len(set(seen)) == len(seen)  # never two pieces in one iteration


def test_a_due_timer_waits_for_at_most_one_piece() -> None:
    async def main() -> int:
        loop = asyncio.get_running_loop()
        turns = HostTurns.for_loop(loop)
        pieces: list[int] = []
        before_timer: list[int] = []

        async def piece(i: int) -> None:
            await turns.turn()
            pieces.append(i)

        tasks = [loop.create_task(piece(i)) for i in range(10)]
        await asyncio.sleep(0)  # every task is waiting for its turn now
        loop.call_at(loop.time(), lambda: before_timer.append(len(pieces)))
        await asyncio.gather(*tasks)
        return before_timer[0]

    assert asyncio.run(main()) <= 2  # with a sleep(0) per piece all ten would have run ahead of it


def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        turns = HostTurns.for_loop(loop)
        done: list[str] = []

        async def piece(name: str) -> None:
            await turns.turn()
            done.append(name)

        first, second, third = (loop.create_task(piece(n)) for n in "abc")
        await asyncio.sleep(0)
        second.cancel()
        await asyncio.gather(first, third)
        assert second.cancelled() and len(turns) == 0
        return done

    assert asyncio.run(main()) == ["a", "c"]
