"""Media: formats, offline TTS, frames and the routing graph, players, recorder, DTMF, ASR, WebSocket media, aiortc."""

__all__: list[str] = []
