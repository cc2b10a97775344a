"""WebSocket media: VoxEngine's JSON framing (start / media / stop, base64 payload) in both directions.

``WebSocketMedia`` is the media unit behind a VoxEngine WebSocket. Audio sent to it (``call.sendMediaTo(ws, {encoding,
tag, customParameters})``) leaves as one ``start`` frame, then a ``media`` frame per 20 ms, then ``stop`` when the
source goes away; audio arriving in the same format is queued and played one frame per tick to whatever the socket
sends media to. ``MEDIA_STARTED`` fires on the first incoming ``start``/``media``, ``MEDIA_ENDED`` after 1 s without
incoming audio (or on ``stop``); ``clearMediaBuffer({tag})`` and an incoming ``{"event": "clear"}`` drop queued audio.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from .formats import AudioFormat, FormatError, b64_decode, b64_encode, decode, encode, websocket_format
from .frames import Frame, FrameQueue, split_frames
from .units import MediaGraph, MediaUnit

__all__ = ["WebSocketMedia", "MEDIA_STARTED", "MEDIA_ENDED", "encoding_name", "parse_incoming_format"]

log = logging.getLogger("voxsim.media.ws")

MEDIA_STARTED = "WebSocket.MediaEventStarted"
MEDIA_ENDED = "WebSocket.MediaEventEnded"
_SILENCE_ENDS = 50  # ticks (1 s)

_INCOMING_NAMES: dict[str, AudioFormat] = {
    "ulaw": AudioFormat("mulaw", 8000),
    "mulaw": AudioFormat("mulaw", 8000),
    "audio/x-mulaw": AudioFormat("mulaw", 8000),
    "pcmu": AudioFormat("mulaw", 8000),
    "alaw": AudioFormat("alaw", 8000),
    "audio/x-alaw": AudioFormat("alaw", 8000),
    "pcma": AudioFormat("alaw", 8000),
}


def encoding_name(fmt: AudioFormat) -> str:
    """The ``WebSocketAudioEncoding`` value for a format (``PCM8``, ``PCM16``, ``ULAW``, ``ALAW``)."""
    if fmt.encoding == "mulaw":
        return "ULAW"
    if fmt.encoding == "alaw":
        return "ALAW"
    return "PCM16" if fmt.sample_rate == 16000 else "PCM8" if fmt.sample_rate == 8000 else f"PCM{fmt.sample_rate}"


def parse_incoming_format(media_format: Mapping[str, Any] | None) -> AudioFormat:
    """The format of an incoming ``start`` frame's ``mediaFormat`` (defaults: PCM8)."""
    if not media_format:
        return websocket_format(None)
    name = str(media_format.get("encoding") or "PCM8")
    rate = media_format.get("sampleRate")
    fmt = _INCOMING_NAMES.get(name.lower())
    if fmt is None:
        try:
            fmt = websocket_format(name)
        except FormatError:
            if name.lower() in ("pcm", "linear16", "l16", "audio/l16", "pcm_s16le") and rate:
                return AudioFormat("pcm_s16le", int(rate))
            raise
    if rate and fmt.encoding == "pcm_s16le" and int(rate) != fmt.sample_rate:
        fmt = AudioFormat("pcm_s16le", int(rate))
    return fmt


