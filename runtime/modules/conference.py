"""``require(Modules.Conference)``: ``VoxEngine.createConference``, ``Conference`` and ``Endpoint``, with real mixing.

Public conference scenarios use two styles, both supported:

- the classic one: ``VoxEngine.sendMediaBetween(call, conf)``, ``player.sendMediaTo(conf)`` — a conference takes
  any number of sources (unlike every other unit, whose new source replaces the old one), and
  ``conf.sendMediaTo(unit)`` sends the mix to that unit;
- endpoints: ``conf.add({call, mode, direction, displayName})`` → ``Endpoint`` (``EndpointAdded``; ``EndpointRemoved``
  when its call ends or on ``stop()``).

Each source feeds its own input port; each receiver has an output port that mixes, per 20 ms tick, the frames the
ports got on the previous tick, minus the receiver's own audio (a participant never hears itself) [inferred: the
platform's behaviour for ``MIX``; ``FORWARD`` (one stream, for video) mixes the same way here]. Silent frames are
not mixed, so an idle conference sends nothing and virtual time can jump. The speech tag of the first speaking
source travels with the mix, so ASR and simulated callers hear the words. The mix runs at 8 kHz, 16 kHz with
``hd_audio`` [inferred].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import js_method, to_py
from voxsim.engine.values import UNDEFINED

from ..media.frames import Frame
from ..media.host import JSMediaSource, _EventHost
from ..media.units import MediaGraph, MediaUnit

if TYPE_CHECKING:
    from ..call import Call
    from ..session import Session

__all__ = ["ConferenceUnit", "ConferenceHost", "EndpointHost", "install", "mix"]

_EVENTS = {name: f"Conference.{name}" for name in ("Started", "Stopped", "EndpointAdded", "EndpointRemoved")}
MAX_ENDPOINTS = 100


def mix(frames: list[Frame], sample_rate: int) -> Frame | None:
    """Sum ``frames`` (all at ``sample_rate``) with clipping; the first speech tag rides along."""
    if not frames:
        return None
    if len(frames) == 1:
        return frames[0]
    size = max(f.pcm.size for f in frames)
    total = np.zeros(size, np.int32)
    for f in frames:
        total[: f.pcm.size] += f.pcm
    speech = next((f.speech for f in frames if f.speech is not None), None)
    return Frame(np.clip(total, -32768, 32767).astype(np.int16), sample_rate, speech)


class _InPort(MediaUnit):
    """One source's way into the mix."""

    kind = "conf-in"

    def __init__(self, conference: ConferenceUnit, source: MediaUnit) -> None:
        super().__init__(conference.graph, conference.sample_rate, f"{conference.name}<{source.name}")
        self.conference = conference
        self.feeder = source

    @property
    def ticking(self) -> bool:
        return False

    def push(self, frame: Frame) -> None:
        if frame.speech is not None or np.any(frame.pcm):
            self.conference.pending[self.id] = frame  # pushed during a tick: the graph is running already


class _OutPort(MediaUnit):
    """The mix for one receiver (everyone but the receiver itself)."""

    kind = "conf-out"

    def __init__(self, conference: ConferenceUnit, target: MediaUnit) -> None:
        super().__init__(conference.graph, conference.sample_rate, f"{conference.name}>{target.name}")
        self.conference = conference
        self.receiver = target

    @property
    def ticking(self) -> bool:
        return bool(self.outputs) and bool(self.conference.pending or self.conference.current)

    def pull(self) -> Frame | None:
        frames = self.conference.frames()
        own = self.conference.inputs.get(self.receiver.id)
        return mix([f for pid, f in frames.items() if own is None or pid != own.id], self.sample_rate)


