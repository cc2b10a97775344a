"""AMD: a detector attached by callPSTN({amd}) reports what the network callee is (person, voicemail, AI mimic)."""

from __future__ import annotations

import pytest

from voxsim.runtime.checker import check_source
from voxsim.runtime.network import Network
from voxsim.runtime.session import Session, SessionOptions, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

SCENARIO = """
VoxEngine.addEventListener(AppEvents.Started, function () {
  var amd = AMD.create({model: AMD.Model.US, timeout: 5000});
  var call = VoxEngine.callPSTN('+15557654321', '+15550001111', {amd: amd});
  Logger.write('attached ' + (amd.call === call) + ' ' + amd.model + ' ' + amd.timeout);
  amd.addEventListener(AMD.Events.DetectionComplete, function (e) {
    Logger.write(['complete', e.resultClass, e.resultSubtype, e.confidence, e.callId === call.id(), e.amd === amd,
                  Math.round(Date.now() / 100) / 10].join(' '));
  });
  call.addEventListener(CallEvents.Connected, async function () {
    var r = await amd.detect();
    Logger.write('detect ' + r.resultClass);
    call.hangup();
  });
  call.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
  call.addEventListener(CallEvents.Failed, function (e) { Logger.write('failed ' + e.code); VoxEngine.terminate(); });
});
"""


def run(callee: dict | str) -> Session:
    options = SessionOptions(network=Network(callees={"+15557654321": callee}), epoch=0.0)
    return run_scenario([(SCENARIO, "amd.js")], options=options)


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


@pytest.mark.parametrize(("callee", "expected"), [
    ({"answer_after": 1}, "complete HUMAN NONE 95 true true 3"),
    ({"answer_after": 1, "amd": "voicemail", "amd_after": 3.5, "amd_confidence": 80},
     "complete VOICEMAIL NONE 80 true true 4.5"),
    ({"answer_after": 1, "amd": "mimic"}, "complete VOICEMAIL MIMIC 95 true true 3"),
    ({"answer_after": 1, "amd": "human", "amd_after": 9}, "complete TIMEOUT NONE 0 true true 6"),
])
def test_detection_result_comes_from_the_callee(callee: dict, expected: str) -> None:
    session = run(callee)
    assert session.errors == []
    assert logs(session) == ["attached true us 5000", expected, "detect " + expected.split()[1]]


def test_call_that_ends_first_is_call_ended_and_a_failed_call_detects_nothing() -> None:
    session = run({"answer_after": 1, "amd_after": 4, "hangup_after": 1})
    assert logs(session) == ["attached true us 5000", "complete CALL_ENDED NONE 0 true true 2", "detect CALL_ENDED"]
    assert logs(run("busy")) == ["attached true us 5000", "failed 486"]


def test_bad_parameters_throw() -> None:
    source = """
try { AMD.create({model: 'xx'}); } catch (e) { Logger.write(e.name); }
try { AMD.create({model: AMD.Model.RU, timeout: 30000}); } catch (e) { Logger.write(e.name); }
try { VoxEngine.callPSTN('+15557654321', '1', {amd: {}}); } catch (e) { Logger.write(e.name + ' ' + e.message); }
VoxEngine.terminate();
"""
    session = run_scenario([(source, "bad.js")])
    assert logs(session) == ["TypeError", "RangeError",
                             "TypeError VoxEngine.callPSTN: parameters.amd must be made by AMD.create()"]


def test_checker_knows_amd() -> None:
    findings = check_source("AMD.create({model: AMD.Model.US}); AMD.Events.Detected; AMD.crate();", "a.js")
    assert [f.message for f in findings] == [
        "AMD.Events has no member 'Detected'; it is undefined in VoxEngine",
        "AMD has no member 'crate'; it is undefined in VoxEngine (did you mean create?)",
    ]
