"""The JS side of media: ``call.media`` for each Call, and the Player/Recorder/ASR host objects.

``MediaLayer`` (``session.extensions["media"]``) owns the session's media graph. ``attach_call(call)`` gives the
object the Call delegates ``say``/``startPlayback``/``stopPlayback``/``playProgressTone``/``record``/``stopRecording``/
``sendMediaTo``/``stopMediaTo`` to (JS values in). The far end of each call is a simulated party whose script is read
from the network description (``Caller.extra`` / ``Callee.extra`` key ``speak``, a list of ``{at, say|play|tone|
silence|digits}``), started when the call connects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import HostObject, js_method, to_py
from voxsim.engine.operations import to_string
from voxsim.engine.values import UNDEFINED

from . import asr as A
from . import callmedia as CM
from . import players as P
from .media_map import MediaMap
from .recorder import RECORD_STARTED, RECORD_STOPPED, RECORDER_STARTED, RECORDER_STOPPED, Recorder
from .speakers import ScriptError, SimulatedParty
from .units import MediaError, MediaGraph, MediaUnit
from .wsmedia import WebSocketMedia

__all__ = ["MediaLayer", "CallMediaHost", "JSMediaSource", "PlayerHost", "RecorderHost", "ASRHost", "voice_name",
           "trace_player"]

log = logging.getLogger("voxsim.media.host")


def _py(value: Any) -> Any:
    return None if value is UNDEFINED else to_py(value)


def _text(value: Any) -> str:
    return "" if value is UNDEFINED else str(to_py(to_string(value)))


def _loop_flag(params: Any) -> bool:
    """``startPlayback(url, true)`` (legacy) or ``{loop: true}``."""
    if isinstance(params, bool):
        return params
    return bool(params.get("loop")) if isinstance(params, Mapping) else False


def voice_name(value: Any) -> str | None:
    """A voice argument (``VoiceList``/``Language`` object, string, ``{voice}``/``{language}`` params) → a name for
    ``tts.resolve_voice``: ``fr-FR_FEMALE``, ``en_US_Standard_A``, …"""
    if value is None or value is UNDEFINED:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "voice" in value or ("language" in value and "provider" not in value):
            return voice_name(value.get("voice") or value.get("language"))
        language, name = value.get("language"), str(value.get("name") or "")
        gender = "_FEMALE" if "FEMALE" in name.upper() else "_MALE" if "MALE" in name.upper() else ""
        if language:
            return f"{language}{gender}"
        return name or None
    return None


def trace_player(session: Any, player: P.Player, kind: str, text: str | None = None) -> None:
    """Record the player's audio as a ``media`` span (start at its first frame, stop at its end) in the trace."""
    trace = session.trace

    def on(name: str, payload: dict[str, Any]) -> None:
        target = {"target": player.outputs[0].name} if player.outputs else {}
        if name == P.STARTED:
            fields = {"text": text} if text else {}
            trace.record("media", action="start", source=player.name, kind=kind, **target, **fields)
        elif name in (P.PLAYBACK_FINISHED, P.STOPPED) and player.position > 0:
            trace.record("media", action="stop", source=player.name, **target,
                         reason="end" if name == P.PLAYBACK_FINISHED else player.stop_reason)

    player.listen(on)


class JSMediaSource:
    """``sendMediaTo`` / ``stopMediaTo`` from JS, for a host object whose Python ``send_media_to`` /
    ``stop_media_to`` route its audio (players, the Cartesia objects, conferences): one copy of the conversion."""

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        raise NotImplementedError

    def stop_media_to(self, unit: Any) -> None:
        raise NotImplementedError

    @js_method("sendMediaTo")
    def _js_send_media_to(self, unit: Any = UNDEFINED, parameters: Any = UNDEFINED) -> Any:
        self.send_media_to(to_py(unit), parameters)
        return UNDEFINED

    @js_method("stopMediaTo")
    def _js_stop_media_to(self, unit: Any = UNDEFINED) -> Any:
        self.stop_media_to(to_py(unit))
        return UNDEFINED


