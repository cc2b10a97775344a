"""`voxsim bench agent`: what the Cartesia connector adds on the agent path, and the virtual-time speed-up of a call.

Three measurements, each against a peer measured in the same run:

- ``agent.input_latency``: a caller frame handed to the AgentsClient → its ``media_input`` received by a bare local
  WebSocket server (real time, 127.0.0.1). Peer: a bare aiohttp client sending the same frame pre-framed (base64 +
  JSON + send), the least any client does. ``added_p50_ms`` = voxsim p50 − peer p50.
- ``agent.output_latency``: a ``media_output`` sent by that server → the frame returned by ``pull_output()``. Peer: a
  bare aiohttp client receiving, parsing and decoding the same frame.
- ``agent.virtual_speedup``: a 5-minute call (caller speaking every 10 s, agent answering, stereo recording written
  as WAV) against the local emulator on virtual time, in process (as sessions on virtual time connect). Peer: real
  time (the call's duration); ratio = wall / call. Also reported: the same call over loopback TCP, and the virtual
  clock's own cost for the same number of 20 ms ticks (the ceiling for any call on this clock). CPU seconds are
  reported too: on a shared machine wall time also counts other processes.
- ``agent.session_startup``: bundled ``cartesia_inbound`` sessions created one after another on one real-time loop,
  each from ``Session()`` to the agent's ``ack``, with a 1 ms loop-lag probe running: the longest stall a new session
  causes other calls on the loop. Peer: one 20 ms media tick (ratio > 1: a tick of every live call is late).
"""

from __future__ import annotations

import asyncio
import base64
import json
import statistics
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import aiohttp
import click
import numpy as np
from aiohttp import WSMsgType, web

