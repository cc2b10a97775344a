"""The voxsim pytest plugin (``pytest11`` entry point ``voxsim``) and assertions over session traces.

pytest imports this package at startup for every test run, so it imports nothing itself: the names below load on
first use, and the runtime only when a fixture runs a session.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["AgentView", "CallView", "Match", "SessionResult", "TraceAssertionError", "TraceResult"]

_WHERE = {
    "AgentView": ".expect",
    "CallView": ".expect",
    "Match": ".expect",
    "TraceAssertionError": ".expect",
    "TraceResult": ".expect",
    "SessionResult": ".result",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
