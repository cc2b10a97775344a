"""``Modules.Cartesia``: the Cartesia Line Agents connector (Calls API client) and its JS namespace.

``protocol`` builds and validates frames, ``client`` is the AgentsClient core on aiohttp, ``events`` holds the
``Cartesia.AgentsEvents`` / ``Cartesia.Events`` string values.
"""

from __future__ import annotations

from typing import Any

from .client import LIVE_BASE_URL, AgentsClient, AgentsClientError, ClientOptions, CloseInfo
from .events import AGENTS_EVENTS, ALL_EVENTS, MEDIA_EVENTS

__all__ = [
    "AgentsClient",
    "AgentsClientError",
    "ClientOptions",
    "CloseInfo",
    "LIVE_BASE_URL",
    "AGENTS_EVENTS",
    "MEDIA_EVENTS",
    "ALL_EVENTS",
    "install",
]


def install(session: Any) -> None:
    """``require(Modules.Cartesia)``: defines the ``Cartesia`` global (see ``binding.py``)."""
    from .binding import install as install_binding

    install_binding(session)