__all__ = ["command", "measure_latency", "measure_speedup", "measure_startup"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _raw_server(handler: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_get("/agents/stream/{agent_id}", handler)
    async def token(request: web.Request) -> web.Response:
        return web.json_response({"token": "t"})

    app.router.add_post("/access-token", token)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def measure_latency(frames: int = 200) -> dict[str, Any]:
    """Input and output latency in milliseconds (p50/p99) for voxsim and the bare peer, on real time."""
    from voxsim.runtime.modules.cartesia import AgentsClient, ClientOptions

    arrivals: list[float] = []
    outbox: asyncio.Queue[bytes] = asyncio.Queue()
    sent_at: list[float] = []

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)

        async def sender() -> None:
            while True:
                pcm = await outbox.get()
                frame = json.dumps({"event": "media_output", "stream_id": "sid_b",
                                    "media": {"payload": base64.b64encode(pcm).decode()}})
                sent_at.append(time.perf_counter())
                await ws.send_str(frame)

        task = asyncio.create_task(sender())
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                if '"media_input"' in msg.data:
                    arrivals.append(time.perf_counter())
                elif '"start"' in msg.data:
                    await ws.send_json({"event": "ack", "stream_id": "sid_b", "config": {"input_format": "pcm_16000"}})
        task.cancel()
        return ws

    runner, base = await _raw_server(handler)
    pcm = (np.sin(np.arange(320) / 5) * 8000).astype(np.int16)
    raw = pcm.astype("<i2").tobytes()
    result: dict[str, Any] = {}
    try:
        # voxsim: input
        client = await AgentsClient.create(ClientOptions("k", "bench", base_url=base))
        client.start({})
        while client.state != "acked":
            await asyncio.sleep(0.001)
        ours_in: list[float] = []
        for _ in range(frames):
            arrivals.clear()
            t0 = time.perf_counter()
            client.push_input(pcm)
            while not arrivals:
                await asyncio.sleep(0)
            ours_in.append((arrivals[0] - t0) * 1000)
            await asyncio.sleep(max(0.0, 0.02 - (time.perf_counter() - t0)))  # frames arrive at the call's pace
        # voxsim: output
        ours_out: list[float] = []
        for _ in range(frames):
            sent_at.clear()
            await outbox.put(raw)
            while (out := client.pull_output()) is None:
                await asyncio.sleep(0)
            ours_out.append((time.perf_counter() - sent_at[0]) * 1000)
        await client.close()
        # peer: a bare aiohttp client doing the minimum
        peer_in: list[float] = []
        peer_out: list[float] = []
        async with aiohttp.ClientSession() as session, session.ws_connect(base.replace("http", "ws") + "/agents/stream/b") as ws:
            await ws.send_str(json.dumps({"event": "start", "config": {"input_format": "pcm_16000"}}))
            await ws.receive()
            for _ in range(frames):
                arrivals.clear()
                t0 = time.perf_counter()
                await ws.send_str(json.dumps({"event": "media_input", "stream_id": "sid_b",
                                              "media": {"payload": base64.b64encode(pcm.astype("<i2").tobytes()).decode()}}))
                while not arrivals:
                    await asyncio.sleep(0)
                peer_in.append((arrivals[0] - t0) * 1000)
            for _ in range(frames):
                sent_at.clear()
                await outbox.put(raw)
                msg = await ws.receive()
                np.frombuffer(base64.b64decode(json.loads(msg.data)["media"]["payload"]), "<i2")
                peer_out.append((time.perf_counter() - sent_at[0]) * 1000)
    finally:
        await runner.cleanup()
    for name, ours, peer in (("input", ours_in, peer_in), ("output", ours_out, peer_out)):
        result[name] = {
            "p50_ms": statistics.median(ours), "p99_ms": _percentile(ours, 0.99),
            "peer_p50_ms": statistics.median(peer), "peer_p99_ms": _percentile(peer, 0.99),
            "added_p50_ms": statistics.median(ours) - statistics.median(peer),
        }
    return result


async def _five_minute_call(seconds: float, out_dir: Path, memory: bool = True) -> dict[str, Any]:
    from voxsim.runtime.modules.cartesia import AgentsClient, ClientOptions
    from voxsim.tools.agent import AgentEmulator
    from voxsim.tools.agent.caller import ScriptedCaller

    async with AgentEmulator() as emulator:
        transport = emulator.memory_transport() if memory else None
        client = await AgentsClient.create(ClientOptions("k", "bench", base_url=emulator.base_url, send_transcripts=True,
                                                         transport=transport))
        client.start({"metadata": {"from": "+15550001"}})
        caller = ScriptedCaller(client)
        lines = ["I want to book a table", "for four people please", "tomorrow at eight", "is there parking"]
        for k, at in enumerate(np.arange(5.0, seconds - 10, 10.0)):
            caller.say(lines[k % len(lines)], at=float(at))
        await caller.run(seconds)
        await client.close()
    stereo = caller.stereo()
    path = out_dir / "agent_call.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(client.format.sample_rate)
        wav.writeframes(stereo.astype("<i2").tobytes())
    return {"turns_heard": len(emulator.streams[0].heard), "agent_utterances": len(caller.heard),
            "recorded_seconds": stereo.shape[0] / client.format.sample_rate}


def measure_speedup(seconds: float = 300.0) -> dict[str, Any]:
    """Run a ``seconds``-long call on virtual time; returns wall time and the speed-up factor."""
    from voxsim.runtime.clock import run
    from voxsim.runtime.media.tts import synthesize

    synthesize("warm up", 16000)  # espeak-ng's one-time initialisation is not part of the call
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        info = run(_five_minute_call(seconds, Path(tmp), memory=True), virtual=True)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        run(_five_minute_call(seconds, Path(tmp), memory=False), virtual=True)
        wall_tcp, cpu_tcp = time.perf_counter() - t0, time.process_time() - c0

        async def ticks_only() -> None:  # the clock's own cost for the same number of 20 ms ticks
            for _ in range(int(seconds / 0.02)):
                await asyncio.sleep(0.02)

        t0, c0 = time.perf_counter(), time.process_time()
        run(ticks_only(), virtual=True)
        wall_clock, cpu_clock = time.perf_counter() - t0, time.process_time() - c0
    ticks = seconds / 0.02
    return {"call_seconds": seconds, "wall_seconds": wall, "speedup": seconds / wall,
            "cpu_seconds": cpu, "cpu_speedup": seconds / cpu, "bare_ticks_cpu_speedup": seconds / cpu_clock,
            "cpu_us_per_tick": cpu / ticks * 1e6, "tcp_cpu_us_per_tick": cpu_tcp / ticks * 1e6,
            "bare_ticks_cpu_us_per_tick": cpu_clock / ticks * 1e6,
            "tcp_wall_seconds": wall_tcp, "tcp_speedup": seconds / wall_tcp, "tcp_cpu_speedup": seconds / cpu_tcp,
            "bare_ticks_wall_seconds": wall_clock, "bare_ticks_speedup": seconds / wall_clock, **info}


async def _startup_sessions(count: int, work: Path) -> list[dict[str, float]]:
    from importlib.resources import files

    from voxsim.runtime.network import Network
    from voxsim.runtime.session import Session, SessionOptions

    source_path = Path(str(files("voxsim.scenarios").joinpath("cartesia_inbound.js")))
    source = source_path.read_text(encoding="utf-8")
    loop = asyncio.get_running_loop()
    stalls: list[float] = []
    stop = asyncio.Event()

    async def probe() -> None:  # the loop-lag probe: how late a 1 ms sleep wakes up
        while not stop.is_set():
            t = loop.time()
            await asyncio.sleep(0.001)
            stalls.append(loop.time() - t - 0.001)

    probing = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    out = []
    for k in range(count):
        net = Network.from_dict({"caller": {"callerid": "+15551234567", "speak": [{"at": 2, "say": "goodbye"}]}})
        options = SessionOptions(network=net, storage_path=work / f"storage{k}.sqlite",
                                 settings={"recordings_dir": str(work / "rec")})
        stalls.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        session = Session(options)
        session.load(source, str(source_path))
        await session.start(inbound=net.caller)
        while not session.trace.find(type="agent", event="ack") and time.perf_counter() - t0 < 30:
            await asyncio.sleep(0.001)
        out.append({"wall_ms": (time.perf_counter() - t0) * 1000, "cpu_ms": (time.process_time() - c0) * 1000,
                    "stall_ms": max(stalls, default=0.0) * 1000})
        session.terminate()
        await session.wait()
        session.close()
    stop.set()
    await probing
    return out


def measure_startup(sessions: int = 8) -> dict[str, Any]:
    """Start ``sessions`` Cartesia sessions in turn on real time; the first (imports, caches) and the median of the
    rest: wall and CPU milliseconds to the agent's ack, and the longest loop stall."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = asyncio.run(_startup_sessions(max(2, sessions), Path(tmp)))
    rest = runs[1:]
    return {"sessions": len(runs), "first_wall_ms": runs[0]["wall_ms"], "first_stall_ms": runs[0]["stall_ms"],
            "wall_ms": statistics.median(r["wall_ms"] for r in rest),
            "cpu_ms": statistics.median(r["cpu_ms"] for r in rest),
            "stall_ms": statistics.median(r["stall_ms"] for r in rest),
            "stall_max_ms": max(r["stall_ms"] for r in rest)}


@click.command(name="agent")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--frames", default=200, show_default=True, help="Frames per latency measurement.")
@click.option("--call-seconds", default=300.0, show_default=True, help="Length of the virtual-time call.")
@click.option("--startup-sessions", default=8, show_default=True, help="Sessions started for the start-up figure.")
def command(as_json: bool, frames: int, call_seconds: float, startup_sessions: int) -> None:
    """Latency added on the Cartesia agent path; virtual-time speed-up of a bridged call; session start-up."""
    latency = asyncio.run(measure_latency(frames))
    speed = measure_speedup(call_seconds)
    startup = measure_startup(startup_sessions)
    benchmarks = [
        {"name": "agent.input_latency", "ratio": latency["input"]["p50_ms"] / latency["input"]["peer_p50_ms"],
         "peer": "bare aiohttp client", "unit": "ms", **latency["input"]},
        {"name": "agent.output_latency", "ratio": latency["output"]["p50_ms"] / latency["output"]["peer_p50_ms"],
         "peer": "bare aiohttp client", "unit": "ms", **latency["output"]},
        {"name": "agent.virtual_speedup", "ratio": speed["wall_seconds"] / speed["call_seconds"], "peer": "real time",
         "unit": "s", **speed},
        {"name": "agent.session_startup", "ratio": startup["stall_ms"] / 20.0, "peer": "one 20 ms media tick",
         "unit": "ms", **startup},
    ]
    if as_json:
        click.echo(json.dumps({"benchmarks": benchmarks}, indent=2))
        return
    for b in benchmarks[:2]:
        click.echo(f"{b['name']:24} p50 {b['p50_ms']:.3f} ms  p99 {b['p99_ms']:.3f} ms  (peer p50 {b['peer_p50_ms']:.3f} ms, "
                   f"added {b['added_p50_ms']:+.3f} ms, ratio {b['ratio']:.2f})")
    s = benchmarks[2]
    click.echo(f"{s['name']:24} {s['call_seconds']:.0f} s call in {s['wall_seconds']:.2f} s wall: {s['speedup']:.0f}x real time, "
               f"{s['cpu_speedup']:.0f}x in CPU time, {s['cpu_us_per_tick']:.0f} us CPU per tick ({s['turns_heard']} caller "
               f"turns heard, {s['agent_utterances']} agent utterances; over loopback TCP {s['tcp_speedup']:.0f}x, "
               f"{s['tcp_cpu_speedup']:.0f}x CPU, {s['tcp_cpu_us_per_tick']:.0f} us per tick; the virtual clock alone, same "
               f"ticks: {s['bare_ticks_speedup']:.0f}x, {s['bare_ticks_cpu_us_per_tick']:.0f} us per tick)")
    u = benchmarks[3]
    click.echo(f"{u['name']:24} Session() to agent ack: {u['wall_ms']:.0f} ms wall, {u['cpu_ms']:.0f} ms CPU (median of "
               f"{u['sessions'] - 1} after the first, which took {u['first_wall_ms']:.0f} ms); longest loop stall "
               f"{u['stall_ms']:.0f} ms (max {u['stall_max_ms']:.0f} ms)")
