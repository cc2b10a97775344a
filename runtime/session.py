"""One scenario run: a realm, a clock, a trace, the calls, and the lifecycle Started → … → Terminated.

docs/runtime.md is the contract other runtime parts build on (installers, services, JS tasks, ids and URLs).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import base64
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from voxsim.engine.budget import Budget
from voxsim.engine.errors import BudgetExceeded, HostJSError, JSThrow
from voxsim.engine.host import HostObject, to_js
from voxsim.engine.realm import SUSPENDED, Realm

from .clock import Clock
from .emitter import Emitter
from .events import AppEvents
from .hostturns import HostTurns
from .network import Caller, Network
from .timeslice import SliceScheduler
from .trace import Trace

__all__ = [
    "Session",
    "SessionOptions",
    "SessionState",
    "SessionService",
    "INSTALLERS",
    "IDLE_TIMEOUT",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_SLICE_SECONDS",
    "DEFAULT_MAX_TASK_SECONDS",
    "DEFAULT_MAX_MEMORY_MB",
    "DEFAULT_MAX_STRING_LENGTH",
    "DEFAULT_MAX_ARRAY_LENGTH",
    "run_scenario",
]

#: Steps one JS task (a handler, a timer) may take before the session is ended as a runaway.
DEFAULT_MAX_STEPS = 20_000_000

#: On real time, a JS task runs at most this long before it yields the event loop to media and other sessions
#: (``settings["slice_seconds"]``; virtual time never slices, so its runs stay deterministic).
DEFAULT_SLICE_SECONDS = 0.002

#: On real time, seconds since a JS task started (time suspended between slices included) before it ends as a runaway
#: (``settings["max_task_seconds"]``; on virtual time only when set).
DEFAULT_MAX_TASK_SECONDS = 10.0

#: Memory one JS task may hold by the engine's account (engine/budget.py: promise chains and jobs, big strings), in MB
#: (``settings["max_memory_mb"]``, ``None``: no cap); beyond it the session ends as a runaway (a promise storm). 4 MB
#: is ~2,700 waiting promise reactions: a storm ends before its chain triggers a full GC of the whole process (at
#: 16 MB it took 1-2 s and 1-3 full GCs of 100-380 ms each next to 50 calls).
DEFAULT_MAX_MEMORY_MB = 4

#: The longest string / array a session may make (``settings["max_string_length"]``, ``settings["max_array_length"]``):
#: far below the engine's own limits (2^28, 2^25), because building one is a single copy that cannot be time-sliced
#: (2^21 characters: ~2 ms; a list of 2^22 elements: ~40 ms). A JS RangeError, as past V8's limits. Strings stay
#: below the memory budget, so the longest one is a RangeError, not the end of the session.
DEFAULT_MAX_STRING_LENGTH = 1 << 21
DEFAULT_MAX_ARRAY_LENGTH = 1 << 22

#: Seconds a session with no calls lives on (VoxEngine's rule), and an unanswered inbound call rings.
IDLE_TIMEOUT = 60.0

#: ``"module:function"`` installers run, in order, when a session's realm is made. A module that is not there (yet)
#: is skipped, so parts can land independently. Each function is ``install(session) -> None``.
INSTALLERS: list[str] = [
    "voxsim.runtime.globals:install",
    "voxsim.runtime.voxengine:install",
    "voxsim.runtime.helpers:install",
    "voxsim.runtime.net:install",
    "voxsim.runtime.http:install",
    "voxsim.runtime.websocket:install",
    "voxsim.runtime.media:install",
]

_session_ids = itertools.count(1)

#: os.urandom bytes for session keys and secrets, read 4 KB at a time (two system calls per session cost 10-40 µs
#: on a busy VM); emptied in a forked child, which must never reuse its parent's bytes.
_entropy: list[Any] = [b"", 0]  # buffer, offset


def _random_bytes(n: int) -> bytes:
    buf, at = _entropy
    if at + n > len(buf):
        buf, at = os.urandom(4096), 0
        _entropy[0] = buf
    _entropy[1] = at + n
    return buf[at:at + n]  # type: ignore[no-any-return]


def _forget_entropy() -> None:
    _entropy[:] = [b"", 0]


os.register_at_fork(after_in_child=_forget_entropy)


class SessionState:
    """Lifecycle states; events are delivered only while RUNNING (plus Terminating/Terminated themselves)."""

    NEW = "new"
    RUNNING = "running"
    TERMINATING = "terminating"
    TERMINATED = "terminated"


class SessionService(Protocol):
    """Something a session starts before ``Started`` and closes after ``Terminated`` (HTTP server, media engine)."""

    async def start(self, session: Session) -> None: ...

    async def close(self, session: Session) -> None: ...


@dataclass
class SessionOptions:
    """What a run is configured with (the ``voxsim run`` flags map onto these)."""

    network: Network = field(default_factory=Network)
    custom_data: str = ""
    trace_path: str | Path | None = None
    storage_path: str | Path | None = None
    secrets_path: str | Path | None = None
    secrets: Mapping[str, str] = field(default_factory=dict)
    epoch: float | None = None
    idle_timeout: float = IDLE_TIMEOUT
    account_id: int = 1000001
    application_id: int = 2000001
    settings: dict[str, Any] = field(default_factory=dict)


class Session:
    """One VoxEngine session. Create it inside a running loop, ``load()`` scripts, ``start()``, ``await wait()``.

    Next to live calls on real time, ``await Session.create(...)`` and ``await load_async(...)`` build the same
    session in pieces, giving the loop a turn between them (see :meth:`create`; ``realm`` is how it hands over the
    realm it made in a piece of its own)."""

    def __init__(self, options: SessionOptions | None = None, *, clock: Clock | None = None,
                 install: bool = True, realm: Realm | None = None) -> None:
        self.options = options or SessionOptions()
        self.clock = clock or Clock(epoch=self.options.epoch)
        self.loop = self.clock.loop
        self.id: int = next(_session_ids)
        self.key: str = _random_bytes(8).hex()
        self.secret: str = base64.urlsafe_b64encode(_random_bytes(24)).rstrip(b"=").decode("ascii")
        self.access_url: str = ""
        self.access_secure_url: str = ""
        self.log_url: str = ""
        self.network = self.options.network
        self.trace = Trace(clock=self.clock.now, path=self.options.trace_path)
        self.state = SessionState.NEW
        self.errors: list[str] = []
        self.internal_errors: list[BaseException] = []
        self.services: list[SessionService] = []
        self.extensions: dict[str, Any] = {}
        self.calls: dict[str, Any] = {}
        self._unit_ids: dict[str, itertools.count[int]] = {}
        self._closers: list[Callable[[], object]] = []
        self._idle_handle: asyncio.TimerHandle | None = None
        self._terminated = self.loop.create_future()
        self._scripts: list[Any] = []
        self.script_files: list[str] = []
        self.realm = realm or Realm(budget=self._budget(self.options.settings, self.clock))
        self.realm.host = self
        # Suspended tasks of all sessions on this loop take turns, leaving the loop to media and other sessions.
        self.realm.schedule = SliceScheduler.for_loop(self.loop).schedule
        # JS tasks waiting for a time-sliced task of this realm to end (JS runs to completion): (fn, where).
        self._js_queue: deque[tuple[Callable[[], Any], str]] = deque()
        self._js_idle_waiters: list[asyncio.Future[None]] = []
        self._sync_depth = 0
        self._set_date_clock()
        self.realm.on_unhandled_rejection(self._unhandled_rejection)
        self.events = Emitter(self, "session")
        self.custom_data: str = self.options.custom_data
        if install:
            for spec in INSTALLERS:
                self._install(spec)

    @classmethod
    async def create(cls, options: SessionOptions | None = None, *, clock: Clock | None = None) -> Session:
        """A session built as ``Session(options)`` is, but on real time with a loop turn after the realm and after
        each installer: a session starting next to live calls then holds their media ticks for one piece at a time
        (a few ms) instead of for the whole start-up. Virtual time does not yield, so runs keep their order."""
        options = options or SessionOptions()
        clock = clock or Clock(epoch=options.epoch)
        realm = Realm(budget=cls._budget(options.settings, clock), builtins=False)
        turns = None if clock.virtual else HostTurns.for_loop(clock.loop)
        for _ in realm.install_builtins(pieces=2):  # the built-ins, ~1 ms: the biggest part of a start-up
            if turns is not None:
                await turns.turn()
        if turns is not None:
            await turns.turn()
        session = cls(options, clock=clock, install=False, realm=realm)
        await session._startup_turn()
        for spec in INSTALLERS:
            session._install(spec)
            await session._startup_turn()
        return session

    @staticmethod
    def _budget(settings: dict[str, Any], clock: Clock) -> Budget:
        """The realm's per-task limits from ``settings``: ``max_steps``, and on real time a time slice and a running
        time cap (virtual time counts steps only, unless ``max_task_seconds`` is set, so runs are reproducible)."""
        # VoxEngine lets a handler run about a second; 20M steps (a few CPU seconds here) ends a runaway loop sooner
        # than the engine's default while leaving real scenarios far below it.
        max_steps = int(settings.get("max_steps", DEFAULT_MAX_STEPS))
        memory_mb = settings.get("max_memory_mb", DEFAULT_MAX_MEMORY_MB)
        max_memory = None if memory_mb is None else int(float(memory_mb) * (1 << 20))
        max_string = int(settings.get("max_string_length", DEFAULT_MAX_STRING_LENGTH))
        max_array = int(settings.get("max_array_length", DEFAULT_MAX_ARRAY_LENGTH))
        if clock.virtual:
            cap = settings.get("max_task_seconds")
            return Budget(max_steps=max_steps, max_string_length=max_string, max_array_length=max_array,
                          max_seconds=None if cap is None else float(cap), max_memory=max_memory)
        slice_seconds = settings.get("slice_seconds", DEFAULT_SLICE_SECONDS)
        cap = settings.get("max_task_seconds", DEFAULT_MAX_TASK_SECONDS)
        return Budget(max_steps=max_steps, max_string_length=max_string, max_array_length=max_array,
                      slice_seconds=None if slice_seconds is None else float(slice_seconds),
                      max_seconds=None if cap is None else float(cap), timer=clock.loop.time, max_memory=max_memory)

    def _set_date_clock(self) -> None:
        """Date reads the session clock, and local time is UTC unless ``settings["timezone"]`` names a zone
        [inferred: VoxEngine servers run on UTC; getLocalTime() is how scenarios get local time]."""
        def now_ms() -> float:
            return self.clock.unix_time() * 1000.0

        self.realm.now_ms = now_ms
        try:
            from voxsim.engine.builtins.date import set_clock, set_timezone
        except ImportError:  # an engine without the Date hooks
            return
        set_clock(self.realm, now_ms)
        set_timezone(self.realm, self.options.settings.get("timezone"))

    # -- installers, services, ids ---------------------------------------------------------------------------

    def _install(self, spec: str) -> None:
        module_name, _, func_name = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return
            raise
        installer = getattr(module, func_name or "install", None)
        if installer is not None:
            installer(self)

    def add_service(self, service: SessionService) -> None:
        """Start ``service`` with the session (before ``Started``) and close it after ``Terminated``."""
        self.services.append(service)

    def add_closer(self, closer: Callable[[], object]) -> None:
        """Call ``closer()`` when the session terminates (timers, sockets, players); may return an awaitable."""
        self._closers.append(closer)

    def new_id(self, kind: str) -> str:
        """A per-session id such as ``call-1``, ``player-3``, ``ws-1``: stable across runs of the same scenario."""
        counter = self._unit_ids.setdefault(kind, itertools.count(1))
        return f"{kind}-{next(counter)}"

    # -- JS ----------------------------------------------------------------------------------------------------

    def define_global(self, name: str, value: Any) -> None:
        """Install a JS global (a JS value, a dict/list converted with ``to_js``, or a HostObject)."""
        self.realm.define_global(name, self.to_js(value))

    def to_js(self, value: Any) -> Any:
        """Convert a Python value (dicts, lists, HostObjects, primitives) into a JS value of this realm."""
        return to_js(self.realm, value)

    def run_js(self, fn: Callable[[], Any], *, where: str = "task", sync: bool = False) -> Any:
        """Run ``fn`` as one JS task (then drain promise jobs). An uncaught JS error is logged and recorded; the
        session goes on; a budget overrun ends the session. Returns ``fn()``'s value, or ``None`` after an error.

        On real time a task that overruns its time slice is suspended and resumed on later loop turns (media and
        other sessions run in between); ``run_js`` then returns ``None`` at once and the task's outcome is handled
        when it ends. Tasks arriving meanwhile are queued and run in order after it. ``sync=True`` (or inside
        :meth:`synchronous`) is for callers that need the value now: queued and suspended tasks are first run to
        their end, then ``fn`` runs without slicing. Called from inside a running task, ``fn`` runs at once (nested)."""
        realm = self.realm
        if realm.in_task:
            return self._run_task_now(fn, where, sliced=False)
        if sync or self._sync_depth:
            self.flush_js()
            return self._run_task_now(fn, where, sliced=False)
        if realm.suspended or self._js_queue:
            self._js_queue.append((fn, where))
            return None
        return self._run_task_now(fn, where, sliced=True)

    def call_js(self, fn: Any, this: Any, args: Iterable[Any], *, where: str = "listener", sync: bool = False) -> Any:
        """Call a JS function as a task with Python-or-JS ``this``/``args`` (converted); see :meth:`run_js`."""
        this_js = self.to_js(this) if isinstance(this, HostObject) else this
        args_js = [self.to_js(a) if isinstance(a, (HostObject, dict, list)) else a for a in args]
        return self.run_js(lambda: self.realm.call(fn, this_js, args_js), where=where, sync=sync)

    @contextlib.contextmanager
    def synchronous(self) -> Iterator[None]:
        """Every ``run_js`` inside runs unsliced and returns its value (e.g. an HttpRequest listener's answer)."""
        self._sync_depth += 1
        try:
            yield
        finally:
            self._sync_depth -= 1

    @property
    def js_busy(self) -> bool:
        """A JS task is suspended between time slices, or tasks are queued behind one."""
        return self.realm.suspended or bool(self._js_queue)

    def flush_js(self) -> None:
        """Run the suspended task and the queued ones to their end now, in order (blocks the loop meanwhile)."""
        realm = self.realm
        while realm.suspended or self._js_queue:
            if realm.suspended:
                realm.finish_task()
            else:
                fn, where = self._js_queue.popleft()
                self._run_task_now(fn, where, sliced=False)
        self._notify_js_idle()

    async def js_idle(self) -> None:
        """Wait until no JS task is suspended or queued."""
        while self.js_busy:
            waiter: asyncio.Future[None] = self.loop.create_future()
            self._js_idle_waiters.append(waiter)
            await waiter

    def _run_task_now(self, fn: Callable[[], Any], where: str, *, sliced: bool) -> Any:
        try:
            if not sliced:
                return self.realm.run_task(fn)
            result = self.realm.run_task(fn, on_done=lambda ok, value: self._task_ended(ok, value, where))
        except Exception as exc:
            self._task_failed(exc, where)
            return None
        return None if result is SUSPENDED else result

    def _task_ended(self, ok: bool, value: Any, where: str) -> None:
        """A time-sliced task ended (on a later loop turn): handle its failure, then run the next queued task."""
        if not ok:
            if not isinstance(value, Exception):
                raise value
            self._task_failed(value, where)
        if self._js_queue:
            self.loop.call_soon(self._run_queued)
        else:
            self._notify_js_idle()

    def _run_queued(self) -> None:
        if self.realm.suspended or not self._js_queue:
            return
        fn, where = self._js_queue.popleft()
        self._run_task_now(fn, where, sliced=True)
        if not self.realm.suspended:
            self._task_ended(True, None, where)

    def _notify_js_idle(self) -> None:
        if self.js_busy:
            return
        waiters, self._js_idle_waiters = self._js_idle_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _task_failed(self, exc: Exception, where: str) -> None:
        if isinstance(exc, JSThrow):
            self.script_error(exc, where=where)
        elif isinstance(exc, BudgetExceeded):
            self.errors.append(str(exc))
            self.trace.record("error", message=str(exc), source="budget", target="session")
            self.terminate()
        elif isinstance(exc, HostJSError):  # a host error that escaped the boundary unconverted
            self.script_error(exc, where=where)
        else:
            self.internal_error(exc, where=where)

    def script_error(self, exc: BaseException, *, where: str = "handler") -> None:
        """Record an uncaught JS exception (message and JS stack) without stopping the session."""
        message = str(exc)
        stack = list(getattr(exc, "js_stack", []) or [])
        self.errors.append(message)
        fields: dict[str, Any] = {"message": message, "source": "handler", "target": "session"}
        if stack:
            fields["stack"] = "\n".join(stack)
        if where:
            fields["where"] = where
        self.trace.record("error", **fields)

    def internal_error(self, exc: BaseException, *, where: str = "") -> None:
        """A Python exception that is voxsim's fault: recorded, the session ends (``voxsim run`` exits 70)."""
        self.internal_errors.append(exc)
        self.trace.record("error", message=f"{type(exc).__name__}: {exc}", source="internal", target="session",
                          where=where)
        if self.state in (SessionState.NEW, SessionState.RUNNING):
            self.terminate()

    def _unhandled_rejection(self, reason: Any, *rest: Any) -> None:
        message = f"Uncaught (in promise) {_describe(reason)}"
        self.errors.append(message)
        fields: dict[str, Any] = {"message": message, "source": "handler", "target": "session"}
        stack = getattr(reason, "js_stack", None)
        if stack:
            fields["stack"] = "\n".join(str(frame) for frame in stack)
        self.trace.record("error", **fields)

    def warn(self, message: str, **fields: Any) -> None:
        """A trace warning (unknown member, listener for ``undefined``…)."""
        self.trace.record("warning", message=message, **fields)

    def log(self, text: str, source: str = "Logger.write") -> None:
        """A scenario log line (Logger.write works in every state, even after Terminated)."""
        self.trace.record("log", text=text, source=source)

    # -- scripts and lifecycle -----------------------------------------------------------------------------------

    def load(self, source: str, filename: str = "scenario.js") -> None:
        """Compile a scenario file; raises :class:`JSSyntaxError` at once. Scripts run in ``start()``, in order."""
        self._scripts.append(self.realm.compile_script(source, filename=filename))
        self.script_files.append(filename)

    async def load_async(self, source: str, filename: str = "scenario.js") -> None:
        """:meth:`load`, then a loop turn on real time (the compile is one piece; the turn lets ticks due meanwhile
        run before the next step of the start-up). A scenario compiled before in this process compiles lazily: the
        bodies of its top-level functions (its handlers) then compile here, a piece each."""
        self.load(source, filename)
        await self._startup_turn()
        for _ in self._scripts[-1].compile_bodies():  # a lazily compiled scenario: its handlers, a piece each
            await self._startup_turn()

    def load_file(self, path: str | Path) -> None:
        """Compile a scenario file from disk."""
        path = Path(path)
        self.load(path.read_text(encoding="utf-8"), filename=str(path))

    async def start(self, inbound: Caller | None = None) -> None:
        """Start services, run the scripts, fire ``Started`` then (inbound) ``CallAlerting``; arm the idle rule."""
        if self.state == SessionState.RUNNING:
            raise RuntimeError(f"session {self.id} already started")
        if self.state != SessionState.NEW:
            return  # terminated before it started
        for service in self.services:
            await service.start(self)
            await self._startup_turn()
        if self.state != SessionState.NEW:
            return  # terminated while its services started
        self.state = SessionState.RUNNING
        for script in self._scripts:
            self.run_js(script.run, where="script")
            await self._startup_turn()
        if self.state != SessionState.RUNNING:
            return
        self.events.emit(AppEvents["Started"], {
            "accessURL": self.access_url,
            "accessSecureURL": self.access_secure_url,
            "sessionId": self.id,
            "accountId": self.options.account_id,
            "applicationId": self.options.application_id,
            "logURL": self.log_url,
        })
        await self._startup_turn()
        if inbound is not None and self.state == SessionState.RUNNING:
            from .call import Call  # call.py imports session for typing only

            call = Call.incoming(self, inbound)
            self.events.emit(AppEvents["CallAlerting"], call.alerting_payload())
            call.arm_alerting()
        self.check_idle()

    async def _startup_turn(self) -> None:
        """On real time, give the loop a turn between start-up steps (services, each script, Started, CallAlerting),
        so a session starting next to live calls blocks them for one step at a time, not for all of them. Virtual
        time does not yield here: its runs keep their order."""
        if not self.clock.virtual:
            # One queue for the pieces of every session starting (and ending) on this loop, one piece per loop
            # iteration: ten sessions starting at once no longer run ten pieces back to back ahead of a due tick.
            await HostTurns.for_loop(self.loop).turn()

    def delivers(self, event: str) -> bool:
        """Whether events still reach the scenario (after ``terminate()`` only Terminating/Terminated do)."""
        if self.state == SessionState.RUNNING:
            return True
        return self.state == SessionState.TERMINATING and event in (AppEvents["Terminating"], AppEvents["Terminated"])

    def register_call(self, call: Any) -> None:
        """A new call belongs to the session (cancels the no-calls countdown)."""
        self.calls[call.trace_id] = call
        self._cancel_idle()

    def call_gone(self, call: Any) -> None:
        """A call has ended; when none is left the session terminates ``idle_timeout`` seconds later."""
        self.calls.pop(call.trace_id, None)
        self.check_idle()

    def check_idle(self) -> None:
        """Arm the no-calls countdown when the session has no live calls."""
        if self.state != SessionState.RUNNING or self.calls or self._idle_handle is not None:
            return
        self._idle_handle = self.clock.call_later(self.options.idle_timeout, self._idle_expired)

    def _cancel_idle(self) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None

    def _idle_expired(self) -> None:
        self._idle_handle = None
        if not self.calls:
            self.terminate()

    def terminate(self, system_error: str | None = None) -> None:
        """``VoxEngine.terminate()``: from now on no event but Terminating/Terminated fires; calls are dropped
        silently; the rest runs after the current JS task (code after ``terminate()`` in the same block still runs)."""
        if self.state in (SessionState.TERMINATING, SessionState.TERMINATED):
            return
        started = self.state == SessionState.RUNNING
        self.state = SessionState.TERMINATING
        self._cancel_idle()
        # Terminated from outside JS (--max-seconds, a control request) while a task is suspended mid-slice: it
        # ends at its next slice instead of running on to its budget. From inside the task, the task goes on.
        self.realm.abort_task("the session was terminated while this task was running")
        self.loop.call_soon(lambda: asyncio.ensure_future(self._finish(system_error, started)))

    async def _finish(self, system_error: str | None, started: bool) -> None:
        payload = {"systemError": system_error} if system_error else {}
        try:
            await self.js_idle()  # the current task (and those queued behind it) end first
            for call in list(self.calls.values()):
                call.drop()
            if started:
                self.events.emit(AppEvents["Terminating"], dict(payload))
            for closer in reversed(self._closers):
                result = closer()
                if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                    await result
            if started:
                self.events.emit(AppEvents["Terminated"], dict(payload))
            await self.js_idle()
            for service in reversed(self.services):
                await service.close(self)
        except Exception as exc:  # voxsim's own failure while closing
            self.internal_errors.append(exc)
            self.trace.record("error", message=f"{type(exc).__name__}: {exc}", source="internal", target="session")
        finally:
            self.state = SessionState.TERMINATED
            if not self._terminated.done():
                self._terminated.set_result(None)

    @property
    def terminated(self) -> bool:
        """True once ``Terminated`` has fired and the services are closed."""
        return self.state == SessionState.TERMINATED

    async def wait(self, max_seconds: float | None = None) -> bool:
        """Wait until the session is terminated; with ``max_seconds`` (session time) terminate it then.
        Returns True when it ended by itself."""
        if max_seconds is None:
            await asyncio.shield(self._terminated)
            return True
        # A timer rather than asyncio.wait_for: the wait lasts the whole call, and wait_for's task, futures and
        # callbacks were ~20 more objects per live session for the collector to walk.
        expired: list[bool] = []
        handle = self.clock.call_later(max_seconds, self._wait_expired, max_seconds, expired)
        try:
            await asyncio.shield(self._terminated)
        finally:
            handle.cancel()
        return not expired

    def _wait_expired(self, max_seconds: float, expired: list[bool]) -> None:
        if self._terminated.done():
            return
        expired.append(True)
        self.warn(f"--max-seconds {max_seconds:g} reached: terminating the session", target="session")
        self.terminate()

    def close(self) -> None:
        """Release the trace file (after ``wait()``)."""
        self.trace.close()


def run_scenario(
    sources: str | Iterable[tuple[str, str]],
    *,
    inbound: Caller | None = None,
    options: SessionOptions | None = None,
    virtual: bool = True,
    max_seconds: float | None = 3600.0,
) -> Session:
    """Run scenario source(s) in a fresh session on a fresh loop until it terminates; returns the closed session.

    ``sources`` is one JS source text or ``(source, filename)`` pairs. A SyntaxError propagates.
    """
    from .clock import run

    pairs = [(sources, "scenario.js")] if isinstance(sources, str) else list(sources)

    async def main() -> Session:
        session = Session(options)
        try:
            for source, filename in pairs:
                session.load(source, filename)
            await session.start(inbound=inbound)
            await session.wait(max_seconds=max_seconds)
        finally:
            session.close()
        return session

    return run(main(), virtual=virtual)


def _describe(value: Any) -> str:
    try:
        from voxsim.engine.values import describe_thrown

        return str(describe_thrown(value))
    except (ImportError, AttributeError):
        return repr(value)

