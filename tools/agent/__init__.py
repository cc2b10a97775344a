"""The local Cartesia Line agent emulator: a Calls API WebSocket server with scriptable (or Line SDK) brains."""

from __future__ import annotations

from .brain import (
    AgentSpoke,
    CallEnded,
    CallStarted,
    EndCall,
    HttpTool,
    SendCustom,
    SendDtmf,
    Speak,
    Transfer,
    UserCustom,
    UserDtmf,
    UserTurnEnded,
    UserTurnStarted,
)
from .script import DEFAULT_SCRIPT, Script, ScriptedAgent, ScriptError, load_brain_factory, load_script
from .server import AgentEmulator, EmulatorConfig
from .stream import AgentStream, StreamConfig

__all__ = [
    "AgentEmulator",
    "EmulatorConfig",
    "StreamConfig",
    "AgentStream",
    "Script",
    "ScriptedAgent",
    "ScriptError",
    "DEFAULT_SCRIPT",
    "load_script",
    "load_brain_factory",
    "CallStarted",
    "UserTurnStarted",
    "UserTurnEnded",
    "UserDtmf",
    "UserCustom",
    "AgentSpoke",
    "CallEnded",
    "Speak",
    "SendDtmf",
    "SendCustom",
    "EndCall",
    "Transfer",
    "HttpTool",
]
