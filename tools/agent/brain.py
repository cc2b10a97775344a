"""What an emulated agent hears and what it may do: the event and action taxonomy between a stream and its brain.

A brain is anything with ``async def handle(event, act)``: the stream calls it for each input event, and the brain
calls ``await act(action)`` for each thing it wants done, in order. Scripted agents act inside ``handle``; the Line
driver acts from its reader task whenever the user's VoiceAgentApp sends something. The names follow the Line SDK's
events (``CallStarted``, ``UserTurnEnded``…) so the two brains map onto each other one to one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "CallStarted",
    "UserTurnStarted",
    "UserTurnEnded",
    "UserDtmf",
    "UserCustom",
    "AgentSpoke",
    "CallEnded",
    "InputEvent",
    "Speak",
    "SendDtmf",
    "SendCustom",
    "EndCall",
    "Transfer",
    "HttpTool",
    "Action",
    "Act",
    "Brain",
]


@dataclass(frozen=True, slots=True)
class CallStarted:
    """The stream was acknowledged: ``metadata`` and ``agent`` are the ones the client sent in ``start``."""

    stream_id: str
    agent_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    agent: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UserTurnStarted:
    """The caller started speaking (VAD)."""


@dataclass(frozen=True, slots=True)
class UserTurnEnded:
    """The caller stopped speaking; ``text`` is what the simulated speech said ("" for speech without a transcript)."""

    text: str
    dtmf: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UserDtmf:
    """The client sent a ``dtmf`` event."""

    digit: str


@dataclass(frozen=True, slots=True)
class UserCustom:
    """The client sent a ``custom`` event."""

    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AgentSpoke:
    """The agent finished (or was cut off in) an utterance; ``text`` is what was actually said."""

    text: str
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class CallEnded:
    """The socket is closing, whoever closed it."""

    reason: str = ""


InputEvent = CallStarted | UserTurnStarted | UserTurnEnded | UserDtmf | UserCustom | AgentSpoke | CallEnded


@dataclass(frozen=True, slots=True)
class Speak:
    """Say ``text`` (espeak-ng audio, paced at speaking pace). Interruptible speech stops on barge-in."""

    text: str
    interruptible: bool = True


@dataclass(frozen=True, slots=True)
class SendDtmf:
    """Send a ``dtmf`` event to the client."""

    digit: str


@dataclass(frozen=True, slots=True)
class SendCustom:
    """Send a ``custom`` event to the client."""

    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EndCall:
    """Finish pending speech, then close 1000 ``call ended by agent`` (``, reason: …`` when given)."""

    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """Send ``transfer_call`` with ``transfer.target_phone_number``."""

    target_phone_number: str


@dataclass(frozen=True, slots=True)
class HttpTool:
    """POST ``body`` as JSON to ``url``, or to ``metadata[url_key]`` (Voximplant's function-calling pattern)."""

    body: dict[str, Any]
    url: str | None = None
    url_key: str = "vox_session_control_url"


Action = Speak | SendDtmf | SendCustom | EndCall | Transfer | HttpTool
Act = Callable[[Action], Awaitable[None]]


class Brain(Protocol):
    """An agent's decision making; one instance per stream (a factory makes them, see ``server.BrainFactory``)."""

    async def handle(self, event: InputEvent, act: Act) -> None:
        """React to ``event``; call ``act`` for each action, in order."""
        ...
