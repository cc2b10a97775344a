"""``require(Modules.PushService)``: calls to app users also wake the user's mobile app with a push notification.

The module has no API of its own (voximplant/voxengine-ci typings); what a scenario can see is ``CallEvents.PushSent``
on a ``callUser``/``callUserDirect`` leg. voxsim's simulated users always get the push [inferred]: ``PushSent`` with
``result: "OK"`` fires on the loop turn after the call is dialled, before it rings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["install", "PUSH_RESULT"]

#: ``PushSent.result`` of a delivered push [inferred: the typings leave the string open].
PUSH_RESULT = "OK"


def install(session: Session) -> None:
    """Turn push notifications on for the session's user calls (``Call.outgoing`` reads the flag)."""
    session.extensions["pushservice"] = True
