"""One load call: a real-time session of the scenario with a scripted inbound caller, and what it measured.

Why a module of its own: the worker process (``worker.py``) only schedules calls; building the session, the caller
and the shared agent emulator, and reading the figures back out of the session (frame lateness from the session's
media graph, agent round trips from its trace) is the part a test can run in one process without the pipe.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .gcpolicy import DEFAULT_GC_POLICY

__all__ = ["TEARDOWN_DELAY", "DEFAULT_CALLER", "LoadConfig", "CallOutcome", "SharedEmulator", "CallFactory"]

#: The default caller: waits for the greeting, says one line, waits for the answer, hangs up. Audio flows both ways
#: and the answer gives one agent round trip per call. Waits give up after 10 s so a silent scenario still ends.
DEFAULT_CALLER = """\
steps:
  - wait: agent.silent
    timeout: 10
  - say: I would like to book a table for two people.
  - wait: agent.silent
    timeout: 10
  - hangup
"""


#: Seconds after a session closes before its cycles are cut (``--gc lean``).
TEARDOWN_DELAY = 1.0


@dataclass(frozen=True)
class LoadConfig:
    """What every call of a load run is made of (picklable: it is sent to the worker processes)."""

    scenarios: tuple[str, ...]
    agent: str | None = None  # the emulator's brain (YAML/JSON file or module:attr); default agents/<scenario>.yaml
    caller_script: str | None = None  # a caller script file (README "Caller scripts"); default DEFAULT_CALLER
    max_call_seconds: float = 120.0  # a call still up after this long is ended and counted as failed
    call_seconds: float | None = None  # the caller hangs up this long after it connects (None: its script ends it)
    work_dir: str | None = None  # where per-call recordings go (deleted after each call); default a temp dir
    settings: dict[str, Any] = field(default_factory=dict)  # more SessionOptions.settings
    gc_policy: str = DEFAULT_GC_POLICY  # the workers' garbage collection after warm-up (gcpolicy.py)


@dataclass
class CallOutcome:
    """What one call measured; ``lateness`` is the session's 20 ms tick lateness in seconds (float32)."""

    call_id: int
    ok: bool
    error: str | None = None
    lateness: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    rtts: list[float] = field(default_factory=list)  # seconds: end of a caller utterance → first audio it hears
    seconds: float = 0.0  # wall (= session) seconds from session creation to Terminated


class SharedEmulator:
    """One agent emulator for every session of a worker (``settings["cartesia"]["server"]``), as one agent service
    answers many calls; sessions neither start nor stop it, the worker does."""

    def __init__(self, brain_spec: str | None) -> None:
        from voxsim.tools.agent import AgentEmulator, load_brain_factory

        self.emulator = AgentEmulator(default_brain=load_brain_factory(brain_spec))
        self._base: str | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> str:
        """The emulator's base URL (bound on first use, on 127.0.0.1 port 0)."""
        async with self._lock:
            if self._base is None:
                self._base = await self.emulator.start()
            return self._base

    async def stop(self) -> None:
        """A session ended: forget the streams that are closed (the emulator keeps every stream's frame log)."""
        self.emulator.streams[:] = [s for s in self.emulator.streams if not s.ws.closed]

    async def close(self) -> None:
        """The worker is done: close the server."""
        if self._base is not None:
            await self.emulator.stop()


def _default_caller(scenarios: tuple[str, ...]) -> str | None:
    """``callers/<scenario>.yaml`` beside the first scenario that has one (e.g. both parties of a bridged call)."""
    for name in scenarios:
        candidate = Path(name).parent / "callers" / f"{Path(name).stem}.yaml"
        if candidate.is_file():
            return str(candidate)
    return None


def _default_agent(scenarios: tuple[str, ...]) -> str | None:
    """``agents/<scenario>.yaml`` beside the first scenario that has one (what ``voxsim run`` uses)."""
    for name in scenarios:
        candidate = Path(name).parent / "agents" / f"{Path(name).stem}.yaml"
        if candidate.is_file():
            return str(candidate)
    return None


