"""Virtual time is deterministic: the same scenario run twice gives the same trace, record for record, at the same
session times (the Cartesia scenario: JS, simulated caller with real audio, media graph, connector and emulator)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import voxsim.engine.script  # noqa: F401 - these tests run JS

from voxsim.runtime.clock import VirtualEventLoop, run  # noqa: E402
from voxsim.runtime.network import Network  # noqa: E402
from voxsim.runtime.session import Session, SessionOptions, run_scenario  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# What legitimately differs between two runs in one process: the per-process session number, the random session
# key/secret in the control URLs, their port, the recording's file name (it carries the session number) and the
# emulator's random stream id (also inside logged JSON).
_VOLATILE = re.compile(r"(sessionId|accessURL|accessSecureURL|logURL|url|path|file|stream_id)", re.I)
_STREAM_ID = re.compile(r"sid_[0-9a-f]+")


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("*" if _VOLATILE.fullmatch(k) else _normalise(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return _STREAM_ID.sub("sid_*", value)
    return value


def _trace(tmp_path: Path, run_no: int) -> list[tuple[Any, ...]]:
    net = Network.from_dict({"caller": {"callerid": "+15551234567", "destination": "+18005550000", "speak": [
        {"at": 4, "say": "I want to book a table"}, {"at": 9, "digits": "0"}, {"at": 13, "say": "goodbye"}]}})
    options = SessionOptions(network=net, epoch=1_700_000_000.0, storage_path=tmp_path / f"s{run_no}.sqlite",
                             settings={"recordings_dir": str(tmp_path / f"rec{run_no}")})
    path = SCENARIOS / "cartesia_inbound.js"
    session = run_scenario([(path.read_text(), str(path))], inbound=net.caller, options=options, max_seconds=120)
    assert session.errors == [], session.errors
    return [(r.seq, r.t, r.type, _normalise(r.fields)) for r in session.trace.records]


def test_same_scenario_twice_gives_identical_traces(tmp_path: Path) -> None:
    first = _trace(tmp_path, 1)
    second = _trace(tmp_path, 2)
    assert len(first) > 40  # a real conversation, not an early failure
    assert any(r[2] == "agent" for r in first) and any(r[2] == "media" for r in first)
    for a, b in zip(first, second):
        assert a == b
    assert len(first) == len(second)


def test_virtual_loop_jumps_once_per_idle_wait_and_moves_with_threads() -> None:
    import asyncio
    import time

    async def main() -> tuple[int, float, float]:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualEventLoop)
        jumps = loop.jumps
        for _ in range(50):
            await asyncio.sleep(0.02)
        after_ticks = loop.time()
        # a thread's work takes real time, so the clock follows the wall clock meanwhile instead of jumping ahead
        sleeper = asyncio.create_task(asyncio.sleep(3600))
        await loop.run_in_executor(None, time.sleep, 0.05)
        during = loop.time() - after_ticks
        sleeper.cancel()
        return loop.jumps - jumps, after_ticks, during

    jumps, after_ticks, during = run(main(), virtual=True)
    assert jumps == 50
    assert after_ticks == pytest.approx(1.0)
    assert 0.04 <= during < 60  # moved in step with the 50 ms of real time, not by the hour-long timer


def test_sessions_share_a_loop_and_each_is_deterministic(tmp_path: Path) -> None:
    """Two sessions on one virtual loop do not disturb each other's timing."""

    async def main() -> list[float]:
        times = []
        for k in range(2):
            session = Session(SessionOptions(epoch=0.0, storage_path=tmp_path / f"x{k}.sqlite"))
            session.load("setTimeout(() => { Logger.write('t'); VoxEngine.terminate(); }, 1500);")
            await session.start()
            await session.wait()
            times.append(session.trace.find(type="log")[0].t)
            session.close()
        return times

    assert run(main(), virtual=True) == [1.5, 1.5]
