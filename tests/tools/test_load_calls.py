"""The pieces of `voxsim load` that run without worker processes: one call in this process, the report's shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voxsim.runtime.clock import run
from voxsim.tools.cli.load import format_report
from voxsim.tools.load import CallFactory, CallOutcome, LoadConfig, LoadReport

THROWS = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.addEventListener(CallEvents.Connected, () => { call.hangup(); throw new Error("boom"); });
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  call.answer();
});
"""

HANGS_UP = THROWS.replace(' throw new Error("boom");', "")


def _one(tmp_path: Path, source: str) -> CallOutcome:
    scenario = tmp_path / "s.js"
    scenario.write_text(source)
    caller = tmp_path / "caller.yaml"
    caller.write_text("steps:\n  - hangup\n")

    async def main() -> CallOutcome:
        factory = CallFactory(LoadConfig(scenarios=(str(scenario),), caller_script=str(caller)), tmp_path / "work")
        try:
            return await factory.run(7)
        finally:
            await factory.close()

    return run(main(), virtual=False)


def test_a_call_that_throws_is_a_failed_outcome_with_the_js_error(tmp_path: Path) -> None:
    outcome = _one(tmp_path, THROWS)
    assert outcome.call_id == 7 and not outcome.ok
    assert "boom" in outcome.error


def test_a_clean_call_is_ok_and_leaves_no_files(tmp_path: Path) -> None:
    outcome = _one(tmp_path, HANGS_UP)
    assert outcome.ok and outcome.error is None
    assert outcome.lateness.dtype == np.float32
    assert not any((tmp_path / "work").glob("call-*"))  # per-call recordings folder removed


def test_json_keys_come_first_in_the_issue_order_and_the_text_report_reads() -> None:
    report = LoadReport(calls=4, concurrency=2, processes=2, completed=3, failed=1, lateness_p50_ms=1.0,
                        lateness_p99_ms=4.0, lateness_max_ms=9.0, ticks=100, agent_rtt_p50_ms=650.0, cpu_per_call=0.2,
                        errors={"Error: boom": 1})
    doc = report.as_json()
    assert list(doc)[:7] == ["completed", "failed", "lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms",
                             "agent_rtt_p50_ms", "cpu_per_call"]
    assert doc["errors"] == {"Error: boom": 1} and doc["calls"] == 4
    text = format_report(report)
    assert "3 completed, 1 failed of 4" in text and "p99 4.00 ms" in text and "1 × Error: boom" in text