class CallFactory:
    """Makes and runs the calls of one worker; create it inside the worker's running (real-time) loop."""

    def __init__(self, config: LoadConfig, work_dir: Path) -> None:
        from voxsim.runtime.callers import load_script, parse_script
        from voxsim.runtime.network import Network

        self.config = config
        self.work_dir = work_dir
        self.sources = [(Path(p).read_text(encoding="utf-8"), p) for p in config.scenarios]
        caller_script = config.caller_script or _default_caller(config.scenarios)
        script = (load_script(caller_script) if caller_script
                  else parse_script(DEFAULT_CALLER, "<default load caller>"))
        self.script = script
        network = Network()
        for number, spec in script.callees.items():
            network.add(number, spec)
        changes: dict[str, Any] = {"extra": {**network.caller.extra, "script": script}}
        if script.caller is not None:
            changes["callerid"] = script.caller
        if script.to is not None:
            changes["destination"] = script.to
        if config.call_seconds is not None:
            changes["hangup_after"] = float(config.call_seconds)
        self.network = network.with_caller(**changes)
        self.emulator = SharedEmulator(config.agent or _default_agent(config.scenarios))
        self.live: dict[int, Any] = {}  # call id -> its running Session (the worker samples their lateness)
        #: Ids of the warm-up's objects once ``enable_teardown`` ran: ended sessions then have their cycles cut.
        self.teardown_keep: set[int] | None = None
        self._teardowns: set[asyncio.Task[Any]] = set()
        self.teardown_stats: dict[str, int] = {"sessions": 0, "js_objects": 0, "cells": 0}

    def speak_ahead(self, rates: tuple[int, ...] = (8000, 16000)) -> int:
        """Synthesize what the caller and callee scripts will say, so the first calls find it in the TTS cache: a
        phrase costs espeak-ng tens of ms, which inside a load run is a stall of every live call's media. Returns
        the number of phrases."""
        from voxsim.runtime.callers import CallerScript
        from voxsim.runtime.media.tts import synthesize

        scripts = [self.script] + [spec["script"] for spec in self.script.callees.values()
                                   if isinstance(spec.get("script"), CallerScript)]
        phrases = {(step.text, step.voice) for script in scripts for step in script.steps
                   if step.kind == "say" and step.text}
        for spec in self.script.callees.values():  # a callee's timed party script (``steps`` of say/play/…)
            for item in spec.get("steps") or ():
                if isinstance(item, Mapping) and isinstance(item.get("say"), str):
                    voice = item.get("voice")
                    phrases.add((item["say"], voice if isinstance(voice, str) else None))
        for text, voice in phrases:
            for rate in rates:
                synthesize(text, rate, voice)
        return len(phrases)

    def enable_teardown(self) -> None:
        """Cut each ended session's reference cycles (``teardown.py``); call once warm-up is over."""
        import gc

        from .teardown import snapshot

        frozen = gc.get_freeze_count()
        if frozen:
            # gc.get_objects() does not list the permanent generation: after a gc.freeze() (the GC policies'
            # warm-up freeze) the snapshot would miss every shared object, and the walk would cut them (the
            # network's caller, the parsed scripts...). List them, then freeze them again.
            gc.unfreeze()
        try:
            self.teardown_keep = snapshot()
        finally:
            if frozen:
                gc.freeze()

    def _tear_down_later(self, session: Any) -> None:
        from .teardown import break_session_cycles

        keep = self.teardown_keep
        assert keep is not None

        async def later() -> None:
            await asyncio.sleep(TEARDOWN_DELAY)  # the session's cancelled tasks and closing sockets finish first
            done = await break_session_cycles(session, keep)
            self.teardown_stats["sessions"] += 1
            self.teardown_stats["js_objects"] += done["js_objects"]
            self.teardown_stats["cells"] += done["cells"]

        task = asyncio.get_running_loop().create_task(later())
        self._teardowns.add(task)
        task.add_done_callback(self._teardowns.discard)

    async def run(self, call_id: int, hangup_after: float | None = None) -> CallOutcome:
        """Run one call to its end; never raises (a failure is an outcome with ``ok=False``). ``hangup_after``
        (seconds after it connects) overrides the caller's for this call (a worker's short warm-up call)."""
        from voxsim.runtime.session import Session, SessionOptions
        from voxsim.tools.trace.model import turn_latencies

        loop = asyncio.get_running_loop()
        started = loop.time()
        rec_dir = self.work_dir / f"call-{call_id}"
        settings = {**self.config.settings, "recordings_dir": str(rec_dir)}
        settings["cartesia"] = {**settings.get("cartesia", {}), "server": self.emulator}
        session: Session | None = None
        outcome: CallOutcome | None = None
        try:
            # Built in pieces with loop turns between them: the live calls' media ticks run while this one starts.
            network = self.network if hangup_after is None else self.network.with_caller(hangup_after=hangup_after)
            session = await Session.create(SessionOptions(network=network, settings=settings))
            self.live[call_id] = session
            for source, filename in self.sources:
                await session.load_async(source, filename)
            await session.start(inbound=network.caller)
            ended = await session.wait(max_seconds=self.config.max_call_seconds)
            # The end is read in pieces too: at 200 calls one ends every 0.1 s, and read in one piece (the trace's
            # turns, the lateness, the folder) it held every live call's due ticks for 2-3 ms each time.
            await _turn()
            error = None
            if session.internal_errors:
                exc = session.internal_errors[0]
                error = f"voxsim internal error: {type(exc).__name__}: {exc}"
            elif session.errors:
                error = session.errors[0]
            elif not ended:
                error = f"still up after {self.config.max_call_seconds:g} s"
            rtts = [lat.seconds for lat in turn_latencies(session.trace.records)]
            await _turn()
            outcome = CallOutcome(call_id, error is None, error, _lateness(session), rtts, loop.time() - started)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a SyntaxError, an unreadable file, voxsim failing to build the session
            lateness = _lateness(session) if session is not None else np.zeros(0, np.float32)
            outcome = CallOutcome(call_id, False, f"{type(exc).__name__}: {exc}", lateness,
                                  seconds=loop.time() - started)
        finally:
            self.live.pop(call_id, None)
            if session is not None:
                # A party's script still waiting (a callee whose call the session dropped) would keep the whole
                # session alive until its wait times out, and every full GC pass would scan it.
                for runner in list(session.extensions.get("callers", {}).values()):
                    runner.stop()
                session.close()
                if self.teardown_keep is not None:
                    self._tear_down_later(session)
            if outcome is None:  # cancelled: no turn to wait for
                shutil.rmtree(rec_dir, ignore_errors=True)
        await _turn()
        shutil.rmtree(rec_dir, ignore_errors=True)
        return outcome

    async def close(self) -> None:
        """Finish the pending teardowns and stop the shared emulator."""
        if self._teardowns:
            await asyncio.gather(*self._teardowns, return_exceptions=True)
        await self.emulator.close()


def _lateness(session: Any) -> np.ndarray:
    graph = getattr(session.extensions.get("media"), "graph", None)
    if graph is None:
        return np.zeros(0, np.float32)
    return np.frombuffer(graph.lateness, dtype=np.float64).astype(np.float32)  # reads the graph's array in place


async def _turn() -> None:
    """A loop turn between two pieces of a call's end, in the queue a session's start-up takes its turns in
    (:class:`~voxsim.runtime.hostturns.HostTurns`)."""
    from voxsim.runtime.hostturns import HostTurns

    await HostTurns.for_loop(asyncio.get_running_loop()).turn()
