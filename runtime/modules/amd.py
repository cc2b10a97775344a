"""The ``AMD`` namespace: answering-machine detection on the simulated network (voximplant/voxengine-ci typings).

``AMD.create({model, timeout?, thresholds?})`` makes an ``AnsweringMachineDetector``; it is attached to a call with
``VoxEngine.callPSTN(number, callerid, {amd})``. The typings declare ``AMD`` without a ``Modules`` member, so it is a
global (``require(Modules.AMD)`` reads ``undefined`` and only warns). What voxsim chooses [inferred]:

- Detection starts when the attached call connects (the typings: the timeout "is only triggered after
  ``CallEvents.Connected``"); ``detect()`` starts it too (once) and returns a Promise of the
  ``DetectionComplete`` payload.
- The answer comes from the dialled network callee: ``amd: human | voicemail | mimic | timeout`` (default ``human``),
  ``amd_after`` seconds after connect (default 2.0), ``amd_confidence`` (default 95). ``mimic`` is ``VOICEMAIL`` with
  ``resultSubtype: MIMIC`` (an AI answering for the callee). An answer later than ``timeout`` ms (default 6500) is
  ``TIMEOUT``; a call that ends first is ``CALL_ENDED``.
- ``AMD.Events.DetectionComplete`` fires on the detector with ``{amd, call, callId, resultClass, resultSubtype,
  confidence}``. ``DetectionError`` never fires. Attaching with ``call.sendMediaTo(amd)`` is not emulated.
"""

from __future__ import annotations

import functools

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from voxsim.engine.errors import JSRangeError, JSTypeError
from voxsim.engine.host import HostObject, js_getter, js_method, to_py
from voxsim.engine.values import UNDEFINED

from ..call import Call, add_event_listener, remove_event_listener
from ..emitter import Emitter

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["AnsweringMachineDetector", "install", "attach", "MODELS", "EVENTS", "DEFAULT_TIMEOUT_MS",
           "DEFAULT_AFTER"]

#: ``AMD.Model`` (member → value), as in the typings.
MODELS: dict[str, str] = {"BR": "br", "CL": "cl", "CO": "colombia", "KZ": "kz", "MX": "mx", "RU": "ru", "PH": "ph",
                          "PE": "pe", "US": "us", "EU_GENERAL": "eu_general"}
EVENTS: dict[str, str] = {"DetectionComplete": "AMD.Events.DetectionComplete",
                          "DetectionError": "AMD.Events.DetectionError"}
RESULT_CLASSES = ("VOICEMAIL", "HUMAN", "TIMEOUT", "CALL_ENDED")
RESULT_SUBTYPES = ("MIMIC", "NONE")

DEFAULT_TIMEOUT_MS = 6500.0
MAX_TIMEOUT_MS = 20000.0
#: Seconds after connect at which a callee's answer is recognised [inferred].
DEFAULT_AFTER = 2.0
DEFAULT_CONFIDENCE = 95

_ANSWERS = {"human": ("HUMAN", "NONE"), "voicemail": ("VOICEMAIL", "NONE"), "machine": ("VOICEMAIL", "NONE"),
            "mimic": ("VOICEMAIL", "MIMIC")}


