"""The session clock: virtual time jumps to the next timer, deterministically; real time really waits."""

from __future__ import annotations

import asyncio
import time

from voxsim.runtime.clock import Clock, is_virtual, new_event_loop, run


def test_virtual_time_jumps_and_keeps_order() -> None:
    async def main() -> tuple[list[str], float, bool]:
        clock = Clock(epoch=1_700_000_000.0)
        order: list[str] = []
        clock.call_later(300, order.append, "late")
        clock.call_later(1, order.append, "early")
        clock.call_at(150, order.append, "middle")
        await clock.sleep(301)
        return order, clock.now(), clock.virtual

    started = time.perf_counter()
    order, now, virtual = run(main(), virtual=True)
    assert order == ["early", "middle", "late"]
    assert now == 301.0
    assert virtual
    assert time.perf_counter() - started < 2.0  # five minutes of session time in well under real seconds


def test_unix_time_follows_the_session_clock() -> None:
    async def main() -> tuple[float, float]:
        clock = Clock(epoch=1000.0)
        first = clock.unix_time()
        await clock.sleep(90)
        return first, clock.unix_time()

    assert run(main()) == (1000.0, 1090.0)


def test_two_clocks_on_one_loop_have_their_own_origin() -> None:
    async def main() -> tuple[float, float]:
        a = Clock()
        await asyncio.sleep(5)
        b = Clock()
        await asyncio.sleep(1)
        return a.now(), b.now()

    assert run(main()) == (6.0, 1.0)


def test_real_time_loop_is_not_virtual() -> None:
    loop = new_event_loop(virtual=False)
    try:
        assert not is_virtual(loop)
    finally:
        loop.close()

    async def main() -> float:
        clock = Clock()
        await clock.sleep(0.05)
        return clock.now()

    elapsed = run(main(), virtual=False)
    assert 0.04 <= elapsed < 1.0


def test_negative_delays_count_as_zero() -> None:
    async def main() -> list[str]:
        clock = Clock()
        seen: list[str] = []
        clock.call_later(-5, seen.append, "now")
        await clock.sleep(-1)
        await asyncio.sleep(0)
        return seen

    assert run(main()) == ["now"]
