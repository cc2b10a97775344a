"""require(Modules.PushService): user calls report CallEvents.PushSent before they ring; without it they do not."""

from __future__ import annotations

from voxsim.runtime.session import SessionOptions, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

SOURCE = """
%s
VoxEngine.addEventListener(AppEvents.Started, function () {
  var user = VoxEngine.callUser({username: 'alice', callerid: '1'});
  var pstn = VoxEngine.callPSTN('+15557654321', '1');
  [user, pstn].forEach(function (c) {
    c.addEventListener(CallEvents.PushSent, function (e) { Logger.write('push ' + c.number() + ' ' + e.result); });
    c.addEventListener(CallEvents.Ringing, function () { Logger.write('ringing ' + c.number()); });
  });
  user.addEventListener(CallEvents.Connected, function () { VoxEngine.terminate(); });
});
"""


def logs(require: str) -> list[str]:
    session = run_scenario([(SOURCE % require, "push.js")], options=SessionOptions(epoch=0.0))
    assert session.errors == [] and session.trace.find("warning") == []
    return [r["text"] for r in session.trace.find("log")]


def test_push_sent_only_for_user_calls_with_the_module() -> None:
    assert logs("require(Modules.PushService);") == ["push alice OK", "ringing alice", "ringing +15557654321"]
    assert logs("") == ["ringing alice", "ringing +15557654321"]
