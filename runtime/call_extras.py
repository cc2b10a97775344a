"""The rarer ``Call`` members of the typings (``vad``, mic status, blind transfer, beep detection), kept apart from
``call.py`` so that stays one concept.

None of them has a counterpart in the simulated network: simulated parties have no microphone status and never ask for
a blind transfer, so ``MicStatusChange`` and ``BlindTransferRequested`` never fire; beep detection is not emulated and
says so with a warning (its events never fire) [inferred: present so scenarios that call them keep running].
"""

from __future__ import annotations

from typing import Any

from voxsim.engine.host import js_method
from voxsim.engine.values import UNDEFINED

__all__ = ["CallExtras"]


class CallExtras:
    """Mixin of :class:`voxsim.runtime.call.Call` (uses its ``session``, ``trace_id`` and ``media``)."""

    session: Any
    trace_id: str
    media: Any
    mic_status = False
    blind_transfer = False

    def hears_asr(self) -> bool:
        """Whether an ASR listens to this call (which turns VAD on)."""
        unit = getattr(self.media, "unit", None)
        return any(type(o).__name__.startswith("ASR") for o in getattr(unit, "outputs", ()))

    @js_method("vad")
    def _js_vad(self) -> Any:
        return self.hears_asr()

    @js_method("handleMicStatus")
    def _js_handle_mic_status(self, handle: Any = UNDEFINED) -> Any:
        self.mic_status = handle is True
        return UNDEFINED

    @js_method("handleBlindTransfer")
    def _js_handle_blind_transfer(self, handle: Any = UNDEFINED) -> Any:
        self.blind_transfer = handle is True
        return UNDEFINED

    @js_method("notifyBlindTransferSuccess")
    def _js_notify_blind_transfer_success(self) -> Any:
        self.session.warn("call.notifyBlindTransferSuccess: no blind transfer was requested on this call",
                          target=self.trace_id)
        return UNDEFINED

    @js_method("notifyBlindTransferFailed")
    def _js_notify_blind_transfer_failed(self, code: Any = UNDEFINED, reason: Any = UNDEFINED) -> Any:
        self.session.warn("call.notifyBlindTransferFailed: no blind transfer was requested on this call",
                          target=self.trace_id)
        return UNDEFINED

    @js_method("enableBeepDetection")
    def _js_enable_beep_detection(self, parameters: Any = UNDEFINED) -> Any:
        self.session.warn("call.enableBeepDetection: beep detection is not emulated by voxsim; "
                          "CallEvents.BeepDetection* will not fire", target=self.trace_id)
        return UNDEFINED

    @js_method("disableBeepDetection")
    def _js_disable_beep_detection(self) -> Any:
        return UNDEFINED
