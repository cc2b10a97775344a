"""Event enums carry the exact VoxEngine string values."""

from __future__ import annotations

import pytest

from voxsim.runtime import events
from voxsim.runtime.modules import MODULES, is_known_module


@pytest.mark.parametrize(
    ("table", "member", "value"),
    [
        ("AppEvents", "Started", "Application.Started"),
        ("AppEvents", "CallAlerting", "Application.CallAlerting"),
        ("AppEvents", "HttpRequest", "Application.HttpRequest"),
        ("AppEvents", "WebSocket", "AppEvents.NewWebSocketConnection"),
        ("AppEvents", "NewWebSocketFailed", "Application.OnNewWebSocketFailed"),
        ("CallEvents", "Connected", "Call.Connected"),
        ("CallEvents", "VideoTrackCreated", "Call.Video.TrackCreated"),
        ("CallEvents", "ToneReceived", "Call.ToneReceived"),
        ("PlayerEvents", "PlaybackBuffering", "Player.Buffering"),
        ("ASREvents", "ASRError", "ASR.Error"),
        ("WebSocketEvents", "MEDIA_STARTED", "WebSocket.MediaEventStarted"),
        ("WebSocketCloseCode", "CLOSE_NORMAL", 1000.0),
        ("SmartQueueEvents", "TaskDistributed", "SmartQueue.DistributeTask"),
    ],
)
def test_exact_values(table: str, member: str, value: object) -> None:
    assert events.GLOBAL_ENUMS[table][member] == value


def test_table_sizes() -> None:
    assert len(events.AppEvents) == 7
    assert len(events.CallEvents) == 40
    assert len(events.PlayerEvents) == 8


def test_event_names() -> None:
    assert events.is_event_name("Call.Disconnected")
    assert not events.is_event_name("Call.Disconnect")
    assert not events.is_event_name(None)


def test_modules_values() -> None:
    assert MODULES["Cartesia"] == "cartesia" and MODULES["ApplicationStorage"] == "applicationstorage"
    assert is_known_module("asr") and not is_known_module("Cartesia")
