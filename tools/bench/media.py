"""`voxsim bench media`: how fast the media graph routes frames, and how many bridged calls one core keeps on time.

Two measurements, in one process (one core):

- **routing**: N bridged PSTN calls (two legs each, µ-law on both wires, far ends talking) ticked back to back; frames
  routed per second. Peer, measured in the same run: the same frame hops done the way a graph of aiortc
  ``MediaStreamTrack``s must at least do them (an ``av.AudioFrame`` built and read back per hop). ratio = voxsim time
  per frame / peer time per frame (below 1: the numpy graph is cheaper).
- **realtime**: for each N in ``--calls``, N bridged calls on the wall clock for ``--seconds``; p50/p99 lateness of the
  20 ms ticks, the time the tick itself takes (lateness on a shared machine is mostly other processes), and the CPU
  share used. The project goal is ≥ 200 calls per core with p99 < 5 ms.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import av
import click
import numpy as np

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media.callmedia import CallMedia
from voxsim.runtime.media.frames import Frame, split_frames
from voxsim.runtime.media.tones import sine
from voxsim.runtime.media.units import MediaGraph

__all__ = ["command", "measure_routing", "measure_realtime"]


class _TalkingParty:
    """A far end that talks (a 1 s tone, then 1 s of silence, looping) and counts what it hears."""

    def __init__(self, hz: float, offset: int) -> None:
        talk = list(split_frames(sine([(hz, -12.0)], 1.0, 8000), 8000))
        self._frames = itertools.islice(itertools.cycle(talk + [None] * 50), offset, None)
        self.heard = 0

    def next_frame(self) -> Frame | None:
        return next(self._frames)

    def hear(self, frame: Frame) -> None:
        self.heard += 1


def _bridges(graph: MediaGraph, calls: int) -> list[tuple[CallMedia, CallMedia]]:
    pairs = []
    for i in range(calls):
        a = CallMedia(graph, _TalkingParty(440 + i % 50, i % 100), 8000, wire="mulaw_8000")
        b = CallMedia(graph, _TalkingParty(700 + i % 50, (i + 50) % 100), 8000, wire="mulaw_8000")
        a.start()
        b.start()
        a.send_media_to(b)
        b.send_media_to(a)
        pairs.append((a, b))
    return pairs


def _peer_hops(hops: int) -> float:
    """Seconds for ``hops`` frame hops through av.AudioFrame (the floor of a MediaStreamTrack-based graph)."""
    pcm = sine([(440.0, -12.0)], 0.02, 8000).reshape(1, -1)
    start = time.perf_counter()
    for i in range(hops):
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 8000
        frame.pts = i * 160
        out = frame.to_ndarray().reshape(-1)
    assert out.size == 160
    return time.perf_counter() - start


def measure_routing(calls: int = 100, ticks: int = 500) -> dict[str, Any]:
    """Frames routed per second with ``calls`` bridged calls, ticked without pacing."""

    async def main() -> dict[str, Any]:
        graph = MediaGraph(Clock())
        _bridges(graph, calls)
        graph.tick()  # warm-up
        moved0 = graph.frames_moved
        start = time.perf_counter()
        for _ in range(ticks):
            graph.tick()
        elapsed = time.perf_counter() - start
        moved = graph.frames_moved - moved0
        peer = _peer_hops(moved)
        graph.stop()
        return {
            "name": "media.routing",
            "ratio": round((elapsed / moved) / (peer / moved), 3),
            "peer": "av.AudioFrame per hop (aiortc track graph floor)",
            "unit": "s/frame",
            "calls": calls,
            "frames": moved,
            "frames_per_second": round(moved / elapsed),
            "peer_frames_per_second": round(moved / peer),
            "realtime_calls_per_core": round(moved / elapsed / 100),  # a bridged call moves 2 frames per 20 ms
        }

    return run(main(), virtual=True)


def measure_realtime(calls: int, seconds: float = 3.0) -> dict[str, Any]:
    """Tick lateness with ``calls`` bridged calls on the wall clock."""

    async def main() -> dict[str, Any]:
        graph = MediaGraph(Clock())
        graph.record_lateness = True
        pairs = _bridges(graph, calls)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        graph.stop()
        late = np.array(graph.lateness[5:] or [0.0]) * 1000
        cost = np.array(graph.tick_cost[5:] or [0.0]) * 1000
        heard = sum(a.remote.heard + b.remote.heard for a, b in pairs)  # type: ignore[union-attr]
        return {
            "name": f"media.realtime.{calls}",
            "calls": calls,
            "seconds": seconds,
            "ticks": len(graph.lateness),
            "p50_ms": round(float(np.percentile(late, 50)), 3),
            "p99_ms": round(float(np.percentile(late, 99)), 3),
            "max_ms": round(float(late.max()), 3),
            "tick_p50_ms": round(float(np.percentile(cost, 50)), 3),
            "tick_p99_ms": round(float(np.percentile(cost, 99)), 3),
            "cpu_share": round(cpu / wall, 3),
            "frames_heard": heard,
        }

    return run(main(), virtual=False)


@click.command(name="media")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--calls", default="50,100,200,400", show_default=True, help="Bridged calls to try on real time.")
@click.option("--seconds", default=3.0, show_default=True, help="Real-time run per step.")
@click.option("--routing-calls", default=100, show_default=True, help="Bridged calls for the routing measurement.")
def command(as_json: bool, calls: str, seconds: float, routing_calls: int) -> None:
    """Frames routed per second; bridged calls on real time with p50/p99 tick lateness."""
    routing = measure_routing(routing_calls)
    steps = [measure_realtime(int(n), seconds) for n in calls.split(",") if n.strip()]
    ok = [s["calls"] for s in steps if s["p99_ms"] < 5.0 and s["cpu_share"] < 0.95]
    fits = [s["calls"] for s in steps if s["tick_p99_ms"] < 5.0 and s["cpu_share"] < 0.95]
    summary = {"name": "media.realtime", "max_calls_p99_under_5ms": max(ok) if ok else 0,
               "max_calls_tick_p99_under_5ms": max(fits) if fits else 0, "goal": 200}
    if as_json:
        click.echo(json.dumps({"benchmarks": [routing, *steps, summary]}))
        return
    click.echo(f"routing: {routing['frames_per_second']:,} frames/s with {routing_calls} bridged calls "
               f"(peer {routing['peer_frames_per_second']:,}/s; ratio {routing['ratio']}) "
               f"≈ {routing['realtime_calls_per_core']} calls/core of CPU")
    for s in steps:
        click.echo(f"real time, {s['calls']:4d} calls: p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, "
                   f"max {s['max_ms']:.2f} ms; tick work p50 {s['tick_p50_ms']:.2f} / p99 {s['tick_p99_ms']:.2f} ms; "
                   f"cpu {100 * s['cpu_share']:.0f}%")
    click.echo(f"bridged calls per core with p99 lateness < 5 ms: {summary['max_calls_p99_under_5ms']}; "
               f"with p99 tick work < 5 ms: {summary['max_calls_tick_p99_under_5ms']} (goal 200)")