class WebSocketMedia(MediaUnit):
    """The media side of one WebSocket; ``send_text`` transmits a text frame, ``listen`` gets MEDIA_* events."""

    kind = "websocket"

    def __init__(self, graph: MediaGraph, send_text: Callable[[str], object], name: str | None = None) -> None:
        super().__init__(graph, 8000, name)
        self.send_text = send_text
        self.out_format = websocket_format(None)
        self.out_tag: str | None = None
        self.custom_parameters: dict[str, Any] = {}
        self.in_format = websocket_format(None)
        self.incoming = FrameQueue()
        self._seq = 0
        self._chunk = 0
        self._out_bytes = 0
        self._streaming = False
        self._got_frame = False
        self._in_active = False
        self._in_tag: str | None = None
        self._in_silent = 0
        self._in_seconds = 0.0
        graph.watch(self)

    # --- outgoing: audio sent to the socket -------------------------------------------------------------------------

    def configure(self, encoding: str | None = None, tag: str | None = None,
                  custom_parameters: Mapping[str, Any] | None = None) -> None:
        """Apply ``SendMediaParameters`` (before or while streaming; a new format restarts the stream)."""
        fmt = websocket_format(encoding)
        if self._streaming and (fmt != self.out_format or tag != self.out_tag):
            self._stop_stream()
        self.out_format = fmt
        self.sample_rate = fmt.sample_rate
        self.out_tag = tag
        self.custom_parameters = dict(custom_parameters or {})

    def _send(self, message: dict[str, Any]) -> None:
        message["sequenceNumber"] = self._seq
        self._seq += 1
        self.send_text(json.dumps(message, separators=(",", ":")))

    def push(self, frame: Frame) -> None:
        self._got_frame = True
        if not self._streaming:
            self._streaming = True
            self._chunk = 0
            self._out_bytes = 0
            start: dict[str, Any] = {"mediaFormat": {"encoding": encoding_name(self.out_format),
                                                     "sampleRate": self.out_format.sample_rate},
                                     "customParameters": self.custom_parameters}
            if self.out_tag is not None:
                start["tag"] = self.out_tag
            self._send({"event": "start", "start": start})
        payload = encode(frame.pcm, self.out_format, frame.sample_rate)
        self._chunk += 1
        self._out_bytes += len(payload)
        media: dict[str, Any] = {"chunk": self._chunk, "timestamp": (self._chunk - 1) * 20,
                                 "payload": b64_encode(payload)}
        if self.out_tag is not None:
            media["tag"] = self.out_tag
        self._send({"event": "media", "media": media})

    def _stop_stream(self) -> None:
        if not self._streaming:
            return
        self._streaming = False
        info = {"duration": round(self._chunk * 0.02, 3), "size": self._out_bytes}
        stop: dict[str, Any] = {"mediaInfo": info}
        if self.out_tag is not None:
            stop["tag"] = self.out_tag
        self._send({"event": "stop", "stop": stop})

    # --- incoming: audio arriving on the socket -------------------------------------------------------------------

    def feed(self, text: str) -> bool:
        """Handle a received text frame; True when it was a media message (start/media/stop/clear)."""
        try:
            message = json.loads(text)
        except ValueError:
            return False
        if not isinstance(message, dict) or message.get("event") not in ("start", "media", "stop", "clear"):
            return False
        event = message["event"]
        if event == "start":
            start = message.get("start") or {}
            try:
                self.in_format = parse_incoming_format(start.get("mediaFormat"))
            except FormatError as exc:
                log.warning("websocket %s: %s", self.name, exc)
            self._in_tag = start.get("tag")
            self._media_started(start.get("customParameters"))
        elif event == "media":
            media = message.get("media") or {}
            try:
                pcm = decode(b64_decode(str(media.get("payload", ""))), self.in_format)
            except FormatError as exc:
                log.warning("websocket %s: dropped a media frame: %s", self.name, exc)
                return True
            self._media_started(None)
            tag = media.get("tag", self._in_tag)
            self.incoming.extend(split_frames(pcm, self.in_format.sample_rate, tag=tag))
            self._in_seconds += pcm.size / self.in_format.sample_rate
            self.changed()
        elif event == "stop":
            self._media_ended()
        else:
            self.clear_media_buffer((message.get("clear") or {}).get("tag") if isinstance(message.get("clear"), dict)
                                    else None)
        return True

    def _media_started(self, custom: Any) -> None:
        self._in_silent = 0
        if self._in_active:
            return
        self._in_active = True
        self._in_seconds = 0.0
        payload: dict[str, Any] = {"encoding": encoding_name(self.in_format)}
        if self._in_tag is not None:
            payload["tag"] = self._in_tag
        if custom:
            payload["customParameters"] = custom
        self.emit(MEDIA_STARTED, **payload)

    def _media_ended(self) -> None:
        if not self._in_active:
            return
        self._in_active = False
        payload: dict[str, Any] = {"mediaInfo": {"duration": round(self._in_seconds, 3)}}
        if self._in_tag is not None:
            payload["tag"] = self._in_tag
        self.emit(MEDIA_ENDED, **payload)

    def clear_media_buffer(self, tag: str | None = None) -> int:
        return self.incoming.clear(tag)

    @property
    def ticking(self) -> bool:
        return len(self.incoming) > 0

    def pull(self) -> Frame | None:
        frame = self.incoming.get()
        if frame is not None:
            self._in_silent = 0
        return frame

    def after_tick(self) -> None:
        if self._streaming and not self._got_frame and self.source is None:
            self._stop_stream()
        self._got_frame = False
        if self._in_active and not self.incoming:
            self._in_silent += 1
            if self._in_silent >= _SILENCE_ENDS:
                self._media_ended()

    def close(self) -> None:
        """Send ``stop`` for a running stream and leave the graph."""
        self._stop_stream()
        super().close()
