"""A realm: the global object, the intrinsics, the microtask queue and the task entry points the runtime uses.

See docs/engine.md "Realm and tasks" and "Built-ins".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import threading
import time as _time
import types
from inspect import CO_VARARGS as _CO_VARARGS

import greenlet

from .budget import Budget
from .errors import BudgetExceeded, HostJSError, JSThrow
from .host import HostFunction, to_js
from .host import wrap as _wrap
from .jobs import JobQueue
from .operations import spend_steps, to_display, to_string
from .values import (
    MISSING, UNDEFINED, BuiltinFunction, JSArray, JSBigInt, JSErrorObject, JSFunction, JSObject, JSPrimitiveObject,
    JSSymbol, PropertyDescriptor, array_index,
)

__all__ = ["Realm", "CATCHABLE", "SUSPENDED"]


def _roomy(f: Callable[..., Any], a: Any, b: Any) -> Any:
    return f(a, b)


_ROOMY_FREE_BYTES = 130 * 1024
_roomy_cache: list[Callable[..., Any]] = []


def _roomy_entry() -> Callable[..., Any]:
    """A trampoline whose frame is big enough that CPython sizes a fresh greenlet's root data-stack chunk to about
    twice its frame: the frames of the task then live in the rest of that chunk (~130 KB), and a hot recursion up
    to that depth never crosses a chunk boundary (each crossing mmaps and munmaps a chunk, and where the boundary fell
    depended on frame sizes, so fib(25) ran 1.4x slower when one closure gained a local). The root chunk is never
    freed before the greenlet ends. Built on first use (~15 ms)."""
    if not _roomy_cache:
        n = _ROOMY_FREE_BYTES // 8
        code = _roomy.__code__
        code = code.replace(co_varnames=code.co_varnames + tuple(f"_{i}" for i in range(n)),
                            co_nlocals=code.co_nlocals + n)
        _roomy_cache.append(types.FunctionType(code, {}))
    return _roomy_cache[0]


_threads = threading.local()

#: Idle task greenlets kept per thread (a task suspended mid-slice keeps its own until it ends).
_IDLE_WORKERS = 4


def _worker_loop(job: tuple[Callable[..., Any], Any, Any], _unused: Any) -> Any:
    """Runs jobs in a task greenlet forever, so its roomy root chunk is paid for once per thread, not per task
    (a fresh roomy greenlet per task cost ~100 us: mmap, page faults, 16k NULL stores)."""
    while True:
        fn, a, b = job
        try:
            result: tuple[bool, Any] = (True, fn(a, b))
        except greenlet.GreenletExit:
            raise
        except BaseException as exc:  # noqa: BLE001 - handed back and re-raised in the caller
            result = (False, exc)
        job = fn = a = b = None  # type: ignore[assignment]
        caller = greenlet.getcurrent().parent
        assert caller is not None  # the worker is always started from a thread's main greenlet
        job = caller.switch(result)
        result = None  # type: ignore[assignment]


def _take_worker() -> greenlet.greenlet:
    idle: list[greenlet.greenlet] | None = getattr(_threads, "idle", None)
    if idle is None:
        idle = _threads.idle = []
    while idle:
        worker = idle.pop()
        if not worker.dead:
            return worker
    return greenlet.greenlet(_roomy_entry())


def _release_worker(worker: greenlet.greenlet) -> None:
    idle: list[greenlet.greenlet] = _threads.idle
    if len(idle) < _IDLE_WORKERS and not worker.dead:
        idle.append(worker)


def _enter_worker(worker: greenlet.greenlet, fn: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """Start ``fn(a, b)`` in ``worker``; returns what it switches back: ``(ok, value)`` or ``_SUSPENDED``."""
    if worker:  # started and waiting for its next job
        return worker.switch((fn, a, b))
    return worker.switch(_worker_loop, (fn, a, b), None)


class _Suspended:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SUSPENDED"


#: What ``run_task(fn, on_done=...)`` returns when the task overran its time slice and was suspended.
SUSPENDED: Any = _Suspended()
_SUSPENDED_SWITCH = ("suspended",)

# The Python exceptions a JS ``catch`` (and a promise reaction) turns into a JS value; BudgetExceeded is not one.
CATCHABLE = (JSThrow, HostJSError, RecursionError)


class Realm:
    """Global object + intrinsics + job queue. Create one per session; it is cheap enough for one per test."""

    def __init__(self, budget: Budget | None = None, *, builtins: bool = True) -> None:
        self.budget = budget or Budget()
        self.jobs = JobQueue()
        self.budget.queue = self.jobs  # queued promise jobs count in the memory account
        self.stack: list[str] = []          # JS frames, innermost last: "at name (file:line:col)" of each call site
        self.intrinsics: dict[str, Any] = {}
        self.host_prototypes: dict[type, JSObject] = {}
        self.wrappers: dict[int, tuple[Any, JSObject]] = {}
        self.global_lex: dict[str, Any] = {}    # top-level let/const/class bindings of all scripts
        self.global_consts: set[str] = set()
        self._task_depth = 0
        # Time-sliced tasks (see run_task): how to resume later, and the suspended task's state.
        self.schedule: Callable[[Callable[[], None]], Any] | None = None
        self.suspended = False
        self._resume_target: greenlet.greenlet | None = None
        self._worker: greenlet.greenlet | None = None
        self._root: greenlet.greenlet | None = None
        self._on_done: Callable[[bool, Any], None] | None = None
        self._resume_handle: Any = None
        self._abort: str | None = None
        self._unhandled_callbacks: list[Callable[[Any], None]] = []
        self.pending_rejections: list[Any] = []   # promises rejected with no handler during the current task
        self.template_cache: dict[Any, JSArray] = {}
        self.symbol_registry: dict[str, JSSymbol] = {}
        # Per-realm state of built-ins (RNG, clock, zone, RegExp snapshot). It lives on the realm, not in module-level
        # WeakKeyDictionaries keyed by realm: their values reach the realm again and so kept every realm alive.
        self.builtin_state: dict[str, Any] = {}
        # What embeds this realm (the runtime's Session): lets host function bodies shared by every realm find
        # their realm's own host objects. Never reachable from JS.
        self.host: Any = None
        # Date.now()/new Date() read this; the runtime points it at the session clock (virtual or real time).
        self.now_ms: Callable[[], float] = lambda: _time.time() * 1000.0

        self.object_prototype = JSObject(None)
        self.function_prototype = BuiltinFunction(self, _return_undefined, "", 0, proto=self.object_prototype)
        self.global_object = JSObject(self.object_prototype)
        self.intrinsics["%Object.prototype%"] = self.object_prototype
        self.intrinsics["%Function.prototype%"] = self.function_prototype
        self.intrinsics["%GlobalObject%"] = self.global_object
        self.array_prototype: JSObject
        if builtins:
            for _ in self.install_builtins():
                pass

    def install_builtins(self, pieces: int = 1) -> Iterator[None]:
        """Install the built-ins (left out by ``Realm(builtins=False)``) in ``pieces`` about equal parts, yielding
        between them: a session starting next to live media installs them a part per loop turn (all of them take
        ~1 ms). Nothing may use the realm before the last part is in."""
        from .builtins import installers

        todo = installers()
        size = -(-len(todo) // max(1, pieces))
        for start in range(0, len(todo), size):
            if start:
                yield
            for install in todo[start:start + size]:
                install(self)
        self.array_prototype = self.intrinsics["%Array.prototype%"]

    # -- objects
    def new_object(self, proto: JSObject | None | Any = MISSING) -> JSObject:
        return JSObject(self.object_prototype if proto is MISSING else proto)

    def new_array(self, items: list[Any] | None = None) -> JSArray:
        """A new array owning ``items`` (JS values); built-ins build big ones in Python, so each element costs a step."""
        if items is None:
            return JSArray(self.array_prototype, [])
        spend_steps(self.budget, len(items))
        return JSArray(self.array_prototype, items)

    def new_function(self, name: str, fn: Callable[[Any, Any, list], Any], length: int,
                     ctor: Callable[[Any, list, Any], Any] | None = None) -> BuiltinFunction:
        """A built-in function ``fn(realm, this, args)`` (a constructor too when ``ctor(realm, args, new_target)``)."""
        return BuiltinFunction(self, fn, name, length, ctor)

    def new_host_function(self, name: str, python_callable: Callable[..., Any], length: int = 0) -> BuiltinFunction:
        """A JS function calling ``python_callable(*args)`` with JS values (missing ones UNDEFINED up to
        ``length``); its result goes through ``host.to_js`` (so HostObjects are wrapped)."""
        return HostFunction(self, python_callable, name, length, _positional_limit(python_callable))

    def new_error(self, kind: str, message: str) -> JSErrorObject:
        """A new ``kind`` error object (``TypeError``, ``RangeError``…) with the current JS stack."""
        ctor = self.intrinsics.get(f"%{kind}%") or self.intrinsics["%Error%"]
        proto = ctor.get("prototype")
        err = JSErrorObject(proto if isinstance(proto, JSObject) else self.object_prototype)
        err.props["message"] = PropertyDescriptor(value=message, writable=True, enumerable=False, configurable=True)
        self.attach_stack(err, kind, message)
        return err

    def attach_stack(self, err: JSErrorObject, name: str, message: str, extra: str | None = None) -> None:
        frames = self.stack[::-1]
        if extra:
            frames.insert(0, extra)
        err.js_stack = frames
        head = f"{name}: {message}" if message else name
        text = head + "".join("\n    " + f for f in frames)
        err.props["stack"] = PropertyDescriptor(value=text, writable=True, enumerable=False, configurable=True)

    def throw(self, kind: str, message: str) -> JSThrow:
        """A JSThrow carrying a new ``kind`` error; ``raise realm.throw("TypeError", "...")``."""
        return JSThrow(self.new_error(kind, message), self.stack[::-1])

    def to_js_value(self, exc: BaseException) -> Any:
        """The JS value a catchable Python exception stands for (the realm's error for host-raised ones)."""
        if isinstance(exc, JSThrow):
            return exc.value
        if isinstance(exc, HostJSError):
            return self.new_error(exc.js_constructor, exc.message)
        if isinstance(exc, RecursionError):
            return self.new_error("RangeError", "Maximum call stack size exceeded")
        raise exc

    def as_throw(self, exc: BaseException) -> JSThrow:
        if isinstance(exc, JSThrow):
            return exc
        return JSThrow(self.to_js_value(exc), self.stack[::-1])

    # -- conversions that need intrinsics
    def to_object(self, v: Any) -> JSObject:
        if isinstance(v, JSObject):
            return v
        if v is UNDEFINED or v is None:
            raise self.throw("TypeError", f"Cannot convert {to_display(v)} to object")
        return JSPrimitiveObject(self.prototype_of_primitive(v), v)

    def prototype_of_primitive(self, v: Any) -> JSObject:
        t = type(v)
        name = ("%String.prototype%" if t is str else "%Number.prototype%" if t is float else
                "%Boolean.prototype%" if t is bool else "%Symbol.prototype%" if t is JSSymbol else
                "%BigInt.prototype%" if t is JSBigInt else None)
        if name is None:
            raise self.throw("TypeError", f"Cannot convert {to_display(v)} to object")
        proto = self.intrinsics.get(name)
        return proto if proto is not None else self.object_prototype

    def get_v(self, v: Any, key: Any) -> Any:
        """GetV: a property of any value (primitives read their prototype, strings their indices/length)."""
        if isinstance(v, JSObject):
            return v.get(key, v)
        if type(v) is str:
            if key == "length":
                return float(len(v))
            i = array_index(key)
            if 0 <= i < len(v):
                return v[i]
        elif v is UNDEFINED or v is None:
            raise self.throw("TypeError", f"Cannot read properties of {to_display(v)} (reading "
                                          f"'{key if type(key) is str else to_display(key)}')")
        return self.prototype_of_primitive(v).get(key, v)

    # -- scripts and tasks
    def compile_script(self, source_text: str, filename: str = "<script>") -> Any:
        """Parse and compile a script (raises JSSyntaxError); ``.run()`` runs it and returns its completion value."""
        from .script import compile_script

        return compile_script(self, source_text, filename)

    def run_task(self, fn: Callable[[], Any], on_done: Callable[[bool, Any], None] | None = None) -> Any:
        """Run ``fn()`` as a macrotask, then drain the microtasks (outermost level only). A JS exception out of
        ``fn`` propagates as JSThrow after the drain; host-raised JS errors are turned into JSThrow too.

        With ``on_done``, an outer task may be time-sliced (when ``schedule`` is set and the budget has a
        ``slice_seconds``): if it overruns its slice it is suspended and ``SUSPENDED`` is returned at once; it resumes
        through ``schedule(callback)`` (``loop.call_soon``), slice after slice, and its outcome goes to
        ``on_done(True, value)`` or ``on_done(False, exception)``. Until then the realm runs nothing else: calling
        ``run_task`` raises RuntimeError (queue the task; ``finish_task()`` ends the suspended one at once).
        Without ``on_done`` the task is never suspended."""
        if self.suspended:
            raise RuntimeError("a task of this realm is suspended mid-slice: run the next task after it ends "
                               "(JS runs to completion)")
        outer = self._task_depth == 0
        if outer:
            sliced = on_done is not None and self.schedule is not None and self.budget.slice_seconds is not None
            self.budget.suspend = self._suspend if sliced else None
            if greenlet.getcurrent().parent is None:
                # A task greenlet gives the task its own Python data stack: speed no longer depends on how deep the
                # caller's stack is (CPython allocates and frees a stack chunk each time a hot recursion crosses a
                # chunk boundary, which made the same JS code up to 4x slower from some call depths), and a
                # time-sliced task can switch out of it back to the event loop.
                self._on_done = on_done if sliced else None
                worker = _take_worker()
                self._root = greenlet.getcurrent()
                return self._switched_back(worker, _enter_worker(worker, self._run_task, fn, outer))
            # Not on a thread's main greenlet: another realm's task runs this one inline (a call between two
            # sessions). Nowhere to switch back to, and that task must not be suspended while this one is open.
            self.budget.suspend = None
            _threads.inline = getattr(_threads, "inline", 0) + 1
            try:
                return self._run_task(fn, outer)
            finally:
                _threads.inline -= 1
        return self._run_task(fn, outer)

    def _switched_back(self, worker: greenlet.greenlet, out: Any) -> Any:
        """The task greenlet switched back: suspended (schedule the next slice) or done (its result)."""
        if out is _SUSPENDED_SWITCH:
            self._worker = worker
            assert self.schedule is not None
            self._resume_handle = self.schedule(self._resume)
            return SUSPENDED
        self._worker = None
        self.budget.suspend = None
        _release_worker(worker)
        ok, value = out
        if ok:
            return value
        raise value

    def _suspend(self) -> None:
        """Called by the budget at a checkpoint of a time-sliced task whose slice is over (in the task greenlet)."""
        if getattr(_threads, "inline", 0):
            return  # another realm's task is open inside this one: suspend at a later checkpoint
        root = self._root
        assert root is not None
        self._resume_target = greenlet.getcurrent()
        self.suspended = True
        try:
            root.switch(_SUSPENDED_SWITCH)
        except greenlet.GreenletExit:
            self.budget.suspend = None  # the realm is being collected: unwind without switching again
            raise
        if self._abort is not None:
            detail, self._abort = self._abort, None
            self.budget.suspend = None
            self.budget.exceed("task", detail)

    def _resume(self) -> None:
        """Run the suspended task's next slice (scheduled on the event loop)."""
        self._resume_handle = None
        if self.suspended:
            self._continue()

    def _continue(self) -> None:
        target, worker = self._resume_target, self._worker
        assert target is not None and worker is not None
        self._resume_target = None
        self.suspended = False
        self._root = greenlet.getcurrent()
        out = target.switch()
        if out is _SUSPENDED_SWITCH:
            self._resume_handle = self.schedule(self._resume) if self.schedule is not None else None
            return
        on_done, self._on_done = self._on_done, None
        try:
            value = self._switched_back(worker, out)
        except BaseException as exc:  # noqa: BLE001 - the task's outcome, handed to on_done
            if on_done is not None:
                on_done(False, exc)
            return
        if on_done is not None:
            on_done(True, value)

    @property
    def in_task(self) -> bool:
        """True while a task of this realm is running (host code called from JS), not while one is suspended."""
        return self._task_depth > 0 and not self.suspended

    def finish_task(self) -> None:
        """Run the suspended task (if any) to its end now, without further slicing; its outcome goes to its
        ``on_done`` as usual. For a caller that needs JS to run synchronously."""
        if not self.suspended:
            return
        if self._resume_handle is not None and hasattr(self._resume_handle, "cancel"):
            self._resume_handle.cancel()
        self._resume_handle = None
        self.budget.suspend = None
        self._continue()

    def abort_task(self, detail: str) -> None:
        """End the suspended task (if any) when it next resumes, with ``BudgetExceeded("task", detail)``."""
        if self.suspended:
            self._abort = detail

    def _run_task(self, fn: Callable[[], Any], outer: bool) -> Any:
        if outer:
            self.budget.reset()
            self.budget.depth = 0
            del self.stack[:]
        self._task_depth += 1
        failure: BaseException | None = None
        result: Any = UNDEFINED
        try:
            result = fn()
        except BudgetExceeded:
            if outer:
                self.jobs.clear()  # the runaway's pending jobs (a promise storm) must not run on in the next task
            raise
        except CATCHABLE as exc:
            failure = self.as_throw(exc)
        finally:
            self._task_depth -= 1
        if outer:
            del self.stack[:]
            self.budget.depth = 0
            try:
                self.drain_jobs()
            except BudgetExceeded:
                self.jobs.clear()
                raise
            finally:
                self._report_rejections()
        if failure is not None:
            raise failure
        return result

    def drain_jobs(self) -> None:
        """Run all pending promise jobs. A job that throws is reported like an uncaught exception would be
        (jobs never throw in practice: reactions catch)."""
        while True:
            try:
                self.jobs.drain(self.budget)
                return
            except BudgetExceeded:
                raise
            except CATCHABLE as exc:
                self.report_uncaught(self.to_js_value(exc))

    def report_uncaught(self, value: Any) -> None:
        for cb in list(self._unhandled_callbacks):
            cb(value)

    def call(self, fn: Any, this: Any = UNDEFINED, args: list[Any] | None = None) -> Any:
        """Call a JS function from host code (use inside ``run_task``); raises JSThrow on a JS exception."""
        if not isinstance(fn, JSFunction):
            raise self.throw("TypeError", f"{to_display(fn)} is not a function")
        try:
            return fn.call(this, [] if args is None else list(args))
        except (HostJSError, RecursionError) as exc:
            raise self.as_throw(exc) from None

    def construct(self, fn: Any, args: list[Any] | None = None) -> Any:
        if not isinstance(fn, JSFunction) or not fn.is_constructor():
            raise self.throw("TypeError", f"{to_display(fn)} is not a constructor")
        try:
            return fn.construct([] if args is None else list(args), fn)
        except (HostJSError, RecursionError) as exc:
            raise self.as_throw(exc) from None

    # -- promises
    def new_promise(self) -> tuple[JSObject, Callable[[Any], None], Callable[[Any], None]]:
        """A pending promise and Python ``resolve(value)``/``reject(value)`` for host code (call them inside a
        task, e.g. ``realm.run_task(lambda: resolve(v))``, so the reactions run)."""
        from .builtins.promise import new_promise_capability_intrinsic

        promise, resolve_fn, reject_fn = new_promise_capability_intrinsic(self)

        def resolve(value: Any = UNDEFINED) -> None:
            resolve_fn.call(UNDEFINED, [value])

        def reject(value: Any = UNDEFINED) -> None:
            reject_fn.call(UNDEFINED, [value])

        return promise, resolve, reject

    def on_unhandled_rejection(self, callback: Callable[[Any], None]) -> None:
        """``callback(reason)`` for each promise rejected without a handler by the end of a task; also called
        with the value of an exception that escaped a promise job."""
        self._unhandled_callbacks.append(callback)

    def _report_rejections(self) -> None:
        pending, self.pending_rejections = self.pending_rejections, []
        for p in pending:
            if not p.handled:
                for cb in list(self._unhandled_callbacks):
                    cb(p.result)

    # -- globals and host objects
    def define_global(self, name: str, value: Any, enumerable: bool = False) -> None:
        """A global property (writable, configurable; not enumerable unless asked), like built-in globals."""
        self.global_object.define(name, to_js(self, value), writable=True, enumerable=enumerable,
                                  configurable=True)

    def wrap(self, host_object: Any) -> JSObject:
        """The JS object standing for a HostObject (the same one every time)."""
        return _wrap(self, host_object)

    def display(self, v: Any) -> str:
        """A string for logs (ToString where safe, a description otherwise)."""
        try:
            return to_string(v) if not isinstance(v, JSObject) else to_display(v)
        except HostJSError:
            return to_display(v)


def _positional_limit(fn: Callable[..., Any]) -> int | None:
    """How many positional arguments ``fn`` accepts (``None``: any number, or unknown).

    Plain functions and bound methods are read off their code object: every session defines a few hundred host
    functions, and ``inspect.signature`` cost ~15 ms of a session's start-up. Anything else (builtins, partials,
    ``functools.wraps`` wrappers, whose signature is the wrapped one's) asks inspect."""
    target: Any
    if type(fn) is types.MethodType:
        target, bound = fn.__func__, 1
    elif type(fn) is types.FunctionType:
        target, bound = fn, 0
    else:  # an instance of a Python class with a plain __call__ (a shared host callable)
        target, bound = getattr(type(fn), "__call__", None), 1
        if type(target) is not types.FunctionType:
            target, bound = fn, 0
    code = getattr(target, "__code__", None)
    if type(target) is types.FunctionType and code is not None and not hasattr(target, "__wrapped__"):
        if code.co_flags & _CO_VARARGS:
            return None
        return max(0, code.co_argcount - bound)
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _return_undefined(realm: Any, this: Any, args: list[Any]) -> Any:
    return UNDEFINED
