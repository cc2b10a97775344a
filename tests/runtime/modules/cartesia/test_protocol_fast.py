"""The media-frame fast paths of protocol.encode / parse_message give exactly what the json paths give."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.modules.cartesia import protocol as p


def _slow_parse(frame: str, side: str) -> p.Message:
    # the general path: a frame with a space after a key is not the canonical form, so it goes through json
    return p.parse_message(frame.replace('"event":', '"event": ', 1), side=side)


@settings(max_examples=200, deadline=None)
@given(audio=st.binary(max_size=700), stream_id=st.text(max_size=24),
       text=st.one_of(st.none(), st.text(max_size=20)), output=st.booleans())
def test_media_frames_encode_and_parse_like_json(audio: bytes, stream_id: str, text: str | None, output: bool) -> None:
    message = (p.media_output if output else p.media_input)(stream_id, audio, text)
    frame = p.encode(message)
    assert frame == json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    side = "server" if output else "client"
    fast, slow = p.parse_message(frame, side=side), _slow_parse(frame, side)
    assert (fast.event, fast.raw, fast.audio, fast.text, fast.known) == (slow.event, slow.raw, slow.audio, slow.text,
                                                                        slow.known)
    assert fast.audio == audio


@pytest.mark.parametrize("payload", ["QQ=", "QQ==", "==", "Q", "QUJD=", "QUJDRA==="])
def test_bad_base64_is_rejected_on_both_paths(payload: str) -> None:
    frame = '{"event":"media_input","stream_id":"sid_1","media":{"payload":"%s"}}' % payload
    outcomes = []
    for candidate in (frame, frame.replace('"event":', '"event": ', 1)):
        try:
            outcomes.append(p.parse_message(candidate, side="client").audio)
        except p.ProtocolError:
            outcomes.append("error")
    assert outcomes[0] == outcomes[1]


def test_a_media_frame_from_the_wrong_side_is_unknown_on_both_paths() -> None:
    frame = p.encode(p.media_output("sid_1", base64.b64decode("AAAA")))
    assert p.parse_message(frame, side="client").known is False
    assert _slow_parse(frame, "client").known is False


@pytest.mark.parametrize("payload", ["QQ=\\u003d", 'Q\\"Q', "QQé=", "QQ\x01=", "QUJD\\/", "QUJD"])
def test_escapes_and_odd_characters_behave_as_on_the_json_path(payload: str) -> None:
    frame = '{"event":"media_input","stream_id":"sid_1","media":{"payload":"%s"}}' % payload
    outcomes = []
    for candidate in (frame, frame.replace('"event":', '"event": ', 1)):
        try:
            outcomes.append(p.parse_message(candidate, side="client").audio)
        except p.ProtocolError:
            outcomes.append("error")
    assert outcomes[0] == outcomes[1]


@settings(max_examples=400, deadline=None)
@given(payload=st.text(alphabet=st.sampled_from(list("AQUJDRa+/=") + ['"', "\\", "u", "0", " ", "é", "}", ",", "\n"]),
                       max_size=24))
def test_any_payload_text_parses_as_on_the_json_path(payload: str) -> None:
    frame = '{"event":"media_input","stream_id":"sid_1","media":{"payload":"%s"}}' % payload
    outcomes = []
    for candidate in (frame, frame.replace('"event":', '"event": ', 1)):
        try:
            m = p.parse_message(candidate, side="client")
            outcomes.append((m.event, m.raw, m.audio, m.known))
        except p.ProtocolError:
            outcomes.append("error")
    assert outcomes[0] == outcomes[1]
