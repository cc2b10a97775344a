"""Durability under a real SIGKILL: ApplicationStorage keeps every acknowledged put; a recorded call's WAV stays valid."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from voxsim.tools.soak.durability import _declared_seconds, kill_recorded_call, kill_storage_writers


def test_storage_loses_no_acknowledged_put_under_sigkill(tmp_path: Path) -> None:
    result = kill_storage_writers(tmp_path, writers=2, min_acks=50)
    assert result["acknowledged"] >= 100
    assert result["lost"] == 0, result["lost_keys"]


def test_declared_seconds_reads_the_header(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0" * 8000 * 4)
    assert _declared_seconds(path) == 1.0
    assert _declared_seconds(tmp_path / "missing.wav") is None


@pytest.mark.slow
def test_recorded_call_wav_survives_sigkill(tmp_path: Path) -> None:
    result = kill_recorded_call(tmp_path, patches=2, kill_after=0.9)
    assert result["signal"] == 9 and result["valid"] and result["channels"] == 2
    assert result["wav_seconds"] >= 1.9
    assert result["lost_seconds"] <= 1.0 + 0.05, result  # 50 ms for the poll and the kill landing
