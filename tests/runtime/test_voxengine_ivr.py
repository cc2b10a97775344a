"""require(Modules.IVR): IVRState menus driven by the caller's DTMF on virtual time."""

from __future__ import annotations

import pytest

from voxsim.runtime.network import Caller
from voxsim.runtime.session import Session, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

MENU = """
require(Modules.IVR);
var inc, menu, pin;
pin = new IVRState('pin', {type: 'inputfixed', inputLength: 3, timeout: 4000, prompt: {say: 'Enter your code'}},
  function (input) { Logger.write('pin ' + input); inc.hangup(); },
  function (input) { Logger.write('pin timeout ' + input); inc.hangup(); });
menu = new IVRState('menu', {type: 'select', prompt: {say: 'Press 1 for sales'}, nextStates: {'1': pin}},
  function (input) { Logger.write('menu other ' + input); inc.hangup(); },
  function () { Logger.write('menu timeout'); inc.hangup(); });
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  inc = e.call;
  inc.addEventListener(CallEvents.Connected, function () { menu.enter(inc); });
  inc.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
  inc.answer();
});
"""


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


def test_select_then_fixed_input() -> None:
    # a scenario file called ivr.js must not shadow Modules.IVR ('ivr') in require()
    session = run_scenario([(MENU, "ivr.js")], inbound=Caller(dtmf=((1.0, "1"), (3.0, "42"), (4.0, "7"))))
    assert logs(session) == ["pin 427"]
    assert session.errors == []


def test_select_without_next_state_calls_on_input_complete() -> None:
    session = run_scenario(MENU, inbound=Caller(dtmf=((0.5, "9"),)))
    assert logs(session) == ["menu other 9"]


def test_input_timeout_after_the_prompt() -> None:
    session = run_scenario(MENU, inbound=Caller(dtmf=((1.0, "1"), (3.0, "4"))))
    assert logs(session) == ["pin timeout 4"]
    timeout_at = session.trace.find("log")[0].t
    assert timeout_at == pytest.approx(7.0, abs=0.01)  # 4 s after the last digit
