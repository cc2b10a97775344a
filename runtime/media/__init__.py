"""Media: formats, offline TTS, frames and the routing graph, players, recorder, DTMF, ASR, WebSocket media, aiortc.

``install(session)`` (listed in ``session.INSTALLERS``) creates the session's :class:`~.host.MediaLayer` as
``session.extensions["media"]`` and adds the VoxEngine media factories.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install"]

_FACTORIES = (
    ("createTTSPlayer", "create_tts_player", 2),
    ("createURLPlayer", "create_url_player", 2),
    ("createToneScriptPlayer", "create_tone_script_player", 2),
    ("createSequencePlayer", "create_sequence_player", 1),
    ("createRecorder", "create_recorder", 1),
    ("createASR", "create_asr", 1),
)


def install(session: Any) -> None:
    """Give the session its media layer and ``VoxEngine.create*Player/createRecorder/createASR``."""
    from .host import MediaLayer

    layer = MediaLayer(session)
    session.extensions["media"] = layer
    if "voxengine" not in session.extensions:
        return
    from ..voxengine import extend

    for js_name, method, length in _FACTORIES:
        extend(session, js_name, getattr(layer, method), length)