class ConferenceUnit(MediaUnit):
    """The mixing node: many sources in (``input_port``), one mix out per receiver (``output_port``)."""

    kind = "conference"

    def __init__(self, graph: MediaGraph, sample_rate: int = 8000, name: str | None = None) -> None:
        super().__init__(graph, sample_rate, name)
        self.inputs: dict[int, _InPort] = {}    # by source unit id
        self.receivers: dict[int, _OutPort] = {}  # by target unit id
        self.pending: dict[int, Frame] = {}     # input port id -> frame received this tick
        self.current: dict[int, Frame] = {}     # what this tick mixes (received on the previous one)
        self._tick = -1

    @property
    def ticking(self) -> bool:
        return False

    def input_port(self, source: MediaUnit) -> MediaUnit:
        """The port ``source`` feeds (made on first use); the graph routes ``source → conference`` here."""
        port = self.inputs.get(source.id)
        if port is None or port.closed:
            port = self.inputs[source.id] = _InPort(self, source)
        return port

    def existing_input_port(self, source: MediaUnit) -> MediaUnit | None:
        """The port of ``source``, if it has one (``stopMediaTo(conference)``)."""
        return self.inputs.get(source.id)

    def output_port(self, target: MediaUnit) -> _OutPort:
        """The port mixing for ``target`` (made on first use)."""
        port = self.receivers.get(target.id)
        if port is None or port.closed:
            port = self.receivers[target.id] = _OutPort(self, target)
        return port

    def send_media_to(self, target: MediaUnit) -> None:
        self.output_port(target).send_media_to(target)

    def stop_media_to(self, target: MediaUnit) -> None:
        port = self.receivers.pop(target.id, None)
        if port is not None:
            port.close()

    def frames(self) -> dict[int, Frame]:
        """The frames of this tick (rotated once per tick: what the ports received on the previous one)."""
        if self._tick != self.graph.ticks:
            self._tick = self.graph.ticks
            self.current, self.pending = self.pending, {}
        return self.current

    def forget(self, unit: MediaUnit) -> None:
        """Drop ``unit``'s ports both ways (an endpoint removed)."""
        port = self.inputs.pop(unit.id, None)
        if port is not None:
            self.pending.pop(port.id, None)
            port.close()
        self.stop_media_to(unit)

    def close(self) -> None:
        for port in [*self.inputs.values(), *self.receivers.values()]:
            port.close()
        self.inputs.clear()
        self.receivers.clear()
        self.pending.clear()
        self.current.clear()
        super().close()


def _choice(value: Any, allowed: tuple[str, ...], default: str, what: str) -> str:
    if value is None or value is UNDEFINED:
        return default
    text = str(value).upper()
    if text not in allowed:
        raise JSTypeError(f"Conference.add: {what} must be one of {', '.join(allowed)}, got {value!r}")
    return text


class EndpointHost(_EventHost):
    """JS ``Endpoint``: one call in a conference."""

    js_class = "Endpoint"

    def __init__(self, conference: ConferenceHost, call: Call, mode: str, direction: str, display_name: str) -> None:
        super().__init__(conference.layer, "endpoint")
        self.conference = conference
        self.call = call
        self.mode = mode
        self.direction = direction
        self.display_name = display_name

    @js_method("getCall")
    def _js_get_call(self) -> Any:
        return self.call

    @js_method("getDirection")
    def _js_get_direction(self) -> Any:
        return self.direction

    @js_method("getMode")
    def _js_get_mode(self) -> Any:
        return self.mode

    @js_method("setDisplayName")
    def _js_set_display_name(self, name: Any = UNDEFINED) -> Any:
        self.display_name = "" if name is UNDEFINED else str(to_py(name))
        return UNDEFINED

    @js_method("manageEndpoint")
    def _js_manage_endpoint(self, parameters: Any = UNDEFINED) -> Any:
        """Video receive parameters: nothing to do for audio; resolves at once."""
        promise, resolve, _reject = self.session.realm.new_promise()
        resolve(UNDEFINED)
        return promise


