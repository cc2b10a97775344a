"""``Cartesia.AgentsEvents`` and ``Cartesia.Events``: member names and their exact VoxEngine string values."""

from __future__ import annotations

__all__ = ["AGENTS_EVENTS", "MEDIA_EVENTS", "ALL_EVENTS", "js_name"]

AGENTS_EVENTS: dict[str, str] = {
    "ACK": "Cartesia.Agents.ACK",
    "Clear": "Cartesia.Agents.Clear",
    "ConnectorInformation": "Cartesia.Agents.ConnectorInformation",
    "Custom": "Cartesia.Agents.Custom",
    "DTMF": "Cartesia.Agents.DTMF",
    "HTTPResponse": "Cartesia.Agents.HTTPResponse",
    "Unknown": "Cartesia.Agents.Unknown",
    "WebSocketError": "Cartesia.Agents.WebSocketError",
}
"""``Cartesia.AgentsEvents`` (typings of VoxEngine 7.44)."""

MEDIA_EVENTS: dict[str, str] = {
    "WebSocketMediaStarted": "Cartesia.Events.WebSocketMediaStarted",
    "WebSocketMediaEnded": "Cartesia.Events.WebSocketMediaEnded",
}
"""``Cartesia.Events``: agent audio started playing / 1 s of agent silence after audio."""

ALL_EVENTS: dict[str, str] = {**AGENTS_EVENTS, **MEDIA_EVENTS}


def js_name(member: str) -> str:
    """The string value a scenario sees for a member name (``"Clear"`` → ``"Cartesia.Agents.Clear"``)."""
    return ALL_EVENTS[member]
