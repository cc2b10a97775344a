"""The Cartesia Line Calls API ("agents WebSocket") wire protocol: building, parsing and validating frames.

Both the client (``client.py``) and the local emulator (``voxsim.tools.agent``) speak through this module, so the two
cannot drift apart. Facts and their confidence are in ../shared/reference/cartesia-protocol.md (sections 1-4); the
choices voxsim makes where Cartesia is silent are in docs/cartesia.md.

voxsim extension: a ``media_input`` / ``media_output`` frame may carry ``"voxsim": {"text": "..."}`` — the transcript
of simulated speech that starts in that frame. The real service ignores unknown fields; the client only adds it when it
talks to the local emulator.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from voxsim.runtime.media.formats import AudioFormat, parse_format

__all__ = [
    "INPUT_FORMATS",
    "DEFAULT_VERSION",
    "DTMF_DIGITS",
    "CLOSE_NORMAL",
    "CLOSE_POLICY",
    "REASON_AGENT_ENDED",
    "REASON_IDLE",
    "REASON_SESSION_COMPLETED",
    "CLIENT_EVENTS",
    "SERVER_EVENTS",
    "ProtocolError",
    "Message",
    "AudioFormat",
    "audio_format",
    "parse_message",
    "encode",
    "start",
    "media_input",
    "dtmf",
    "custom",
    "ack",
    "media_output",
    "media_prefix",
    "media_text",
    "clear",
    "transfer_call",
    "new_stream_id",
]

DEFAULT_VERSION = "2025-04-16"
DTMF_DIGITS = frozenset("0123456789*#")

CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008  # voxsim's choice for protocol violations (Cartesia does not document one)
REASON_AGENT_ENDED = "call ended by agent"
REASON_IDLE = "connection idle timeout"
REASON_SESSION_COMPLETED = "session completed"

CLIENT_EVENTS = frozenset({"start", "media_input", "dtmf", "custom"})
SERVER_EVENTS = frozenset({"ack", "media_output", "clear", "dtmf", "custom", "transfer_call"})


class ProtocolError(ValueError):
    """A frame that is not valid Calls API JSON; the message says what was expected."""


INPUT_FORMATS: dict[str, AudioFormat] = {
    name: parse_format(name) for name in ("mulaw_8000", "pcm_16000", "pcm_24000", "pcm_44100")
}


def audio_format(name: str) -> AudioFormat:
    """The format called ``name``; ProtocolError for anything Cartesia does not document."""
    try:
        return INPUT_FORMATS[name]
    except (KeyError, TypeError):
        raise ProtocolError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, got {name!r}") from None


@dataclass(slots=True)
class Message:
    """A parsed frame: its ``event`` name, the raw JSON object, and decoded audio / transcript for media frames."""

    event: str
    raw: dict[str, Any]
    audio: bytes = b""
    text: str | None = None
    known: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stream_id(self) -> str | None:
        value = self.raw.get("stream_id")
        return value if isinstance(value, str) else None


def encode(message: dict[str, Any]) -> str:
    """Serialise a frame compactly (the wire carries JSON text frames only).

    Media frames (50 a second each way) take a direct path that gives the same text as ``json.dumps``."""
    if len(message) == 3 and message.get("event") in _MEDIA_EVENTS:
        media = message.get("media")
        stream_id = message.get("stream_id")
        if type(media) is dict and len(media) == 1 and type(stream_id) is str:
            payload = media.get("payload")
            if type(payload) is str and payload.isprintable() and '"' not in payload and "\\" not in payload:
                return (f'{{"event":"{message["event"]}","stream_id":{_json_str(stream_id)},'
                        f'"media":{{"payload":"{payload}"}}}}')
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


_MEDIA_EVENTS = frozenset({"media_input", "media_output"})
_json_str = json.encoder.encode_basestring  # a JSON string literal as json.dumps(ensure_ascii=False) writes it
# A media frame exactly as ``encode`` writes it (the payload is checked by the base64 decoder in strict mode); anything
# else (extra fields, escapes, other spacing) goes through json.
_MEDIA_HEAD = re.compile(r'\{"event":"(media_input|media_output)","stream_id":"([A-Za-z0-9_.:-]*)","media":\{"payload":"')


def new_stream_id(random_bytes: bytes) -> str:
    """A server-style stream id, ``sid_<hex>``; the caller supplies the randomness so ids can be deterministic."""
    return "sid_" + random_bytes.hex()


def _require(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ProtocolError(f"{what}: expected {key!r} to be {_type_name(kind)}, got {type(value).__name__}")
    return value


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", dict: "an object", bool: "a boolean"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _media(obj: dict[str, Any], event: str) -> tuple[bytes, str | None]:
    media = _require(obj, "media", dict, event)
    payload = _require(media, "payload", str, f"{event}.media")
    try:
        audio = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"{event}.media.payload is not standard base64: {exc}") from None
    ext = obj.get("voxsim")
    text = ext.get("text") if isinstance(ext, dict) and isinstance(ext.get("text"), str) else None
    return audio, text


def _parse_int(digits: str) -> int | float:
    # JSON numbers are doubles in JS: an integer beyond the double range is Infinity there, never a Python bigint
    # that fails to convert on its way into a scenario.
    value = int(digits)
    return value if abs(value) < 2**1023 else float(digits)


def parse_message(frame: str | bytes, *, side: str = "server") -> Message:
    """Parse one text frame sent by ``side`` ("server" or "client").

    Unknown events (and error frames keyed ``type``) parse to ``known=False`` rather than failing: the robustness rule
    is "dispatch on event, fall back to type, ignore unknown". Malformed known events raise ProtocolError.
    """
    if isinstance(frame, bytes | bytearray):
        try:
            frame = bytes(frame).decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("frame is not UTF-8 text") from None
    fast = _MEDIA_HEAD.match(frame)
    if fast is not None and frame.endswith('"}}'):  # the common case, without json: the same Message as below
        event, stream_id = fast.groups()
        payload = frame[fast.end():-3]
        if event in (SERVER_EVENTS if side == "server" else CLIENT_EVENTS):
            try:  # strict base64 has no quote or backslash: a payload that decodes is the whole JSON string as is
                audio = binascii.a2b_base64(payload, strict_mode=True)
            except ValueError:  # binascii.Error, a non-ASCII payload, escapes, more fields: json decides
                pass
            else:
                return Message(event, {"event": event, "stream_id": stream_id, "media": {"payload": payload}}, audio=audio)
    try:
        obj = json.loads(frame, parse_int=_parse_int)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(f"frame is not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError(f"frame must be a JSON object, got {type(obj).__name__}")
    event = obj.get("event", obj.get("type"))
    if not isinstance(event, str):
        raise ProtocolError("frame has no string 'event' (or 'type') field")
    known = (SERVER_EVENTS if side == "server" else CLIENT_EVENTS) if "event" in obj else frozenset()
    if event not in known:
        return Message(event, obj, known=False)
    if event in ("media_input", "media_output"):
        audio, text = _media(obj, event)
        return Message(event, obj, audio=audio, text=text)
    if event == "start":
        _validate_start(obj)
    elif event == "ack":
        _require(obj, "stream_id", str, "ack")
        config = obj.get("config")
        if config is not None and not isinstance(config, dict):
            raise ProtocolError("ack: expected 'config' to be an object")
    elif event == "dtmf":
        digit = _require(obj, "dtmf", str, "dtmf")
        if digit not in DTMF_DIGITS:
            raise ProtocolError(f"dtmf: expected one digit of 0-9 * #, got {digit!r}")
    elif event == "custom":
        _require(obj, "metadata", dict, "custom")
    elif event == "transfer_call":
        transfer = _require(obj, "transfer", dict, "transfer_call")
        _require(transfer, "target_phone_number", str, "transfer_call.transfer")
    return Message(event, obj)


def _validate_start(obj: dict[str, Any]) -> None:
    for key in ("stream_id",):
        if key in obj and not isinstance(obj[key], str):
            raise ProtocolError(f"start: expected {key!r} to be a string")
    for key in ("config", "metadata", "agent"):
        if key in obj and not isinstance(obj[key], dict):
            raise ProtocolError(f"start: expected {key!r} to be an object, got {type(obj[key]).__name__}")
    config = obj.get("config") or {}
    if "input_format" in config:
        audio_format(config["input_format"])


# -- builders ---------------------------------------------------------------------------------------------------------


def start(
    input_format: str,
    *,
    stream_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    agent: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The first client frame. ``config`` holds extra keys (``voice_id``…); ``input_format`` always wins."""
    audio_format(input_format)
    message: dict[str, Any] = {"event": "start"}
    if stream_id is not None:
        message["stream_id"] = stream_id
    message["config"] = {**(config or {}), "input_format": input_format}
    if agent is not None:
        message["agent"] = agent
    if metadata is not None:
        message["metadata"] = metadata
    return message


