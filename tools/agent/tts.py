"""The emulator's Cartesia TTS WebSocket (``/tts/websocket``): the subset ``Cartesia.createRealtimeTTSPlayer`` needs.

Generation requests ``{context_id, transcript, output_format: {container: "raw", encoding, sample_rate}, continue}``
are answered with ``{"type": "chunk", "data": <b64>, "context_id", "done": false}`` frames (100 ms each, as available)
and ``{"type": "done", "done": true}`` once a request with ``continue: false`` has been spoken. ``{context_id,
cancel: true}`` stops a context; an unknown context answers ``{"type": "error", "error": "Invalid context ID"}``, as
observed on the real service. Audio is espeak-ng; each context's first chunk carries ``voxsim.text``.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import WSMsgType, web

from voxsim.runtime.media.formats import AudioFormat, b64_encode, encode
from voxsim.runtime.media.tts import TTSError, synthesize

__all__ = ["tts_websocket", "serve_tts", "ENCODINGS"]

ENCODINGS = {"pcm_s16le": "pcm_s16le", "pcm_mulaw": "mulaw", "pcm_alaw": "alaw"}


def _output_format(raw: Any) -> AudioFormat:
    if not isinstance(raw, dict):
        raise ValueError("output_format must be an object")
    encoding = ENCODINGS.get(raw.get("encoding", "pcm_s16le"))
    rate = raw.get("sample_rate", 16000)
    if encoding is None or not isinstance(rate, int):
        raise ValueError(f"unsupported output_format {raw!r}: encoding one of {sorted(ENCODINGS)}, integer sample_rate")
    return AudioFormat(encoding, rate)  # type: ignore[arg-type]


async def tts_websocket(request: web.Request) -> web.WebSocketResponse:
    """Serve one TTS WebSocket connection."""
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await serve_tts(ws)
    return ws


async def serve_tts(ws: Any) -> None:
    """The TTS conversation on an open WebSocket (aiohttp's, or the in-process one)."""
    contexts: dict[str, bool] = {}  # context_id → text seen yet
    async for msg in ws:
        if msg.type != WSMsgType.TEXT:
            continue
        try:
            req = json.loads(msg.data)
            if not isinstance(req, dict):
                raise ValueError("a request must be a JSON object")
        except ValueError as exc:
            await ws.send_json({"type": "error", "error": f"invalid request: {exc}", "done": True})
            continue
        context_id = str(req.get("context_id", ""))
        if req.get("cancel"):
            if context_id not in contexts:
                await ws.send_json({"type": "error", "context_id": context_id, "error": "Invalid context ID", "done": True})
            contexts.pop(context_id, None)
            continue
        try:
            fmt = _output_format(req.get("output_format", {}))
            transcript = req.get("transcript", "")
            if not isinstance(transcript, str):
                raise ValueError("transcript must be a string")
            speech = synthesize(transcript, fmt.sample_rate) if transcript.strip() else None
        except (ValueError, TTSError) as exc:
            await ws.send_json({"type": "error", "context_id": context_id, "error": str(exc), "done": True})
            continue
        first = not contexts.get(context_id, False)
        contexts[context_id] = True
        if speech is not None:
            audio = encode(speech.pcm, fmt)
            step = fmt.frame_bytes(100)
            for i in range(0, len(audio), step):
                chunk: dict[str, Any] = {
                    "type": "chunk",
                    "data": b64_encode(audio[i : i + step]),
                    "done": False,
                    "status_code": 206,
                    "context_id": context_id,
                }
                if first and i == 0:
                    chunk["voxsim"] = {"text": transcript}
                await ws.send_json(chunk)
        if not req.get("continue", False):
            await ws.send_json({"type": "done", "done": True, "status_code": 200, "context_id": context_id})
            contexts.pop(context_id, None)
