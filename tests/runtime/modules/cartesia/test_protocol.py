"""Calls API frames: builders round-trip through the parser; malformed frames raise ProtocolError, never crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxsim.runtime.modules.cartesia import protocol as p


@given(audio=st.binary(max_size=2000), text=st.none() | st.text(max_size=50), sid=st.text(min_size=1, max_size=30))
def test_media_frames_round_trip(audio: bytes, text: str | None, sid: str) -> None:
    for build, side in ((p.media_input, "client"), (p.media_output, "server")):
        message = p.parse_message(p.encode(build(sid, audio, text)), side=side)
        assert message.known and message.audio == audio and message.text == text and message.stream_id == sid


@given(digit=st.sampled_from(sorted(p.DTMF_DIGITS)), meta=st.dictionaries(st.text(max_size=5), st.integers()))
def test_control_frames_round_trip(digit: str, meta: dict[str, int]) -> None:
    assert p.parse_message(p.encode(p.dtmf("s", digit))).raw["dtmf"] == digit
    assert p.parse_message(p.encode(p.custom("s", meta)), side="client").raw["metadata"] == meta
    transfer = p.parse_message(p.encode(p.transfer_call("s", "+15550100")))
    assert transfer.raw["transfer"]["target_phone_number"] == "+15550100"


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_arbitrary_frames_never_crash(frame: str | bytes) -> None:
    try:
        p.parse_message(frame)
    except p.ProtocolError:
        pass


def test_start_puts_input_format_in_config_and_passes_the_rest() -> None:
    message = p.start("mulaw_8000", stream_id="call-1", metadata={"to": "a"}, config={"input_format": "x", "voice_id": "v"})
    assert message == {"event": "start", "stream_id": "call-1", "config": {"voice_id": "v", "input_format": "mulaw_8000"},
                       "metadata": {"to": "a"}}
    assert p.parse_message(p.encode(message), side="client").event == "start"


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("not json", "not JSON"),
        ("[1]", "JSON object"),
        ('{"stream_id": "s"}', "no string 'event'"),
        ('{"event": "media_output", "stream_id": "s", "media": {"payload": "@@@"}}', "base64"),
        ('{"event": "media_output", "stream_id": "s"}', "'media' to be an object"),
        ('{"event": "dtmf", "stream_id": "s", "dtmf": "12"}', "one digit"),
        ('{"event": "ack"}', "'stream_id' to be a string"),
    ],
)
def test_malformed_known_frames(frame: str, error: str) -> None:
    with pytest.raises(p.ProtocolError, match=error):
        p.parse_message(frame)


def test_start_validation() -> None:
    bad = json.dumps({"event": "start", "config": {"input_format": "pcm_8000"}})
    with pytest.raises(p.ProtocolError, match="input_format must be one of mulaw_8000"):
        p.parse_message(bad, side="client")
    with pytest.raises(p.ProtocolError, match="'metadata' to be an object"):
        p.parse_message('{"event": "start", "metadata": []}', side="client")


def test_unknown_and_type_keyed_frames_are_unknown_not_errors() -> None:
    assert not p.parse_message('{"event": "turn_started", "turn": 1}').known
    error = p.parse_message('{"type": "error", "message": "boom"}')
    assert error.event == "error" and not error.known
    assert not p.parse_message('{"event": "media_input", "stream_id": "s"}', side="server").known


def test_format_table() -> None:
    assert {name: f.frame_bytes() for name, f in p.INPUT_FORMATS.items()} == {
        "mulaw_8000": 160, "pcm_16000": 640, "pcm_24000": 960, "pcm_44100": 1764}