def _media_frame(event: str, stream_id: str, audio: bytes, text: str | None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "event": event,
        "stream_id": stream_id,
        "media": {"payload": base64.b64encode(audio).decode("ascii")},
    }
    if text is not None:
        message["voxsim"] = {"text": text}
    return message


def media_input(stream_id: str, audio: bytes, text: str | None = None) -> dict[str, Any]:
    """Caller audio in the stream's input format; ``text`` is the voxsim transcript extension."""
    return _media_frame("media_input", stream_id, audio, text)


def media_output(stream_id: str, audio: bytes, text: str | None = None) -> dict[str, Any]:
    """Agent audio, in the same format as the stream's input."""
    return _media_frame("media_output", stream_id, audio, text)


def media_prefix(event: str, stream_id: str) -> str:
    """The constant head of a stream's media frames, up to the payload's opening quote (cached once per stream).

    ``media_text(media_prefix(e, s), audio)`` is the text ``encode`` gives for ``_media_frame(e, s, audio, None)``.
    """
    if event not in _MEDIA_EVENTS:
        raise ValueError(f"not a media event: {event!r}")
    return f'{{"event":"{event}","stream_id":{_json_str(stream_id)},"media":{{"payload":"'


def media_text(prefix: str, audio: bytes) -> str:
    """One media frame's JSON text from its stream's ``media_prefix``: the per-frame work is base64 and one join
    (base64 never needs escaping, so no check is needed either)."""
    return prefix + binascii.b2a_base64(audio, newline=False).decode("ascii") + '"}}'