class AnsweringMachineDetector(HostObject):
    """JS ``AMD.AnsweringMachineDetector``: decides whether the attached call was answered by a person."""

    js_class = "AnsweringMachineDetector"

    def __init__(self, session: Session, model: str, timeout_ms: float) -> None:
        self.session = session
        self.trace_id = session.new_id("amd")
        self.events = Emitter(session, self.trace_id, this=self)
        self.model = model
        self.timeout_ms = timeout_ms
        self.call: Call | None = None
        self.state = "idle"  # idle → detecting → done
        self.result: dict[str, Any] | None = None
        self._waiting: list[Any] = []  # resolve functions of detect() promises
        self._timer: Any = None

    def attach(self, call: Call) -> None:
        """Bind to ``call`` (``callPSTN``'s ``amd`` parameter): detection starts when it connects."""
        if self.call is not None:
            self.session.warn(f"AMD: detector {self.trace_id} is already attached to {self.call.trace_id}",
                              target=self.trace_id)
            return
        self.call = call
        call.events.on("Call.Connected", lambda _e: self._start())
        for ended in ("Call.Disconnected", "Call.Failed"):
            call.events.on(ended, lambda _e: self._finish("CALL_ENDED", "NONE", 0))

    def _start(self) -> None:
        call = self.call
        if self.state != "idle" or call is None or call.state != "CONNECTED":
            return
        self.state = "detecting"
        extra: Mapping[str, Any] = call.callee.extra if call.callee is not None else {}
        answer = str(extra.get("amd", "human")).lower()
        after = float(extra.get("amd_after", DEFAULT_AFTER))
        confidence = int(extra.get("amd_confidence", DEFAULT_CONFIDENCE))
        limit = self.timeout_ms / 1000.0
        if answer == "timeout" or after >= limit or answer not in _ANSWERS:
            if answer not in _ANSWERS and answer != "timeout":
                self.session.warn(f"AMD: network callee amd={answer!r} is not human/voicemail/mimic/timeout; "
                                  "detection times out", target=self.trace_id)
            self._timer = self.session.clock.call_later(limit, lambda: self._finish("TIMEOUT", "NONE", 0))
            return
        result_class, subtype = _ANSWERS[answer]
        self._timer = self.session.clock.call_later(
            after, lambda: self._finish(result_class, subtype, confidence))

    def _finish(self, result_class: str, subtype: str, confidence: int) -> None:
        if self.state != "detecting":
            if self.state == "idle" and result_class == "CALL_ENDED":
                self.state = "done"  # the call ended before it connected: nothing was detected, nothing fires
            return
        self.state = "done"
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        call = self.call
        self.result = {"amd": self, "call": call, "callId": call.trace_id if call is not None else "",
                       "resultClass": result_class, "resultSubtype": subtype, "confidence": confidence}
        self.events.emit(EVENTS["DetectionComplete"], dict(self.result))
        waiting, self._waiting = self._waiting, []
        for resolve in waiting:
            payload = self.session.to_js({**self.result, "name": EVENTS["DetectionComplete"]})
            self.session.run_js(functools.partial(resolve, payload), where="AMD.detect")

    @js_method("id")
    def _js_id(self) -> Any:
        return self.trace_id

    @js_getter("call")
    def _js_call(self) -> Any:
        return self.call if self.call is not None else UNDEFINED

    @js_getter("model")
    def _js_model(self) -> Any:
        return self.model

    @js_getter("timeout")
    def _js_timeout(self) -> Any:
        return self.timeout_ms

    @js_method("detect")
    def _js_detect(self) -> Any:
        realm = self.session.realm
        promise, resolve, reject = realm.new_promise()
        if self.call is None:
            error = realm.new_error("Error", "AMD.detect: the detector is not attached to a call "
                                             "(pass it as VoxEngine.callPSTN(number, callerid, {amd}))")
            self.session.loop.call_soon(lambda: self.session.run_js(lambda: reject(error), where="AMD.detect"))
            return promise
        if self.state == "done" and self.result is not None:
            payload = self.session.to_js({**self.result, "name": EVENTS["DetectionComplete"]})
            self.session.loop.call_soon(lambda: self.session.run_js(lambda: resolve(payload), where="AMD.detect"))
            return promise
        self._waiting.append(resolve)
        self._start()
        return promise

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        add_event_listener(self.session, self.events, event, callback, "AMD.addEventListener",
                           type_error="AnsweringMachineDetector.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        remove_event_listener(self.events, event, callback)
        return UNDEFINED


def attach(session: Session, call: Call, parameters: Any) -> None:
    """``callPSTN``'s third argument: attach ``parameters.amd`` (an ``AnsweringMachineDetector``) to ``call``."""
    if parameters is UNDEFINED or parameters is None:
        return
    opts = to_py(parameters)
    if not isinstance(opts, Mapping):
        return
    detector = opts.get("amd")
    if detector is None:
        return
    if not isinstance(detector, AnsweringMachineDetector):
        raise JSTypeError("VoxEngine.callPSTN: parameters.amd must be made by AMD.create()")
    detector.attach(call)


def install(session: Session) -> None:
    """Define the ``AMD`` global (``create``, ``Events``, ``Model``, ``ResultClass``, ``ResultSubtype``)."""
    from ..globals import js_enum, trap_missing_members

    realm = session.realm

    def create(parameters: Any = UNDEFINED) -> Any:
        opts = to_py(parameters) if parameters is not UNDEFINED else None
        if not isinstance(opts, Mapping):
            raise JSTypeError("AMD.create: parameters must be an object with a model (AMD.Model)")
        model = opts.get("model")
        if model not in MODELS.values():
            raise JSTypeError(f"AMD.create: model must be an AMD.Model value ({', '.join(MODELS.values())}), "
                              f"got {model!r}")
        timeout = opts.get("timeout", DEFAULT_TIMEOUT_MS)
        if timeout is None:
            timeout = DEFAULT_TIMEOUT_MS
        if not isinstance(timeout, (int, float)) or not 0 <= timeout <= MAX_TIMEOUT_MS:
            raise JSRangeError(f"AMD.create: timeout must be 0..{int(MAX_TIMEOUT_MS)} ms, got {timeout!r}")
        return AnsweringMachineDetector(session, str(model), float(timeout))

    trap_missing_members(session, AnsweringMachineDetector)
    namespace = realm.new_object()
    namespace.define("create", realm.new_host_function("create", create, 1))
    namespace.define("Events", js_enum(session, "AMD.Events", EVENTS))
    namespace.define("Model", js_enum(session, "AMD.Model", MODELS))
    namespace.define("ResultClass", js_enum(session, "AMD.ResultClass", {v: v for v in RESULT_CLASSES}))
    namespace.define("ResultSubtype", js_enum(session, "AMD.ResultSubtype", {v: v for v in RESULT_SUBTYPES}))
    namespace.extensible = False
    session.define_global("AMD", namespace)
