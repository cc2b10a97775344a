"""An ASR stopped in the task that created it reports Stopped and never Started afterwards."""

from __future__ import annotations

import pytest

from voxsim.runtime.session import run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

SCENARIO = """
require(Modules.ASR);
var asr = VoxEngine.createASR({profile: ASRProfileList.Google.en_US});
asr.addEventListener(ASREvents.Started, function () { Logger.write('started'); });
asr.addEventListener(ASREvents.Stopped, function () { Logger.write('stopped'); });
asr.stop();
setTimeout(function () { VoxEngine.terminate(); }, 100);
"""


def test_no_started_after_stopped() -> None:
    session = run_scenario([(SCENARIO, "asr.js")])
    assert [r["text"] for r in session.trace.find("log")] == ["stopped"]
    assert session.errors == []
