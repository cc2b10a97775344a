"""`voxsim bench media`: how fast the media graph routes frames, and how many bridged calls one core keeps on time.

Three measurements, in one process (one core):

- **routing**: N bridged PSTN calls (two legs each, µ-law on both wires, far ends talking) ticked back to back; frames
  routed per second. Peer, measured in the same run: the same frame hops done the way a graph of aiortc
  ``MediaStreamTrack``s must at least do them (an ``av.AudioFrame`` built and read back per hop). ratio = voxsim time
  per frame / peer time per frame (below 1: the numpy graph is cheaper).
- **agent calls**: N calls shaped like the bundled ``cartesia_inbound`` load call, ticked back to back: an 8 kHz
  µ-law leg whose simulated caller speaks (TTS, then 2 s pauses; a ``SimulatedParty``: its ear measures energy and
  listens for DTMF), DTMF detection on the leg (``handleTones``), a stereo call recording, and a 16 kHz unit standing
  for the agent that talks 1 s of every 2, so both rate converters (8 → 16 and 16 → 8 kHz) work. Reported as µs of
  CPU per call per 20 ms tick; peer: one libswresample (PyAV) conversion per converted frame, the cost of the per-edge
  converter voxsim used before its polyphase FIR (ratio below 1: a whole call tick costs less than that alone).
- **realtime**: for each N in ``--calls``, N bridged calls on the wall clock for ``--seconds``; p50/p99 lateness of the
  20 ms ticks, the time the tick itself takes (lateness on a shared machine is mostly other processes), and the CPU
  share used. The project goal is ≥ 200 calls per core with p99 < 5 ms.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import click
import numpy as np

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media.callmedia import CallMedia
from voxsim.runtime.media.frames import Frame, SpeechTag, split_frames
from voxsim.runtime.media.speakers import SimulatedParty
from voxsim.runtime.media.tones import sine
from voxsim.runtime.media.units import TICK, MediaGraph, MediaUnit

__all__ = ["command", "measure_routing", "measure_agent_calls", "measure_realtime"]


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
        cpu0, start = time.process_time(), time.perf_counter()
        for _ in range(ticks):
            graph.tick()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
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
            "us_per_call_tick": round(cpu / (calls * ticks) * 1e6, 2),
        }

    return run(main(), virtual=True)


class _TalkingAgent(MediaUnit):
    """A 16 kHz unit standing for the agent: talks (speech-tagged) for 1 s while the caller is silent, then listens."""

    kind = "agent"

    def __init__(self, graph: MediaGraph, offset: int) -> None:
        super().__init__(graph, 16000)
        tag = SpeechTag("agent words", offset)
        talk = [Frame(f.pcm, 16000, tag) for f in split_frames(sine([(300.0, -15.0), (900.0, -20.0)], 1.0, 16000),
                                                              16000)]
        self._frames = itertools.islice(itertools.cycle(talk + [None] * 50), offset, None)
        self.heard = 0

    @property
    def ticking(self) -> bool:
        return True

    def pull(self) -> Frame | None:
        return next(self._frames)

    def push(self, frame: Frame) -> None:
        self.heard += frame.pcm.size


def _agent_calls(graph: MediaGraph, calls: int, record_dir: Path) -> list[tuple[CallMedia, SimulatedParty]]:
    legs = []
    for i in range(calls):
        party = SimulatedParty(graph.clock, 8000, name=f"caller-{i}")
        party.silence(0.02 * (i % 100))
        for _ in range(20):  # speech-tagged TTS, as the load tool's caller, and pauses (what the DTMF detectors see)
            party.say("I would like to book a table for two tonight, please.")
            party.silence(2.0)
        call = CallMedia(graph, party, 8000, name=f"call-{i}", record_dir=record_dir, wire="mulaw_8000")
        call.start()
        agent = _TalkingAgent(graph, 50 + i % 100)
        call.send_media_to(agent)
        agent.send_media_to(call)
        call.handle_tones(True)
        call.record(stereo=True)
        legs.append((call, party))
    return legs


def _peer_resamples(hops: int) -> float:
    """Seconds for ``hops`` 20 ms 8 ↔ 16 kHz conversions through libswresample (PyAV), as the old converter did."""
    up = av.AudioResampler(format="s16", layout="mono", rate=16000)
    down = av.AudioResampler(format="s16", layout="mono", rate=8000)
    pcm8 = sine([(440.0, -12.0)], 0.02, 8000).reshape(1, -1)
    pcm16 = sine([(440.0, -12.0)], 0.02, 16000).reshape(1, -1)
    start = time.perf_counter()
    for i in range(hops):
        wide = i % 2 == 0
        frame = av.AudioFrame.from_ndarray(pcm8 if wide else pcm16, format="s16", layout="mono")
        frame.sample_rate = 8000 if wide else 16000
        frame.pts = i // 2 * (160 if wide else 320)
        outs = [o.to_ndarray().reshape(-1) for o in (up if wide else down).resample(frame)]
        np.concatenate(outs) if outs else None
    return time.perf_counter() - start


def measure_agent_calls(calls: int = 100, ticks: int = 500) -> dict[str, Any]:
    """CPU per call per tick of ``calls`` agent-shaped calls (see the module docstring), ticked without pacing."""

    async def main() -> dict[str, Any]:
        graph = MediaGraph(Clock())
        with tempfile.TemporaryDirectory() as tmp:
            legs = _agent_calls(graph, calls, Path(tmp))
            for _ in range(5):  # warm-up
                graph.tick()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(ticks):
                graph.tick()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            converted = sum(c._converter is not None for c, _ in legs)
            for call, _ in legs:
                call.end()
        graph.stop()
        hops = calls * ticks  # about one converted frame per call per tick (each side talks half the time)
        peer = _peer_resamples(hops)
        heard = sum(len(p.heard.energy) for _, p in legs)
        return {
            "name": "media.agent_calls",
            "ratio": round(wall / peer, 3),
            "peer": "libswresample (PyAV) per converted 20 ms frame, one per call tick",
            "unit": "s/call-tick",
            "calls": calls,
            "ticks": ticks,
            "us_per_call_tick": round(cpu / (calls * ticks) * 1e6, 2),
            "peer_us_per_call_tick": round(peer / hops * 1e6, 2),
            "converters": converted,
            "frames_heard_by_callers": heard,
            "calls_per_core": round(0.02 / (cpu / (calls * ticks))),
        }

    return run(main(), virtual=True)


def measure_realtime(calls: int, seconds: float = 3.0, sessions: bool = False) -> dict[str, Any]:
    """Tick lateness with ``calls`` bridged calls on the wall clock: all in one graph, or (``sessions``) each in its
    own graph with its own timer, as each call is its own session under ``voxsim load`` (grid phases spread evenly
    over the 20 ms, as sessions started at different times have)."""

    async def main() -> dict[str, Any]:
        graphs, pairs = [], []
        for i in range(calls if sessions else 1):
            clock = Clock()
            clock.origin -= TICK * i / calls  # this session's 20 ms grid starts i/calls of a tick earlier
            graph = MediaGraph(clock)
            graph.record_lateness = True
            graphs.append(graph)
            pairs += _bridges(graph, 1 if sessions else calls)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        for graph in graphs:
            graph.stop()
        late = np.array([x for g in graphs for x in g.lateness[5:]] or [0.0]) * 1000
        cost = np.array([x for g in graphs for x in g.tick_cost[5:]] or [0.0]) * 1000
        heard = sum(a.remote.heard + b.remote.heard for a, b in pairs)  # type: ignore[union-attr]
        return {
            "name": f"media.realtime{'.sessions' if sessions else ''}.{calls}",
            "calls": calls,
            "graphs": len(graphs),
            "seconds": seconds,
            "ticks": sum(len(g.lateness) for g in graphs),
            "p50_ms": round(float(np.percentile(late, 50)), 3),
            "p99_ms": round(float(np.percentile(late, 99)), 3),
            "max_ms": round(float(late.max()), 3),
            "tick_p50_ms": round(float(np.percentile(cost, 50)), 3),
            "tick_p99_ms": round(float(np.percentile(cost, 99)), 3),
            "cpu_share": round(cpu / wall, 3),
            "us_per_call_tick": round(cpu / (calls * wall / TICK) * 1e6, 2),
            "frames_heard": heard,
        }

    return run(main(), virtual=False)


@click.command(name="media")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--calls", default="50,100,200,400", show_default=True, help="Bridged calls to try on real time.")
@click.option("--seconds", default=3.0, show_default=True, help="Real-time run per step.")
@click.option("--routing-calls", default=100, show_default=True, help="Bridged calls for the routing measurement.")
@click.option("--agent-calls", default=100, show_default=True, help="Agent-shaped calls for the per-call tick CPU.")
@click.option("--sessions", is_flag=True, help="Real time: each bridged call in its own graph and timer (as in load).")
def command(as_json: bool, calls: str, seconds: float, routing_calls: int, agent_calls: int, sessions: bool) -> None:
    """Frames routed per second; CPU per agent-shaped call tick; bridged calls on real time with p50/p99 lateness."""
    routing = measure_routing(routing_calls)
    agent = measure_agent_calls(agent_calls)
    steps = [measure_realtime(int(n), seconds, sessions) for n in calls.split(",") if n.strip()]
    ok = [s["calls"] for s in steps if s["p99_ms"] < 5.0 and s["cpu_share"] < 0.95]
    fits = [s["calls"] for s in steps if s["tick_p99_ms"] < 5.0 and s["cpu_share"] < 0.95]
    summary = {"name": "media.realtime", "max_calls_p99_under_5ms": max(ok) if ok else 0,
               "max_calls_tick_p99_under_5ms": max(fits) if fits else 0, "goal": 200}
    if as_json:
        click.echo(json.dumps({"benchmarks": [routing, agent, *steps, summary]}))
        return
    click.echo(f"routing: {routing['frames_per_second']:,} frames/s with {routing_calls} bridged calls "
               f"(peer {routing['peer_frames_per_second']:,}/s; ratio {routing['ratio']}) "
               f"≈ {routing['realtime_calls_per_core']} calls/core of CPU "
               f"({routing['us_per_call_tick']:.1f} µs CPU per call per tick)")
    click.echo(f"agent-shaped calls ({agent_calls}: µ-law leg, 8 ↔ 16 kHz, recording, DTMF, caller's ear): "
               f"{agent['us_per_call_tick']:.1f} µs CPU per call per tick ≈ {agent['calls_per_core']} calls/core "
               f"(peer: {agent['peer_us_per_call_tick']:.1f} µs per PyAV conversion; ratio {agent['ratio']})")
    for s in steps:
        click.echo(f"real time, {s['calls']:4d} calls in {s['graphs']} graph(s): p50 {s['p50_ms']:.2f} ms, "
                   f"p99 {s['p99_ms']:.2f} ms, max {s['max_ms']:.2f} ms; tick work p50 {s['tick_p50_ms']:.2f} / p99 {s['tick_p99_ms']:.2f} ms; "
                   f"cpu {100 * s['cpu_share']:.0f}% ({s['us_per_call_tick']:.1f} µs per call per tick)")
    click.echo(f"bridged calls per core with p99 lateness < 5 ms: {summary['max_calls_p99_under_5ms']}; "
               f"with p99 tick work < 5 ms: {summary['max_calls_tick_p99_under_5ms']} (goal 200)")
