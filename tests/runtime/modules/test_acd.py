"""require(Modules.ACD): a queued request reaches the queue's agent (a user callee), fails over, or finds it offline."""

from __future__ import annotations

import pytest

from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

SCENARIO = """
require(Modules.ACD);
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  var call = e.call;
  call.answer();
  call.addEventListener(CallEvents.Connected, function () {
    var request = VoxEngine.enqueueACDRequest('helpers', e.callerid, {headers: {'X-Queue': 'support'}});
    request.addEventListener(ACDEvents.Queued, function (a) {
      Logger.write('queued ' + (a.request === request));
      request.getStatus();
    });
    request.addEventListener(ACDEvents.Waiting, function (a) { Logger.write('waiting ' + a.position + ' ' + a.ewt); });
    request.addEventListener(ACDEvents.Offline, function () { Logger.write('offline'); call.hangup(); });
    request.addEventListener(ACDEvents.OperatorFailed, function (a) {
      Logger.write('failed ' + a.operatorUserName + ' ' + a.statusCode);
    });
    request.addEventListener(ACDEvents.OperatorReached, function (a) {
      Logger.write('reached ' + a.operatorCall.number() + ' at ' + Math.round(Date.now() / 1000));
      VoxEngine.sendMediaBetween(call, a.operatorCall);
      a.operatorCall.hangup();
    });
  });
  call.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
});
"""


def run(callees: dict) -> Session:
    options = SessionOptions(network=Network(callees=callees), epoch=0.0)
    return run_scenario([(SCENARIO, "acd.js")], inbound=Caller(hangup_after=30.0), options=options)


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


def test_request_reaches_the_queue_agent() -> None:
    session = run({"user:helpers": {"answer_after": 3}})
    assert session.errors == []
    assert logs(session) == ["queued true", "waiting 1 0", "reached helpers at 3"]


def test_failed_agent_is_retried_then_offline_queue() -> None:
    session = run({"helpers": {"fail": 486, "after": 1}})
    assert logs(session)[:3] == ["queued true", "waiting 1 0", "failed helpers 486"]
    assert logs(session).count("failed helpers 486") == 3  # retried every 10 s until the caller leaves at 30 s
    assert logs(run({"helpers": {"offline": True}})) == ["offline"]


def test_unknown_members_of_new_objects_warn() -> None:
    src = ("require(Modules.ACD); require(Modules.Conference);\n"
           "var r = VoxEngine.enqueueACDRequest('q', '1'); var c = VoxEngine.createConference();\n"
           "Logger.write(typeof r.getPosition + ' ' + typeof c.getId + ' ' + typeof c.id);\n"
           "r.cancel(); VoxEngine.terminate();\n")
    session = run_scenario([(src, "m.js")])
    assert [r["text"] for r in session.trace.find("log")] == ["undefined undefined function"]
    warnings = [r["message"] for r in session.trace.find("warning")]
    assert "ACDRequest.getPosition does not exist in VoxEngine (reads as undefined)" in warnings
    assert "Conference.getId does not exist in VoxEngine (reads as undefined)" in warnings
