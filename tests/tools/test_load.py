"""`voxsim load`: calls over worker processes, the JSON report, failing calls and a worker that dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from voxsim.tools.load import LoadConfig, Progress, run_load

pytestmark = pytest.mark.slow  # each run spawns worker processes that import the runtime (a few seconds)

KEYS = ["completed", "failed", "lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms", "agent_rtt_p50_ms",
        "cpu_per_call"]

# A short call: answer, say a few words 1.5 s later (after the caller's "Hi."), hang up when they are played.
SHORT = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.addEventListener(CallEvents.Connected, () => {
    setTimeout(() => call.say("Hello there.", VoiceList.Default), 1500);
    call.addEventListener(CallEvents.PlaybackFinished, () => call.hangup());
  });
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  call.answer();
});
"""

THROWS = """
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.addEventListener(CallEvents.Connected, () => { call.hangup(); throw new Error("boom in Connected"); });
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  call.answer();
});
"""

CALLER = """
steps:
  - say: Hi.
  - wait: agent.silent
    timeout: 3
  - hangup
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("short.js", SHORT), ("throws.js", THROWS), ("caller.yaml", CALLER)):
        out[name] = tmp_path / name
        out[name].write_text(text)
    return out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from voxsim.tools.cli import main; main()", "load", *args],
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_json_report_of_short_calls_over_two_processes(files: dict[str, Path]) -> None:
    proc = _cli(str(files["short.js"]), "--calls", "4", "--concurrency", "2", "--processes", "2", "--ramp", "0.2",
                "--caller-script", str(files["caller.yaml"]), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert list(doc)[:len(KEYS)] == KEYS
    assert doc["completed"] == 4 and doc["failed"] == 0
    assert doc["processes"] == 2 and doc["ticks"] > 0
    assert 0 <= doc["lateness_p50_ms"] <= doc["lateness_p99_ms"] <= doc["lateness_max_ms"]
    assert doc["cpu_per_call"] > 0
    # The caller said Hi, then heard the greeting: one round trip per call.
    assert doc["rtt_samples"] == 4 and doc["agent_rtt_p50_ms"] > 0
    # The workers' GC policy and what collections cost them, from each worker's goodbye.
    assert doc["gc_policy"] == "tuned" and doc["max_rss_mb"] > 50
    assert doc["gc_full_collections"] >= 0 and doc["gc_full_max_ms"] <= doc["gc_full_total_ms"] + 1e-9


def test_a_scenario_that_throws_counts_as_failed_and_exits_1(files: dict[str, Path]) -> None:
    proc = _cli(str(files["throws.js"]), "--calls", "3", "--concurrency", "2", "--processes", "2", "--ramp", "0",
                "--caller-script", str(files["caller.yaml"]), "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["completed"] == 0 and doc["failed"] == 3
    assert any("boom in Connected" in error for error in doc["errors"]), doc["errors"]


def test_a_worker_that_dies_loses_only_its_calls(files: dict[str, Path]) -> None:
    killed: list[int] = []

    def kill_one(p: Progress) -> None:
        if not killed and p.in_flight >= 2 and len(p.workers) == 2:
            killed.append(p.workers[0])
            os.kill(p.workers[0], signal.SIGKILL)

    config = LoadConfig(scenarios=(str(files["short.js"]),), caller_script=str(files["caller.yaml"]))
    report = run_load(config, calls=6, concurrency=2, processes=2, ramp=0, on_progress=kill_one)
    assert killed
    assert report.failed >= 1 and report.completed + report.failed == 6
    assert any("died" in error for error in report.errors)


def test_ctrl_c_stops_with_a_partial_report(files: dict[str, Path]) -> None:
    pressed: list[bool] = []

    def interrupt(p: Progress) -> None:  # Ctrl-C arrives as KeyboardInterrupt in the coordinator's loop
        if p.in_flight >= 2 and not pressed:
            pressed.append(True)
            raise KeyboardInterrupt

    config = LoadConfig(scenarios=(str(files["short.js"]),), caller_script=str(files["caller.yaml"]))
    report = run_load(config, calls=20, concurrency=2, processes=1, ramp=0, on_progress=interrupt)
    assert report.interrupted
    assert report.cancelled == 2 and report.failed == 0  # the calls cut short are not failures
    assert report.not_started == 18 and report.completed == 0
