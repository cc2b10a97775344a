"""VoxEngine enums with their exact string values (from the official voxengine.d.ts, v28) and event names.

Each table maps the JS member name to its value; :data:`GLOBAL_ENUMS` is what the session installs as frozen JS
objects. Event payloads are plain dicts built where the event is fired (call.py, voxengine.py); their field names
follow the reference tables.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "AppEvents",
    "CallEvents",
    "PlayerEvents",
    "SequencePlayerEvents",
    "ASREvents",
    "RecorderEvents",
    "ConferenceEvents",
    "WebSocketEvents",
    "WebSocketReadyState",
    "WebSocketAudioEncoding",
    "WebSocketCloseCode",
    "ACDEvents",
    "SmartQueueEvents",
    "StreamingAgentEvents",
    "DTMFType",
    "TerminationStatus",
    "CallAudioQuality",
    "CallState",
    "GLOBAL_ENUMS",
    "EVENT_NAMES",
    "is_event_name",
]

AppEvents: dict[str, str] = {
    "CallAlerting": "Application.CallAlerting",
    "Terminating": "Application.Terminating",
    "Terminated": "Application.Terminated",
    "Started": "Application.Started",
    "HttpRequest": "Application.HttpRequest",
    "WebSocket": "AppEvents.NewWebSocketConnection",
    "NewWebSocketFailed": "Application.OnNewWebSocketFailed",
}
CallEvents: dict[str, str] = {
    "AudioStarted": "Call.AudioStarted",
    "AudioIdentificationStarted": "Call.AudioIdentificationStarted",
    "AudioIdentificationResult": "Call.AudioIdentificationResult",
    "AudioIdentificationStopped": "Call.AudioIdentificationStopped",
    "AudioIdentificationError": "Call.AudioIdentificationError",
    "BlindTransferRequested": "Call.BlindTransferRequested",
    "Connected": "Call.Connected",
    "Forwarding": "Call.Forwarding",
    "Disconnected": "Call.Disconnected",
    "Failed": "Call.Failed",
    "InfoReceived": "Call.InfoReceived",
    "MessageReceived": "Call.MessageReceived",
    "MicStatusChange": "Call.MicStatusChange",
    "OffHold": "Call.OffHold",
    "OnHold": "Call.OnHold",
    "PlaybackFinished": "Call.PlaybackFinished",
    "PlaybackReady": "Call.PlaybackReady",
    "PlaybackStarted": "Call.PlaybackStarted",
    "PushSent": "Call.PushSent",
    "ReInviteAccepted": "Call.ReInviteAccepted",
    "ReInviteReceived": "Call.ReInviteReceived",
    "ReInviteRejected": "Call.ReInviteRejected",
    "RecordStarted": "Call.RecordStarted",
    "RecordStopped": "Call.RecordStopped",
    "RecordError": "Call.RecordError",
    "Ringing": "Call.Ringing",
    "StateChanged": "Call.StateChanged",
    "Statistics": "Call.Statistics",
    "ToneDetected": "Call.ToneDetected",
    "ToneReceived": "Call.ToneReceived",
    "TransferComplete": "Call.TransferComplete",
    "TransferFailed": "Call.TransferFailed",
    "VideoTrackCreated": "Call.Video.TrackCreated",
    "FirstAudioPacketReceived": "Call.FirstAudioPacketReceived",
    "FirstVideoPacketReceived": "Call.FirstVideoPacketReceived",
    "RtpStopped": "Call.RtpStopped",
    "RtpResumed": "Call.RtpResumed",
    "BeepDetectionComplete": "Call.BeepDetectionComplete",
    "BeepDetectionError": "Call.BeepDetectionError",
    "AudioQualityDetected": "Call.AudioQualityDetected",
}
PlayerEvents: dict[str, str] = {
    "Created": "Player.Created",
    "PlaybackReady": "Player.PlaybackReady",
    "Started": "Player.Started",
    "Stopped": "Player.Stopped",
    "PlaybackFinished": "Player.PlaybackFinished",
    "Error": "Player.Error",
    "PlaybackMarkerReached": "Player.PlaybackMarkerReached",
    "PlaybackBuffering": "Player.Buffering",
}
SequencePlayerEvents: dict[str, str] = {
    "Created": "SequencePlayer.Created",
    "PlaybackReady": "SequencePlayer.PlaybackReady",
    "Started": "SequencePlayer.Started",
    "Stopped": "SequencePlayer.Stopped",
    "PlaybackFinished": "SequencePlayer.PlaybackFinished",
    "Error": "SequencePlayer.Error",
    "PlaybackMarkerReached": "SequencePlayer.PlaybackMarkerReached",
}
ASREvents: dict[str, str] = {
    "ASRError": "ASR.Error",
    "Started": "ASR.Started",
    "CaptureStarted": "ASR.CaptureStarted",
    "SpeechCaptured": "ASR.SpeechCaptured",
    "Result": "ASR.Result",
    "InterimResult": "ASR.InterimResult",
    "Stopped": "ASR.Stopped",
}
RecorderEvents: dict[str, str] = {
    "RecorderError": "Recorder.Error",
    "Started": "Recorder.Started",
    "Stopped": "Recorder.Stopped",
}
ConferenceEvents: dict[str, str] = {
    "ConferenceError": "Conference.Error",
    "Started": "Conference.Started",
    "Stopped": "Conference.Stopped",
    "EndpointAdded": "Conference.EndpointAdded",
    "EndpointUpdated": "Conference.EndpointUpdated",
    "EndpointRemoved": "Conference.EndpointRemoved",
    "EndpointManaged": "Conference.EndpointManaged",
}
WebSocketEvents: dict[str, str] = {
    "OPEN": "WebSocket.Open",
    "CLOSE": "WebSocket.Close",
    "MESSAGE": "WebSocket.Message",
    "ERROR": "WebSocket.Error",
    "CREATED": "WebSocket.Created",
    "MEDIA_STARTED": "WebSocket.MediaEventStarted",
    "MEDIA_ENDED": "WebSocket.MediaEventEnded",
}
WebSocketReadyState: dict[str, str] = {
    "CLOSED": "closed",
    "CLOSING": "closing",
    "CONNECTING": "connecting",
    "OPEN": "open",
}
WebSocketAudioEncoding: dict[str, str] = {
    "PCM8": "PCM8",
    "PCM16_8KHZ": "PCM8",
    "PCM16": "PCM16",
    "PCM16_16KHZ": "PCM16",
    "ALAW": "ALAW",
    "ULAW": "ULAW",
    "OPUS": "OPUS",
}
WebSocketCloseCode: dict[str, str | float] = {
    "CLOSE_NORMAL": 1000.0,
    "CLOSE_GOING_AWAY": 1001.0,
    "CLOSE_PROTOCOL_ERROR": 1002.0,
    "CLOSE_UNSUPPORTED": 1003.0,
    "CLOSED_NO_STATUS": 1005.0,
    "CLOSE_ABNORMAL": 1006.0,
    "CLOSE_UNSUPPORTED_PAYLOAD": 1007.0,
    "CLOSE_POLICY_VIOLATION": 1008.0,
    "CLOSE_TOO_LARGE": 1009.0,
    "CLOSE_MANDATORY_EXTENSION": 1010.0,
    "CLOSE_SERVER_ERROR": 1011.0,
    "CLOSE_SERVICE_RESTART": 1012.0,
    "CLOSE_TRY_AGAIN_LATER": 1013.0,
    "CLOSE_BAD_GATEWAY": 1014.0,
    "CLOSE_TLS_FAIL": 1015.0,
}
ACDEvents: dict[str, str] = {
    "OperatorReached": "ACD.OperatorReached",
    "OperatorCallAttempt": "ACD.OperatorCallAttempt",
    "OperatorFailed": "ACD.OperatorFailed",
    "Error": "ACD.Error",
    "Waiting": "ACD.Waiting",
    "Queued": "ACD.Queued",
    "Offline": "ACD.Offline",
    "QueueFull": "ACD.QueueFull",
}
SmartQueueEvents: dict[str, str] = {
    "Waiting": "SmartQueue.Waiting",
    "OperatorReached": "SmartQueue.OperatorReached",
    "EnqueueSuccess": "SmartQueue.EnqueueSuccess",
    "TaskDistributed": "SmartQueue.DistributeTask",
    "ClientDisconnected": "SmartQueue.ClientDisconnected",
    "TaskCanceled": "SmartQueue.TaskCanceled",
    "Error": "SmartQueue.Error",
}
StreamingAgentEvents: dict[str, str] = {
    "Connected": "StreamingAgent.Connected",
    "ConnectionFailed": "StreamingAgent.ConnectionFailed",
    "Error": "StreamingAgent.Error",
    "Disconnected": "StreamingAgent.Disconnected",
    "StreamStarted": "StreamingAgent.Stream.Started",
    "StreamStopped": "StreamingAgent.Stream.Stopped",
    "StreamError": "StreamingAgent.Stream.Error",
    "AudioStreamCreated": "StreamingAgent.Stream.AudioStarted",
    "VideoStreamCreated": "StreamingAgent.Stream.VideoStarted",
    "AudioSwitched": "StreamingAgent.Stream.AudioSwitched",
    "VideoSwitched": "StreamingAgent.Stream.VideoSwitched",
}
DTMFType: dict[str, str | float] = {
    "ALL": 0.0,
    "TELEPHONE_EVENT": 1.0,
    "IN_BAND": 2.0,
    "SIP_INFO": 3.0,
}
TerminationStatus: dict[str, str | float] = {
    "NONE": 0.0,
    "INTERNAL_ERROR": 500.0,
    "NORMAL": 1000.0,
    "TIMEOUT_REACHED": 1001.0,
    "MS_NOT_ANSWERED": 1002.0,
    "QUEUE_EMPTY": 1003.0,
    "MAX_WAITING_TIME_REACHED": 1004.0,
    "MAX_QUEUE_SIZE_REACHED": 1005.0,
    "OPERATOR_NOT_AVAILABLE": 1006.0,
    "CLIENT_TERMINATE": 1100.0,
    "FINISHED_BY_CLIENT": 1201.0,
    "FINISHED_BY_OPERATOR": 1202.0,
    "FAILED": 1203.0,
    "CANCELED": 1204.0,
    "TRANSFERRED": 1205.0,
}
CallAudioQuality: dict[str, str] = {
    "HD": "HD",
    "STANDARD": "Standard",
}


class CallState:
    """The four values of ``call.state()``."""

    ALERTING = "ALERTING"
    PROGRESSING = "PROGRESSING"
    CONNECTED = "CONNECTED"
    TERMINATED = "TERMINATED"


GLOBAL_ENUMS: dict[str, Mapping[str, str | float]] = {
    "AppEvents": AppEvents,
    "CallEvents": CallEvents,
    "PlayerEvents": PlayerEvents,
    "SequencePlayerEvents": SequencePlayerEvents,
    "ASREvents": ASREvents,
    "RecorderEvents": RecorderEvents,
    "ConferenceEvents": ConferenceEvents,
    "WebSocketEvents": WebSocketEvents,
    "WebSocketReadyState": WebSocketReadyState,
    "WebSocketAudioEncoding": WebSocketAudioEncoding,
    "WebSocketCloseCode": WebSocketCloseCode,
    "ACDEvents": ACDEvents,
    "SmartQueueEvents": SmartQueueEvents,
    "StreamingAgentEvents": StreamingAgentEvents,
    "DTMFType": DTMFType,
    "TerminationStatus": TerminationStatus,
    "CallAudioQuality": CallAudioQuality,
}

EVENT_NAMES: frozenset[str] = frozenset(
    str(v) for name, table in GLOBAL_ENUMS.items() if name.endswith("Events") for v in table.values()
)


def is_event_name(value: object) -> bool:
    """Whether ``value`` is the string value of a core VoxEngine event (module events are registered by modules)."""
    return isinstance(value, str) and value in EVENT_NAMES
