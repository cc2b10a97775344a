"""add_event_listener / remove_event_listener (runtime/call.py): the one JS listener path of every VoxEngine object."""

from __future__ import annotations

import pytest

from voxsim.runtime.session import run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS


def test_listener_policies_per_object() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Started, () => {
          const p = VoxEngine.createTTSPlayer('hi');
          try { p.addEventListener(PlayerEvents.PlaybackFinished, 42); Logger.write('no throw'); }
          catch (e) { Logger.write(e.name + ': ' + e.message); }
          VoxEngine.addEventListener(AppEvents.Terminating, 7);     // registered; fails when it fires
          VoxEngine.addEventListener(undefined, () => Logger.write('never'));
          setTimeout(() => VoxEngine.terminate(), 10);
        });
    """)
    assert [r["text"] for r in session.trace.find("log")] == [
        "TypeError: Player.addEventListener: the listener must be a function"]
    assert session.errors == ["TypeError: 7 is not a function"]
    warnings = [r["message"] for r in session.trace.find("warning")]
    assert warnings == ["VoxEngine.addEventListener: event is undefined; the listener is never called"]


def test_remove_without_callback_removes_all_and_bad_event_is_a_no_op() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Terminating, () => Logger.write('a'));
        VoxEngine.addEventListener(AppEvents.Terminating, () => Logger.write('b'));
        VoxEngine.addEventListener(AppEvents.Terminated, () => Logger.write('kept'));
        VoxEngine.removeEventListener(42);
        VoxEngine.removeEventListener(AppEvents.Terminating);
        VoxEngine.addEventListener(AppEvents.Started, () => VoxEngine.terminate());
    """)
    assert [r["text"] for r in session.trace.find("log")] == ["kept"]
    assert session.errors == []