class _EventHost(HostObject):
    """A host object with an Emitter and add/removeEventListener (players, recorders, ASR)."""

    payload_key = "unit"

    def __init__(self, layer: MediaLayer, kind: str) -> None:
        from ..emitter import Emitter

        self.layer = layer
        self.session = layer.session
        self.trace_id: str = layer.session.new_id(kind)
        self.events = Emitter(layer.session, self.trace_id, this=self)

    def _emit(self, name: str, payload: Mapping[str, Any]) -> None:
        self.events.emit(name, {self.payload_key: self, **payload})

    @js_method("id")
    def _js_id(self) -> Any:
        return self.trace_id

    @js_method("addEventListener")
    def _js_add_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from ..call import add_event_listener

        add_event_listener(self.session, self.events, event, callback, f"{self.js_class.lower()}.addEventListener",
                           type_error=f"{self.js_class}.addEventListener")
        return UNDEFINED

    @js_method("removeEventListener")
    def _js_remove_event_listener(self, event: Any = UNDEFINED, callback: Any = UNDEFINED) -> Any:
        from ..call import remove_event_listener

        remove_event_listener(self.events, event, callback)
        return UNDEFINED


class PlayerHost(JSMediaSource, _EventHost):
    """JS ``Player`` / ``SequencePlayer``."""

    js_class = "Player"
    payload_key = "player"

    def __init__(self, layer: MediaLayer, player: P.Player, sequence: bool = False, kind: str = "tts",
                 text: str | None = None) -> None:
        super().__init__(layer, "player")
        self.player = player
        self.media_unit: MediaUnit = player
        self.sequence = sequence
        self.kind = kind
        player.name = self.trace_id
        player.listen(self._event)
        trace_player(layer.session, player, kind, text)

    def _event(self, name: str, payload: dict[str, Any]) -> None:
        if self.sequence:
            name = "SequencePlayer." + name.split(".", 1)[1]
        self._emit(name, payload)

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        """Route this player's audio to ``unit`` (replacing what it heard)."""
        self.layer.connect(self.player, unit, parameters)

    def stop_media_to(self, unit: Any) -> None:
        """Stop routing to ``unit``."""
        self.player.stop_media_to(self.layer.unit_of(unit))

    @js_method("pause")
    def _js_pause(self) -> Any:
        self.player.pause()
        return UNDEFINED

    @js_method("resume")
    def _js_resume(self) -> Any:
        self.player.resume()
        return UNDEFINED

    @js_method("stop")
    def _js_stop(self) -> Any:
        self.player.stop()
        return UNDEFINED

    @js_method("addMarker")
    def _js_add_marker(self, offset: Any = UNDEFINED) -> Any:
        value = _py(offset)
        if not isinstance(value, (int, float)):
            raise JSTypeError("player.addMarker: expected an offset in milliseconds")
        self.player.add_marker(float(value))
        return UNDEFINED


class RecorderHost(_EventHost):
    """JS ``Recorder`` (``VoxEngine.createRecorder``)."""

    js_class = "Recorder"
    payload_key = "recorder"

    def __init__(self, layer: MediaLayer, params: Mapping[str, Any]) -> None:
        super().__init__(layer, "recorder")
        path = layer.record_dir / f"{self.trace_id}.wav"
        self.recorder = Recorder(layer.graph, path, 16000 if params.get("hd_audio") else 8000, name=self.trace_id)
        self.media_unit: MediaUnit = self.recorder
        self.recorder.listen(lambda name, payload: self._emit(name, payload))
        layer.live.append(self.recorder.stop)

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        """A recorder sends nothing."""

    def stop_media_to(self, unit: Any) -> None:
        """A recorder sends nothing."""

    @js_method("stop")
    def _js_stop(self) -> Any:
        self.recorder.stop()
        return UNDEFINED


class ASRHost(_EventHost):
    """JS ``ASR`` (``VoxEngine.createASR``)."""

    js_class = "ASR"
    payload_key = "asr"

    def __init__(self, layer: MediaLayer, params: Mapping[str, Any]) -> None:
        super().__init__(layer, "asr")
        profile = params.get("profile")
        language = str(params.get("language") or (profile.get("language") if isinstance(profile, Mapping) else
                                                  profile if isinstance(profile, str) else "") or "en-US")
        hints = params.get("phraseHints") or []
        self.asr = A.ASRUnit(layer.graph, language, interim_results=bool(params.get("interimResults")),
                             single_utterance=bool(params.get("singleUtterance")),
                             phrase_hints=[str(h) for h in hints] if isinstance(hints, list) else [],
                             name=self.trace_id)
        self.media_unit: MediaUnit = self.asr
        self.asr.listen(lambda name, payload: self._emit(name, payload))
        layer.live.append(self.asr.stop)

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        """ASR sends nothing."""

    def stop_media_to(self, unit: Any) -> None:
        """ASR sends nothing."""

    @js_method("language")
    def _js_language(self) -> Any:
        return self.asr.language

    @js_method("dictionary")
    def _js_dictionary(self) -> Any:
        return self.session.to_js(list(self.asr.phrase_hints))

    @js_method("stop")
    def _js_stop(self) -> Any:
        self.asr.stop()
        return UNDEFINED