def dtmf(stream_id: str, digit: str) -> dict[str, Any]:
    """One DTMF digit, either direction."""
    if not isinstance(digit, str) or digit not in DTMF_DIGITS:
        raise ProtocolError(f"dtmf: expected one digit of 0-9 * #, got {digit!r}")
    return {"event": "dtmf", "stream_id": stream_id, "dtmf": digit}


def custom(stream_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Custom key/values, either direction."""
    if not isinstance(metadata, dict):
        raise ProtocolError(f"custom: expected 'metadata' to be an object, got {type(metadata).__name__}")
    return {"event": "custom", "stream_id": stream_id, "metadata": metadata}


def ack(stream_id: str, config: dict[str, Any], agent: dict[str, Any] | None = None) -> dict[str, Any]:
    """The server's reply to ``start``: the stream id in use and the resolved config."""
    message: dict[str, Any] = {"event": "ack", "stream_id": stream_id, "config": config}
    if agent:
        message["agent"] = agent
    return message


def clear(stream_id: str) -> dict[str, Any]:
    """The agent interrupts itself: the client drops queued agent audio."""
    return {"event": "clear", "stream_id": stream_id}


def transfer_call(stream_id: str, target_phone_number: str) -> dict[str, Any]:
    """The agent asks the telephony side to transfer the call (field shape from third-party clients)."""
    return {"event": "transfer_call", "stream_id": stream_id, "transfer": {"target_phone_number": target_phone_number}}
