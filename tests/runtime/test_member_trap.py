"""Reads of missing API members warn: a platform member voxsim lacks is 'not emulated', anything else 'does not exist'."""

from __future__ import annotations

import pytest

from voxsim.runtime.session import run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS


def test_declared_but_missing_members_are_not_blamed_on_the_scenario() -> None:
    src = ("Logger.write(typeof VoxEngine.enqueueACDRequest + ' ' + typeof VoxEngine.transferCall);\n"
           "VoxEngine.terminate();\n")
    session = run_scenario([(src, "m.js")])
    assert [r["text"] for r in session.trace.find("log")] == ["undefined undefined"]
    warnings = [r["message"] for r in session.trace.find("warning")]
    assert "VoxEngine.enqueueACDRequest is not emulated by voxsim yet (reads as undefined)" in warnings
    assert "VoxEngine.transferCall does not exist in VoxEngine (reads as undefined)" in warnings