class CallMediaHost:
    """``call.media``: what a Call's media members do."""

    def __init__(self, layer: MediaLayer, call: Any) -> None:
        self.layer = layer
        self.call = call
        wire = "mulaw_8000" if getattr(call, "client_type", "pstn") == "pstn" else None
        self.unit = CM.CallMedia(layer.graph, None, 8000, name=call.trace_id, record_dir=layer.record_dir, wire=wire)
        self.party = SimulatedParty(layer.graph.clock, 8000, name=f"{call.trace_id}-remote")
        self.unit.listen(self._unit_event)
        self.party.on_speech.append(self._party_speech)
        self.party.on_hangup.append(self._party_hangup)
        self.remote: CM.RemoteEnd | None = None
        events = call.events
        events.on("Call.Connected", lambda payload: self._connected())
        events.on("Call.AudioStarted", lambda payload: self._media_up())  # outbound early media
        events.on("Call.StateChanged", self._state_changed)
        events.on("Call.Disconnected", lambda payload: layer.graph.clock.call_soon(self._ended))
        events.on("Call.Failed", lambda payload: layer.graph.clock.call_soon(self._ended))
        layer.live.append(self._ended)

    @property
    def media_unit(self) -> MediaUnit:
        """The call's media unit."""
        return self.unit

    def _script(self) -> list[Mapping[str, Any]]:
        far = getattr(self.call, "caller", None) or getattr(self.call, "callee", None)
        extra = getattr(far, "extra", None) or {}
        script = extra.get("speak") or extra.get("say") or []
        if isinstance(script, str):
            script = [{"at": 0.5, "say": script}]
        return list(script) if isinstance(script, list) else []

    def attach_remote(self, remote: CM.RemoteEnd) -> None:
        """Make ``remote`` (e.g. an ``rtc.RtcRemote`` for the softphone) this call's far end instead of the simulated
        party; takes effect at once if the call is connected, else when it connects."""
        self.remote = remote
        if self.unit.active:
            self.unit.start(remote)

    def _state_changed(self, payload: Mapping[str, Any]) -> None:
        # inbound startEarlyMedia(): ALERTING -> PROGRESSING; say()/startPlayback() reach the caller from then on
        if payload.get("newState") == "PROGRESSING" and getattr(self.call, "is_incoming", False):
            self._media_up()

    def _media_up(self) -> None:
        if not self.unit.active and not self.unit.closed:
            self.unit.start(self.remote if self.remote is not None else self.party)

    def _connected(self) -> None:
        if self.remote is not None:
            self.unit.start(self.remote)
            return
        self.unit.start(self.party)
        try:
            self.party.run_script(self._script(), subscribe=self._once)
        except (ScriptError, TypeError, ValueError) as exc:
            self.layer.session.warn(f"{self.call.trace_id}: far-end script ignored: {exc}", target=self.call.trace_id)
        far = getattr(self.call, "caller", None) or getattr(self.call, "callee", None)
        steps = (getattr(far, "extra", None) or {}).get("script")
        if steps:  # a caller script (runtime/callers.py): steps in turn with the scenario
            from ..callers import start_script

            start_script(self.layer.session, self.call, self.party, steps)

    def _once(self, event: str, callback: Any) -> None:
        """Call ``callback()`` the first time the call fires ``event`` (``PlaybackFinished`` or ``Call.…``)."""
        name = event if "." in event else f"Call.{event}"
        fired = [False]

        def on(payload: Any) -> None:
            if not fired[0]:
                fired[0] = True
                callback()

        self.call.events.on(name, on)

    def _party_hangup(self) -> None:
        hangup = getattr(self.call, "remote_hangup", None)
        if hangup is not None:
            hangup()

    def _party_speech(self, action: str, text: str) -> None:
        target = {"target": self.unit.outputs[0].name} if self.unit.outputs else {}
        fields = {"kind": "speech", "text": text} if action == "start" else {"reason": "end"}
        self.layer.session.trace.record("media", action=action, source=self.call.trace_id, **target, **fields)

    def _ended(self) -> None:
        if not self.unit.closed:
            self.unit.end()

    def _fire(self, name: str, payload: Mapping[str, Any]) -> None:
        self.call.emit(name, dict(payload))

    def _unit_event(self, name: str, payload: dict[str, Any]) -> None:
        if name == CM.TONE_RECEIVED:
            self.call.receive_tone(str(payload["tone"]), 2)
            return
        if name in (RECORD_STARTED, RECORD_STOPPED, CM.PLAYBACK_READY, CM.PLAYBACK_STARTED, CM.PLAYBACK_FINISHED):
            self._fire(name, payload)

    # --- Call members (JS values in) -------------------------------------------------------------------------------

    def say(self, text: Any = UNDEFINED, parameters: Any = UNDEFINED) -> None:
        spoken = _text(text)
        player = self.unit.say(spoken, voice_name(_py(parameters)))
        player.name = self.layer.session.new_id("player")
        trace_player(self.layer.session, player, "tts", spoken)

    def start_playback(self, url: Any = UNDEFINED, parameters: Any = UNDEFINED) -> None:
        params = _py(parameters)
        loop = _loop_flag(params)
        base = self.layer.session.options.settings.get("media_dir")
        player = self.unit.start_playback(_text(url), loop, Path(base) if base else None, **self.layer.url_media())
        player.name = self.layer.session.new_id("player")
        trace_player(self.layer.session, player, "playback")

    def stop_playback(self) -> None:
        self.unit.stop_playback()

    def play_progress_tone(self, country: Any = UNDEFINED) -> None:
        player = self.unit.play_progress_tone(_text(country) or "US")
        player.name = self.layer.session.new_id("player")
        trace_player(self.layer.session, player, "tone")

    def record(self, parameters: Any = UNDEFINED) -> None:
        params = _py(parameters)
        stereo = bool(params.get("stereo")) if isinstance(params, Mapping) else False
        self.unit.record(stereo=stereo)

    def stop_recording(self) -> None:
        self.unit.stop_record()

    def send_media_to(self, unit: Any, parameters: Any = UNDEFINED) -> None:
        self.layer.connect(self.unit, unit, parameters)

    def stop_media_to(self, unit: Any) -> None:
        self.unit.stop_media_to(self.layer.unit_of(unit))

    def send_digits(self, digits: str) -> None:
        """Hook of ``call.sendDigits`` (Python str): inband DTMF to the far end."""
        self.unit.send_digits(digits)

    def handle_tones(self, on: bool) -> None:
        """Hook of ``call.handleTones``: run the inband detector on the incoming audio."""
        self.unit.handle_tones(on)


