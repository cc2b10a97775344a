"""AI connector namespaces voxsim does not emulate: present, with their enums, but refusing to connect.

Public scenarios ``require(Modules.OpenAI)`` (or AI, Gemini, ElevenLabs, Ultravox, Yandex, Avatar) and read
``OpenAI.RealtimeAPIEvents.*`` at the top level before any call arrives. Without the namespace that is a
ReferenceError that stops the whole file, so the inbound call is never even answered. Here ``require`` defines the
global with the platform's enums (``connector_enums.py``) and every factory fails where the real connector would
connect: the Promise-returning ones (``OpenAI.createRealtimeAPIClient``, ``ElevenLabs.createAgentsClient``, …) reject
with an ``Error`` naming the connector, the synchronous ones (``AI.createDialogflow``, ``createRealtimeTTSPlayer``,
``VoximplantAvatar.createVoiceAvatar``) throw it; both also record a warning, so the run says why the AI went silent.
[inferred] Only Cartesia connects for real (``modules/cartesia``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voxsim.engine.errors import JSErrorFromHost
from voxsim.engine.host import make_enum

from .connector_enums import CONNECTOR_ENUMS

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["CONNECTORS", "install_namespace", "not_emulated_message",
           "install_ai", "install_openai", "install_gemini", "install_elevenlabs", "install_ultravox",
           "install_yandex", "install_avatar"]

# global name -> (factory name, returns a Promise) per the VoxEngine typings.
CONNECTORS: dict[str, list[tuple[str, bool]]] = {
    "AI": [("createDialogflow", False), ("detectVoicemail", True)],
    "OpenAI": [("createRealtimeAPIClient", True)],
    "OpenAI.Beta": [("createRealtimeAPIClient", True)],
    "Gemini": [("createLiveAPIClient", True)],
    "ElevenLabs": [("createAgentsClient", True), ("createRealtimeTTSPlayer", False)],
    "Ultravox": [("createWebSocketAPIClient", True)],
    "Yandex": [("createRealtimeAPIClient", True)],
    "VoximplantAvatar": [("createAvatar", False), ("createVoiceAvatar", False)],
}


def not_emulated_message(qualified: str) -> str:
    """The error text of a refused connector factory (``OpenAI.createRealtimeAPIClient``)."""
    connector = qualified.split(".")[0]
    return (f"{qualified}: the {connector} connector is not emulated by voxsim (no network to {connector}); "
            "only Cartesia connects (Modules.Cartesia)")


def _factory(session: Session, qualified: str, returns_promise: bool) -> Any:
    realm = session.realm
    name = qualified.rsplit(".", 1)[1]

    def refuse(*_args: Any) -> Any:
        message = not_emulated_message(qualified)
        session.warn(message, source="require")
        if not returns_promise:
            raise JSErrorFromHost(message)
        error = realm.new_error("Error", message)
        promise, _resolve, reject = realm.new_promise()
        reject(error)
        return promise

    return realm.new_host_function(name, refuse, 1)


def _namespace(session: Session, name: str) -> Any:
    realm = session.realm
    namespace = realm.new_object()
    for member, table in CONNECTOR_ENUMS.get(name, {}).items():
        namespace.define(member, make_enum(realm, table), writable=False, enumerable=True, configurable=False)
    for factory, returns_promise in CONNECTORS.get(name, []):
        namespace.define(factory, _factory(session, f"{name}.{factory}", returns_promise), writable=True,
                         enumerable=False, configurable=True)
    return namespace


def install_namespace(session: Session, name: str) -> None:
    """Define the global ``name`` (with its ``Beta`` sub-namespace when the typings have one)."""
    namespace = _namespace(session, name)
    beta = f"{name}.Beta"
    if beta in CONNECTORS:
        namespace.define("Beta", _namespace(session, beta), writable=False, enumerable=True, configurable=False)
    session.define_global(name, namespace)


def install_ai(session: Session) -> None:
    """``require(Modules.AI)``: the ``AI`` namespace (Dialogflow, voicemail detection)."""
    install_namespace(session, "AI")


def install_openai(session: Session) -> None:
    """``require(Modules.OpenAI)``."""
    install_namespace(session, "OpenAI")


def install_gemini(session: Session) -> None:
    """``require(Modules.Gemini)``."""
    install_namespace(session, "Gemini")


def install_elevenlabs(session: Session) -> None:
    """``require(Modules.ElevenLabs)``."""
    install_namespace(session, "ElevenLabs")


def install_ultravox(session: Session) -> None:
    """``require(Modules.Ultravox)``."""
    install_namespace(session, "Ultravox")


def install_yandex(session: Session) -> None:
    """``require(Modules.Yandex)``."""
    install_namespace(session, "Yandex")


def install_avatar(session: Session) -> None:
    """``require(Modules.Avatar)``: the ``VoximplantAvatar`` namespace, and ``ASRProfileList`` for its
    ``asrParameters`` (public avatar scenarios read it without a ``require(Modules.ASR)``) [inferred]."""
    from . import require_module

    install_namespace(session, "VoximplantAvatar")
    require_module(session, "asr")
