"""The Modules registry: ``require(Modules.X)`` installs a namespace into the session.

``MODULES`` is the VoxEngine ``Modules`` enum (member → exact string value, v28 typings plus the 2026 connectors);
``INSTALLERS`` maps a value to ``"module:function"``; the function is ``install(session) -> None`` and runs once per
session on the first ``require``. Parts add their own entry here (one line).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["MODULES", "INSTALLERS", "ModuleError", "require_module", "is_known_module", "provided_by_media"]

MODULES: dict[str, str] = {
    "ACD": "acd",
    "AI": "ai",
    "ApplicationStorage": "applicationstorage",
    "ASR": "asr",
    "Avatar": "avatar",
    "Conference": "conference",
    "ElevenLabs": "elevenlabs",
    "Gemini": "gemini",
    "IVR": "ivr",
    "OpenAI": "openai",
    "PushService": "pushservice",
    "Recorder": "recorder",
    "SmartQueue": "smartqueue",
    "StreamingAgent": "streamingagent",
    "Ultravox": "ultravox",
    "Cartesia": "cartesia",
    "Yandex": "yandex",
    "VoximplantAPI": "voximplantapi",
    "XAI": "xai",
    # 2026 connectors seen in public scenario code; the string values are [inferred] (lower-case, like the rest).
    "Deepgram": "deepgram",
    "Inworld": "inworld",
    "Silero": "silero",
    "VoxTTS": "voxtts",
}

INSTALLERS: dict[str, str] = {
    "cartesia": "voxsim.runtime.modules.cartesia:install",
    "applicationstorage": "voxsim.runtime.modules.applicationstorage:install",
    "asr": "voxsim.runtime.modules.asr:install",
    "ivr": "voxsim.runtime.modules.ivr:install",
    "ai": "voxsim.runtime.modules.connectors:install_ai",
    "openai": "voxsim.runtime.modules.connectors:install_openai",
    "gemini": "voxsim.runtime.modules.connectors:install_gemini",
    "elevenlabs": "voxsim.runtime.modules.connectors:install_elevenlabs",
    "ultravox": "voxsim.runtime.modules.connectors:install_ultravox",
    "yandex": "voxsim.runtime.modules.connectors:install_yandex",
    "avatar": "voxsim.runtime.modules.connectors:install_avatar",
    "conference": "voxsim.runtime.modules.conference:install",
    "acd": "voxsim.runtime.modules.acd:install",
    "pushservice": "voxsim.runtime.modules.pushservice:install",
    # VoxEngine.createRecorder is always there (media layer): the require only has to succeed quietly.
    "recorder": "voxsim.runtime.modules:provided_by_media",
}


class ModuleError(LookupError):
    """``require`` of something that is not a VoxEngine module."""


def provided_by_media(session: Session) -> None:
    """A module whose API the media layer installs in every session (``Modules.Recorder``): nothing to add."""


def is_known_module(value: object) -> bool:
    """Whether ``value`` is one of the ``Modules`` string values."""
    return isinstance(value, str) and value in MODULES.values()


def require_module(session: Session, value: str) -> bool:
    """Install module ``value`` into ``session`` once; returns False when voxsim has no emulation for it (yet).

    Raises:
        ModuleError: ``value`` is not a ``Modules`` value.
    """
    if not is_known_module(value):
        raise ModuleError(f"Unknown module: {value!r}")
    loaded: set[str] = session.extensions.setdefault("modules", set())
    if value in loaded:
        return True
    spec = INSTALLERS.get(value)
    if spec is None:
        return False
    module_name, _, func_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return False
        raise
    installer = getattr(module, func_name or "install", None)
    if installer is None:
        return False
    loaded.add(value)
    installer(session)
    return True