class MediaLayer:
    """The session's media: graph, recordings folder, and the JS factories."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.graph = MediaGraph(session.clock)
        self.graph.on_error = lambda exc: session.internal_error(exc, where="media tick")
        self.record_dir = Path(session.options.settings.get("recordings_dir") or "recordings")
        self.live: list[Any] = []
        self._sockets: dict[int, tuple[Any, WebSocketMedia]] = {}
        self._media_map: MediaMap | None = None
        self._warned: set[str] = set()
        session.add_closer(self.close)

    def url_media(self) -> dict[str, Any]:
        """``media_map``/``warn`` for URL players: the session's map (settings ``media_map``, ``media_dir``,
        ``strict_media``; built once) and a trace warning per stand-in URL (once per URL per session)."""
        if self._media_map is None:
            self._media_map = MediaMap.from_settings(self.session.options.settings)
        return {"media_map": self._media_map, "warn": self._media_warning}

    def _media_warning(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.session.warn(message, where="media")

    def attach_call(self, call: Any) -> CallMediaHost:
        """The media object of a new Call (``call.media``)."""
        return CallMediaHost(self, call)

    def unit_of(self, obj: Any) -> MediaUnit:
        """The media unit behind a host object (a Call, Player, Recorder, ASR, WebSocket…)."""
        media = getattr(obj, "media", None)
        if isinstance(obj, HostObject) and isinstance(media, CallMediaHost):
            return media.unit
        unit = getattr(obj, "media_unit", None)
        if isinstance(unit, MediaUnit):
            return unit
        if isinstance(obj, HostObject) and getattr(obj, "js_class", "") == "WebSocket" and hasattr(obj, "link"):
            return self.websocket_unit(obj)
        raise JSTypeError(f"expected a media unit (call, player, recorder, ASR, WebSocket), got "
                          f"{type(obj).__name__ if obj is not None else 'undefined'}")

    def websocket_unit(self, ws: Any) -> WebSocketMedia:
        """The media unit of a runtime ``WebSocket`` (made on first use): media JSON out through ``ws.link.send``,
        incoming media messages fed from its Message events, MEDIA_STARTED/ENDED dispatched like its other events."""
        entry = self._sockets.get(id(ws))
        if entry is not None:
            return entry[1]
        unit = WebSocketMedia(self.graph, ws.link.send, name=ws.trace_id)
        self._sockets[id(ws)] = (ws, unit)
        ws.events.on("WebSocket.Message", lambda payload: unit.feed(str(payload.get("text", ""))))
        unit.listen(lambda name, payload: ws._sink(name, dict(payload)))
        self.live.append(unit.close)
        return unit

    def websocket_send_media_to(self, ws: Any, target: Any, parameters: Any = UNDEFINED) -> None:
        """``ws.sendMediaTo(unit)``: audio arriving on the socket plays into ``unit``."""
        self.connect(self.websocket_unit(ws), target, UNDEFINED)

    def websocket_stop_media_to(self, ws: Any, target: Any) -> None:
        """``ws.stopMediaTo(unit)``."""
        self.websocket_unit(ws).stop_media_to(self.unit_of(target))

    def websocket_clear_media_buffer(self, ws: Any, parameters: Any = UNDEFINED) -> None:
        """``ws.clearMediaBuffer({tag?})``: drop the queued incoming audio."""
        params = _py(parameters)
        tag = params.get("tag") if isinstance(params, Mapping) else None
        self.websocket_unit(ws).clear_media_buffer(str(tag) if tag is not None else None)

    def connect(self, source: MediaUnit, target: Any, parameters: Any = UNDEFINED) -> None:
        """``source.sendMediaTo(target, params)``; ``params`` ({encoding, tag, customParameters}) matter for sockets."""
        unit = self.unit_of(target)
        params = _py(parameters)
        configure = getattr(unit, "configure", None)
        if configure is not None and isinstance(params, Mapping):
            configure(params.get("encoding"), params.get("tag"), params.get("customParameters"))
        try:
            source.send_media_to(unit)
        except MediaError as exc:
            raise JSTypeError(f"sendMediaTo: {exc}") from None

    def close(self) -> None:
        """Session end: finalize recordings, stop players and ASR, stop the tick timer."""
        for stop in reversed(self.live):
            try:
                stop()
            except Exception:
                log.exception("media cleanup failed")
        self.live.clear()
        self.graph.stop()

    # --- VoxEngine factories (JS values in) ----------------------------------------------------------------------

    def create_tts_player(self, text: Any = UNDEFINED, parameters: Any = UNDEFINED) -> PlayerHost:
        params = _py(parameters) or {}
        voice = voice_name(params) if isinstance(params, Mapping) else voice_name(params)
        spoken = _text(text)
        player = P.create_tts_player(self.graph, spoken, voice)
        return self._player(player, "tts", text=spoken)

    def create_url_player(self, url: Any = UNDEFINED, parameters: Any = UNDEFINED) -> PlayerHost:
        params = _py(parameters)
        loop = _loop_flag(params)
        base = self.session.options.settings.get("media_dir")
        player = P.create_url_player(self.graph, _text(url), loop=loop, base_dir=Path(base) if base else None,
                                     **self.url_media())
        return self._player(player, "playback")

    def create_tone_script_player(self, script: Any = UNDEFINED, loop: Any = UNDEFINED) -> PlayerHost:
        kwargs = {"loop": bool(_py(loop))} if loop is not UNDEFINED else {}
        return self._player(P.create_tone_script_player(self.graph, _text(script), **kwargs), "tone")

    def create_sequence_player(self, parameters: Any = UNDEFINED) -> PlayerHost:
        params = _py(parameters) or {}
        segments = params.get("segments", []) if isinstance(params, Mapping) else params
        segments = segments if isinstance(segments, list) else []
        base = self.session.options.settings.get("media_dir")
        player = P.create_sequence_player(self.graph, [dict(s) for s in segments if isinstance(s, Mapping)],
                                          base_dir=Path(base) if base else None, **self.url_media())
        return self._player(player, "playback", sequence=True)

    def create_recorder(self, parameters: Any = UNDEFINED) -> RecorderHost:
        params = _py(parameters)
        return RecorderHost(self, params if isinstance(params, Mapping) else {})

    def create_asr(self, parameters: Any = UNDEFINED) -> ASRHost:
        params = _py(parameters)
        return ASRHost(self, params if isinstance(params, Mapping) else {})

    def _player(self, player: P.Player, kind: str, sequence: bool = False, text: str | None = None) -> PlayerHost:
        host = PlayerHost(self, player, sequence, kind, text)
        self.live.append(player.stop)
        return host
