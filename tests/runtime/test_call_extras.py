"""The rarer Call members of the typings exist and behave as documented (vad follows an attached ASR)."""

from __future__ import annotations

import pytest

from voxsim.runtime.network import Caller
from voxsim.runtime.session import run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

SCENARIO = """
require(Modules.ASR);
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  var call = e.call;
  call.addEventListener(CallEvents.Connected, function () {
    call.handleMicStatus(true);
    call.handleBlindTransfer(true);
    Logger.write('vad ' + call.vad());
    call.sendMediaTo(VoxEngine.createASR({profile: ASRProfileList.Google.en_US}));
    Logger.write('vad ' + call.vad());
    call.enableBeepDetection({});
    call.disableBeepDetection();
    call.notifyBlindTransferSuccess();
    call.hangup();
  });
  call.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
  call.answer();
});
"""


def test_rare_call_members() -> None:
    session = run_scenario([(SCENARIO, "extras.js")], inbound=Caller())
    assert session.errors == []
    assert [r["text"] for r in session.trace.find("log")] == ["vad false", "vad true"]
    warnings = " | ".join(r["message"] for r in session.trace.find("warning"))
    assert "beep detection is not emulated" in warnings and "no blind transfer was requested" in warnings
    assert "does not exist" not in warnings
