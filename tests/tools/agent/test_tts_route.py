"""The emulator's Cartesia TTS WebSocket: chunks in the asked format, done, cancel of an unknown context."""

from __future__ import annotations

import base64

import aiohttp
import pytest

from voxsim.tools.agent import AgentEmulator

pytestmark = pytest.mark.looptime


async def test_generation_chunks_done_and_invalid_cancel() -> None:
    async with AgentEmulator() as emulator, aiohttp.ClientSession() as session:
        url = emulator.base_url.replace("http", "ws", 1) + "/tts/websocket?api_key=k&cartesia_version=2025-04-16"
        async with session.ws_connect(url) as ws:
            await ws.send_json({"context_id": "c1", "transcript": "Hello there", "continue": False,
                                "output_format": {"container": "raw", "encoding": "pcm_mulaw", "sample_rate": 8000}})
            chunks: list[bytes] = []
            first = None
            while True:
                msg = await ws.receive_json()
                if msg["type"] == "done":
                    break
                assert msg["type"] == "chunk" and msg["context_id"] == "c1"
                first = first or msg
                chunks.append(base64.b64decode(msg["data"]))
            assert first is not None and first["voxsim"] == {"text": "Hello there"}
            assert all(len(c) == 800 for c in chunks[:-1]) and sum(map(len, chunks)) > 4000  # µ-law, 100 ms chunks
            await ws.send_json({"context_id": "nope", "cancel": True})
            assert (await ws.receive_json())["error"] == "Invalid context ID"
            await ws.send_json({"context_id": "c2", "transcript": "x", "output_format": {"encoding": "flac"}})
            assert "unsupported output_format" in (await ws.receive_json())["error"]
