"""``--gc lean``: an ended session's cycles are cut so reference counting frees it, and nothing shared is touched."""

from __future__ import annotations

import asyncio
import gc
import weakref
from importlib.resources import files
from pathlib import Path

import pytest

from voxsim.runtime.clock import run
from voxsim.tools.load import CallFactory, LoadConfig
from voxsim.tools.load.teardown import break_session_cycles, snapshot

SCENARIOS = Path(str(files("voxsim.scenarios")))


@pytest.mark.parametrize("name", ["bridged_call.js", "cartesia_inbound.js"])
def test_a_torn_down_session_is_freed_by_reference_counting(tmp_path: Path, name: str) -> None:
    async def main(cut: bool) -> tuple[list[bool], dict[str, int]]:
        factory = CallFactory(LoadConfig(scenarios=(str(SCENARIOS / name),), call_seconds=1.0), tmp_path / "w")
        try:
            assert (await factory.run(0)).ok  # warm-up: imports, caches, the shared emulator
            gc.collect()
            keep = snapshot()
            task = asyncio.create_task(factory.run(1))
            while not factory.live:
                await asyncio.sleep(0.01)
            session = next(iter(factory.live.values()))
            assert (await task).ok
            refs = [weakref.ref(session), weakref.ref(session.realm), weakref.ref(session.realm.global_object)]
            await asyncio.sleep(0.2)
            gc.collect()  # the live session moves to the oldest generation, as a session of a long call is
            gc.disable()  # no full pass from here on: what frees the session must be the cut
            try:
                stats = await break_session_cycles(session, keep) if cut else {}
                del session
                await factory.emulator.stop()  # the shared emulator lets go of closed streams (as the next call does)
                gc.collect(1)  # young generations only: what a lean worker keeps doing
                alive = [ref() is not None for ref in refs]
            finally:
                gc.enable()
            return alive, stats
        finally:
            await factory.close()

    alive, stats = run(main(cut=False), virtual=False)
    assert alive == [True, True, True]  # without the cut only the collector frees a session: it is one big cycle
    alive, stats = run(main(cut=True), virtual=False)
    assert alive == [False, False, False], stats
    assert stats["js_objects"] > 100 and stats["cells"] > 500 and stats["owners"] >= 3, stats


def test_calls_keep_working_while_ended_sessions_are_torn_down(tmp_path: Path) -> None:
    """Overlapping calls with the cut on: later calls (and live ones) never see a shared object cleared."""
    scenario = str(SCENARIOS / "bridged_call.js")

    async def main() -> tuple[list[bool], list[str | None], dict[str, int]]:
        factory = CallFactory(LoadConfig(scenarios=(scenario,), call_seconds=1.5, max_call_seconds=20), tmp_path / "w")
        try:
            assert (await factory.run(0)).ok
            factory.enable_teardown()

            async def one(i: int) -> tuple[bool, str | None]:
                await asyncio.sleep(i * 0.5)
                outcome = await factory.run(i + 1)
                return outcome.ok, outcome.error

            results = await asyncio.gather(*(one(i) for i in range(8)))
        finally:
            await factory.close()  # waits for the pending teardowns
        return [ok for ok, _ in results], [err for _, err in results], factory.teardown_stats

    oks, errors, stats = run(main(), virtual=False)
    assert all(oks), errors
    assert stats["sessions"] == 8 and stats["js_objects"] > 8 * 100, stats
