"""The loop's shared media ticker: slots on real time, exact grids on virtual time, joining and leaving mid-tick."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media.frames import Frame
from voxsim.runtime.media.ticker import SLOT_BUDGET, TICK, Ticker
from voxsim.runtime.media.units import MediaGraph, MediaUnit, Sink


class Tone(MediaUnit):
    """Sends one frame per tick while ``left`` > 0; ``on_pull`` runs inside its tick."""

    kind = "tone"

    def __init__(self, graph: MediaGraph, left: int = 10**9) -> None:
        super().__init__(graph)
        self.left = left
        self.on_pull = None

    @property
    def ticking(self) -> bool:
        return self.left > 0

    def pull(self) -> Frame:
        self.left -= 1
        if self.on_pull is not None:
            self.on_pull()
        return Frame(np.ones(160, np.int16), 8000)


def _session_graph() -> tuple[MediaGraph, Sink, Tone]:
    graph = MediaGraph(Clock())
    tone, sink = Tone(graph), Sink(graph, keep=False)
    tone.send_media_to(sink)
    return graph, sink, tone


def _timers() -> int:
    return sum(1 for h in asyncio.get_running_loop()._scheduled if not h.cancelled())  # type: ignore[attr-defined]


class Busy(Tone):
    """A unit whose tick costs ``seconds`` of CPU (a heavy session)."""

    def __init__(self, graph: MediaGraph, seconds: float) -> None:
        super().__init__(graph)
        self.seconds = seconds

    def pull(self) -> Frame:
        end = time.perf_counter() + self.seconds
        while time.perf_counter() < end:
            pass
        return super().pull()


def test_real_time_packs_light_graphs_into_one_slot_with_one_timer() -> None:
    async def main() -> tuple[int, int, list[int], int]:
        graphs = []
        for _ in range(30):
            graphs.append(_session_graph()[0])
            await asyncio.sleep(0.0007)  # sessions start at scattered phases
        await asyncio.sleep(0.2)
        used = sum(1 for s in Ticker.for_loop(asyncio.get_running_loop()).slots.values() if s.graphs)
        timers = _timers()
        ticks = [g.ticks for g in graphs]
        for g in graphs:
            g.stop()
        return used, timers, ticks, _timers()

    used, timers, ticks, left = run(main(), virtual=False)
    assert used <= 2  # 30 ticks of a few µs fit in one slot's budget (2 on a slow machine)
    assert timers == used  # one timer per slot, not per graph
    assert min(ticks) >= 8  # every graph ticked every ~20 ms
    assert left == 0  # stopping the last graph of a slot cancels its timer


def test_real_time_heavy_graphs_spread_over_slots_within_the_budget() -> None:
    """Eight graphs joining at once all fit the first guess of one slot; measured, they are moved apart."""

    async def main() -> list[int]:
        graphs = []
        for _ in range(8):
            graph = MediaGraph(Clock())
            Busy(graph, 0.0006).send_media_to(Sink(graph, keep=False))
            graphs.append(graph)
        await asyncio.sleep(0.6)
        sizes = [len(s.graphs) for s in Ticker.for_loop(asyncio.get_running_loop()).slots.values() if s.graphs]
        for g in graphs:
            g.stop()
        return sizes

    sizes = run(main(), virtual=False)
    assert sum(sizes) == 8
    assert max(sizes) * 0.0006 <= 1.25 * SLOT_BUDGET + 0.0006, sizes  # no slot left far over its budget
    assert len(sizes) >= 3, sizes


def test_virtual_time_keeps_each_session_on_its_own_grid() -> None:
    async def main() -> list[list[float]]:
        loop = asyncio.get_running_loop()
        times: list[list[float]] = []
        for delay in (0.0, 0.005, 0.013):
            await asyncio.sleep(delay)
            graph, sink, tone = _session_graph()
            seen: list[float] = []
            tone.on_pull = lambda seen=seen, clock=graph.clock: seen.append(round(clock.now(), 6))
            tone.left = 4
            times.append(seen)
        await asyncio.sleep(0.2)
        assert len(Ticker.for_loop(loop).slots) == 3  # three phases: three slots
        return times

    for seen in run(main(), virtual=True):
        assert seen == [0.0, 0.02, 0.04, 0.06]  # session time: the grid starts at each session's own 0


def test_a_graph_stopped_by_another_in_its_slot_does_not_tick_again() -> None:
    async def main() -> tuple[int, int]:
        first, _, tone = _session_graph()
        second, _, _ = _session_graph()  # same instant on virtual time: the same slot, ticked after the first
        assert first.slot is second.slot
        tone.on_pull = lambda: second.stop() if first.ticks == 3 else None
        await asyncio.sleep(0.2)
        return first.ticks, second.ticks

    first_ticks, second_ticks = run(main(), virtual=True)
    assert first_ticks >= 10
    assert second_ticks == 2  # ticks 1 and 2; at tick 3 it was stopped before its turn


def test_a_graph_that_goes_idle_leaves_and_rejoins_on_its_grid() -> None:
    async def main() -> list[float]:
        graph, sink, tone = _session_graph()
        seen: list[float] = []
        tone.on_pull = lambda: seen.append(round(graph.clock.now(), 6))
        tone.left = 2
        await asyncio.sleep(0.105)
        assert graph.slot is None  # nothing to move: not ticked any more
        tone.left = 2
        tone.changed()
        await asyncio.sleep(0.1)
        return seen

    assert run(main(), virtual=True) == [0.0, 0.02, 0.12, 0.14]


def test_a_stalled_loop_drops_the_missed_ticks_instead_of_bursting() -> None:
    async def main() -> tuple[int, float]:
        graph, _, tone = _session_graph()
        graph.record_lateness = True
        await asyncio.sleep(0.1)
        before = graph.ticks
        time.sleep(0.5)  # the process stalls for 25 ticks
        await asyncio.sleep(0.1)
        graph.stop()
        return graph.ticks - before, max(graph.lateness)

    ticks, worst = run(main(), virtual=False)
    assert ticks <= 10  # ~5 ticks after the stall plus the one late tick, not 25 caught up
    assert worst >= 0.4 and TICK == 0.02


def test_a_tick_that_raises_ends_that_graph_only_and_reports_it() -> None:
    async def main() -> tuple[list[BaseException], int, int, int, bool]:
        clock = Clock()
        bad, good = MediaGraph(clock), MediaGraph(clock)  # one loop, one epoch: the same slot on virtual time
        errors: list[BaseException] = []
        bad.on_error = errors.append
        bad_tone, good_tone = Tone(bad), Tone(good)
        bad_tone.send_media_to(Sink(bad, keep=False))
        good_tone.send_media_to(Sink(good, keep=False))
        await asyncio.sleep(0.1)

        def boom() -> None:
            raise RuntimeError("broken unit")

        bad_tone.on_pull = boom
        same_slot = bad.slot is good.slot
        await asyncio.sleep(0.1)
        bad_ticks, good_ticks = bad.ticks, good.ticks
        await asyncio.sleep(0.1)
        good.stop()
        return errors, bad.ticks - bad_ticks, good.ticks - good_ticks, good_ticks, same_slot

    errors, bad_more, good_more, good_ticks, same_slot = run(main(), virtual=True)
    assert same_slot
    assert [str(e) for e in errors] == ["broken unit"]  # reported once, then the graph is out of its slot
    assert bad_more == 0
    assert good_more == 5 and good_ticks >= 10  # its slot-mate kept its timer and its 20 ms ticks
