"""`voxsim serve`, `voxsim run` and the pytest plugin build sessions in pieces (``Session.create`` +
``load_async``): on real time a session starting next to a live call gives the loop a turn between its installers and
compiles, so the live call's ticks wait for one piece, not for the whole build."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session

TALKER = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  e.call.addEventListener(CallEvents.Connected, () => e.call.say("One two three four five six seven eight nine ten. "
    + "Eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty."));
  e.call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  e.call.answer();
});
"""


class StartupProbe:
    """A task that wakes on every loop turn (a stand-in for live calls' due ticks), and the thread CPU time of each
    piece of a session build (``Session._install`` / ``Session.load``) while ``armed``."""

    def __init__(self) -> None:
        self.wakes: list[float] = []
        self.pieces: list[tuple[float, float]] = []
        self.armed = False
        self._stop = False

    async def tick(self) -> None:
        while not self._stop:
            self.wakes.append(time.thread_time())
            await asyncio.sleep(0)

    @contextmanager
    def watching(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        for name in ("_install", "load"):
            monkeypatch.setattr(Session, name, self._timed(getattr(Session, name)))
        task = asyncio.ensure_future(self.tick())
        gc.disable()  # a full collection landing in one piece is not what is measured here
        try:
            yield
        finally:
            gc.enable()
            self._stop = True
            monkeypatch.undo()

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(session: Session, *args: Any, **kwargs: Any) -> Any:
            t0 = time.thread_time()
            try:
                return method(session, *args, **kwargs)
            finally:
                if self.armed:
                    self.pieces.append((t0, time.thread_time()))
        return timed

    def summary(self) -> tuple[float, float, int, int]:
        """(CPU from the build's first piece to its last, the longest the ticker waited meanwhile, its wakes then,
        the most pieces that ran inside one wait of the ticker)."""
        start, end = self.pieces[0][0], self.pieces[-1][1]
        inside = [w for w in self.wakes if start <= w <= end]
        before = max((w for w in self.wakes if w < start), default=start)
        after = min((w for w in self.wakes if w > end), default=end)
        marks = [before, *inside, after]
        waits = list(zip(marks, marks[1:]))
        most = max(sum(1 for p0, p1 in self.pieces if a <= p0 and p1 <= b) for a, b in waits)
        return end - start, max(b - a for a, b in waits), len(inside), most


def _assert_in_pieces(probe: StartupProbe) -> None:
    span, held, wakes, most = probe.summary()
    assert len(probe.pieces) >= 6  # the installers and the compile
    assert wakes >= len(probe.pieces) - 1, (wakes, len(probe.pieces))  # the loop turned between the pieces
    # the ticker waited for one piece at a time (built whole, it waits once, for all of them)
    assert most == 1, (most, len(probe.pieces), held, span)
    assert held < span


async def _offer() -> RTCPeerConnection:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio")
    await pc.setLocalDescription(await pc.createOffer())
    return pc


def test_serve_builds_a_second_call_in_pieces_next_to_a_live_one(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from voxsim.tools.softphone import SoftphoneConfig, create_app
    from voxsim.tools.softphone.server import CALLS_KEY

    scenario = tmp_path / "talker.js"
    scenario.write_text(TALKER, encoding="utf-8")
    probe = StartupProbe()

    async def call(http: aiohttp.ClientSession, base: str, pc: RTCPeerConnection) -> str:
        body = {"sdp": pc.localDescription.sdp, "type": "offer", "codec": "pcmu"}
        async with http.post(base + "calls", json=body) as resp:
            assert resp.status == 200, await resp.text()
            answer = await resp.json()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        return str(answer["id"])

    async def main() -> tuple[str, str]:
        runner = web.AppRunner(create_app(SoftphoneConfig(scenarios=(scenario,), port=0, work_dir=tmp_path)))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        first, second = await _offer(), await _offer()
        try:
            async with aiohttp.ClientSession() as http:
                live = runner.app[CALLS_KEY][await call(http, base, first)]
                for _ in range(200):  # the first call is connected and its session is talking
                    if live.call is not None and live.call.state == "CONNECTED":
                        break
                    await asyncio.sleep(0.05)
                with probe.watching(monkeypatch):
                    probe.armed = True
                    await call(http, base, second)
                    probe.armed = False
                state = live.session.state, live.call.state
        finally:
            await first.close()
            await second.close()
            await runner.cleanup()
        return state

    assert run(main(), virtual=False) == ("running", "CONNECTED")  # live while the second call was built
    _assert_in_pieces(probe)


def _voxsim_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, virtual: bool) -> StartupProbe:
    """``voxsim run`` of a one-line scenario with the probe watching its start-up."""
    from voxsim.tools.cli.run import run_scenarios

    scenario = tmp_path / "quick.js"
    scenario.write_text("Logger.write('hi'); VoxEngine.terminate();", encoding="utf-8")
    probe = StartupProbe()

    async def main() -> int:
        with probe.watching(monkeypatch):
            probe.armed = True
            return await run_scenarios([scenario], caller=None, destination=None, custom_data="", network_file=None,
                                       max_seconds=10.0, trace_path=None, storage_path=None, secrets_path=None,
                                       echo=False)

    assert run(main(), virtual=virtual) == 0
    return probe


def test_run_on_real_time_builds_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_in_pieces(_voxsim_run(tmp_path, monkeypatch, virtual=False))


def test_the_pytest_plugin_on_real_time_builds_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voxsim.tools.pytest.runner import RunSpec, _run

    scenario = tmp_path / "quick.js"
    scenario.write_text("Logger.write('hi'); VoxEngine.terminate();", encoding="utf-8")
    probe = StartupProbe()

    async def main() -> Any:
        with probe.watching(monkeypatch):
            probe.armed = True
            return await _run(RunSpec(scenarios=[scenario], run_dir=tmp_path / "run", virtual=False))

    result = run(main(), virtual=False)
    assert not result.errors and any(r.type == "log" for r in result.records)
    _assert_in_pieces(probe)


def test_on_virtual_time_the_build_never_yields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = _voxsim_run(tmp_path, monkeypatch, virtual=True)
    # one piece after another, as Session() + load() (runs keep their order)
    assert probe.summary()[2:] == (0, len(probe.pieces))