class ConferenceHost(JSMediaSource, _EventHost):
    """JS ``Conference`` (``VoxEngine.createConference``)."""

    js_class = "Conference"
    payload_key = "conference"

    def __init__(self, session: Session, hd_audio: bool) -> None:
        layer = session.extensions["media"]
        super().__init__(layer, "conference")
        self.media_unit = ConferenceUnit(layer.graph, 16000 if hd_audio else 8000, name=self.trace_id)
        self.endpoints: dict[str, EndpointHost] = {}
        self.stopped = False
        layer.live.append(self.media_unit.close)

    def start(self) -> None:
        self._emit(_EVENTS["Started"], {})

    # -- media --------------------------------------------------------------------------------------------------

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        """``conf.sendMediaTo(unit)``: the mix (without ``unit``'s own audio) goes to ``unit``."""
        target = self.layer.unit_of(unit)
        port = self.media_unit.output_port(target)
        self.layer.connect(port, unit, parameters)

    def stop_media_to(self, unit: Any) -> None:
        self.media_unit.stop_media_to(self.layer.unit_of(unit))

    # -- endpoints ----------------------------------------------------------------------------------------------

    def _endpoint_event(self, name: str, ep: EndpointHost) -> None:
        self._emit(_EVENTS[name], {"endpoint": ep, "endpointId": ep.trace_id, "mode": ep.mode,
                                   "direction": ep.direction})

    @js_method("add")
    def _js_add(self, parameters: Any = UNDEFINED) -> Any:
        from ..call import Call

        opts = to_py(parameters) if parameters is not UNDEFINED else None
        if not isinstance(opts, Mapping) or not isinstance(opts.get("call"), Call):
            raise JSTypeError("Conference.add: parameters must be an object with a call ({call, mode, direction})")
        if self.stopped:
            raise JSTypeError("Conference.add: the conference is stopped")
        if len(self.endpoints) >= MAX_ENDPOINTS:
            raise JSTypeError(f"Conference.add: at most {MAX_ENDPOINTS} endpoints")
        call: Call = opts["call"]
        mode = _choice(opts.get("mode"), ("MIX", "FORWARD"), "MIX", "mode")
        direction = _choice(opts.get("direction"), ("BOTH", "SEND", "RECEIVE"), "BOTH", "direction")
        name = opts.get("displayName")
        ep = EndpointHost(self, call, mode, direction, "" if name is None else str(name))
        self.endpoints[ep.trace_id] = ep
        if direction in ("BOTH", "SEND"):
            call.send_media_to(self, UNDEFINED)
        if direction in ("BOTH", "RECEIVE"):
            self.send_media_to(call)
        for event in ("Call.Disconnected", "Call.Failed"):
            call.events.on(event, lambda _e: self.remove(ep))
        self._endpoint_event("EndpointAdded", ep)
        return ep

    def remove(self, ep: EndpointHost) -> None:
        """Take ``ep`` out of the mix (its call ended, or the conference stopped)."""
        if self.endpoints.pop(ep.trace_id, None) is None:
            return
        try:
            self.media_unit.forget(self.layer.unit_of(ep.call))
        except JSTypeError:
            pass
        self._endpoint_event("EndpointRemoved", ep)

    @js_method("get")
    def _js_get(self, ident: Any = UNDEFINED) -> Any:
        return self.endpoints.get(str(to_py(ident)), UNDEFINED)

    @js_method("getList")
    def _js_get_list(self) -> Any:
        return self.session.to_js(list(self.endpoints.values()))

    @js_method("stop")
    def _js_stop(self) -> Any:
        if not self.stopped:
            for ep in list(self.endpoints.values()):
                self.remove(ep)
            self.stopped = True
            self.media_unit.close()
            self._emit(_EVENTS["Stopped"], {})
        return UNDEFINED


def install(session: Session) -> None:
    """``require(Modules.Conference)``: adds ``VoxEngine.createConference`` (and ``destroyConference``)."""
    from ..voxengine import extend

    if "media" not in session.extensions:
        session.warn("Modules.Conference needs the media layer, which is not installed", source="require")
        return

    def create(parameters: Any = UNDEFINED) -> Any:
        opts = to_py(parameters) if parameters is not UNDEFINED else None
        hd = bool(opts.get("hd_audio")) if isinstance(opts, Mapping) else False
        conf = ConferenceHost(session, hd)
        session.loop.call_soon(lambda: session.run_js(conf.start, where="Conference.Started"))
        return conf

    def destroy(conference: Any = UNDEFINED) -> Any:
        conf = to_py(conference)
        if isinstance(conf, ConferenceHost):
            conf._js_stop()
        return UNDEFINED

    from ..globals import trap_missing_members

    trap_missing_members(session, ConferenceHost)
    trap_missing_members(session, EndpointHost)
    extend(session, "createConference", create, 1)
    extend(session, "destroyConference", destroy, 1)
