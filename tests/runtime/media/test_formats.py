"""G.711, PCM byte order, resampling and framing helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from voxsim.runtime.media import formats as f

pcm_arrays = arrays(np.int16, st.integers(0, 400))


def test_ulaw_decode_table_matches_g711_reference_points() -> None:
    # G.711 µ-law: 0xFF and 0x7F are ±0, 0x80 is the most positive code (+32124), 0x00 the most negative.
    assert f.ulaw_decode(bytes([0xFF, 0x7F, 0x80, 0x00])).tolist() == [0, 0, 32124, -32124]
    assert f.ulaw_encode(np.array([0, 32767, -32768], np.int16)) == bytes([0xFF, 0x80, 0x00])


def test_alaw_decode_table_matches_g711_reference_points() -> None:
    assert f.alaw_decode(bytes([0xD5, 0x55, 0xAA, 0x2A])).tolist() == [8, -8, 32256, -32256]


@pytest.mark.parametrize("enc, dec", [(f.ulaw_encode, f.ulaw_decode), (f.alaw_encode, f.alaw_decode)])
def test_every_code_survives_decode_then_encode(enc, dec) -> None:
    codes = bytes(range(256))
    again = enc(dec(codes))
    mismatched = [c for c, a in zip(codes, again) if c != a]
    assert mismatched in ([], [0x7F])  # µ-law's negative zero encodes as positive zero


@given(pcm_arrays)
def test_ulaw_round_trip_error_is_within_one_quantisation_step(pcm) -> None:
    back = f.ulaw_decode(f.ulaw_encode(pcm)).astype(np.int32)
    err = np.abs(back - pcm.astype(np.int32))
    assert back.size == pcm.size
    assert np.all(err <= np.abs(pcm.astype(np.int32)) // 32 + 8)  # half a segment step


@given(pcm_arrays)
def test_alaw_round_trip_error_is_within_one_quantisation_step(pcm) -> None:
    back = f.alaw_decode(f.alaw_encode(pcm)).astype(np.int32)
    err = np.abs(back - pcm.astype(np.int32))
    assert np.all(err <= np.abs(pcm.astype(np.int32)) // 32 + 8)


@given(pcm_arrays)
def test_pcm_bytes_round_trip_exactly(pcm) -> None:
    data = f.pcm_to_bytes(pcm)
    assert len(data) == 2 * pcm.size
    assert np.array_equal(f.pcm_from_bytes(data), pcm)


def test_pcm_bytes_are_little_endian_and_odd_length_is_rejected() -> None:
    assert f.pcm_to_bytes(np.array([1, -2], np.int16)) == b"\x01\x00\xfe\xff"
    with pytest.raises(f.FormatError, match="odd length"):
        f.pcm_from_bytes(b"\x00\x01\x02")


@given(st.binary(max_size=300))
def test_base64_round_trip(payload) -> None:
    assert f.b64_decode(f.b64_encode(payload)) == payload


def test_base64_rejects_garbage() -> None:
    with pytest.raises(f.FormatError, match="base64"):
        f.b64_decode("not base64!!")


def _tone(freq: float, rate: int, seconds: float = 0.5, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return f.as_pcm(amp * np.sin(2 * np.pi * freq * t))


def _peak_hz(pcm: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(pcm.size)))
    return float(np.argmax(spectrum) * rate / pcm.size)


@pytest.mark.parametrize("src, dst", [(8000, 16000), (16000, 8000), (22050, 8000), (48000, 44100), (24000, 48000)])
def test_resample_keeps_length_ratio_frequency_and_level(src, dst) -> None:
    tone = _tone(1000, src)
    out = f.resample(tone, src, dst)
    assert out.dtype == np.int16
    assert abs(out.size - tone.size * dst / src) <= 2
    assert abs(_peak_hz(out, dst) - 1000) < 10
    mid = slice(out.size // 4, 3 * out.size // 4)
    assert np.sqrt(np.mean(out[mid].astype(float) ** 2)) == pytest.approx(0.5 * 32767 / np.sqrt(2), rel=0.02)


def test_streaming_resampler_matches_whole_clip_length() -> None:
    tone = _tone(440, 22050, 1.0)
    rs = f.Resampler(22050, 8000)
    chunks = [rs.process(tone[i : i + 441]) for i in range(0, tone.size, 441)]
    chunks.append(rs.process(np.zeros(0, np.int16), last=True))
    out = np.concatenate(chunks)
    assert abs(out.size - 8000) <= 2
    assert abs(_peak_hz(out, 8000) - 440) < 5


def test_identity_resampler_returns_input() -> None:
    tone = _tone(440, 8000, 0.02)
    assert np.array_equal(f.Resampler(8000, 8000).process(tone), tone)


def test_encode_decode_with_rate_conversion() -> None:
    fmt = f.parse_format("mulaw_8000")
    tone = _tone(1000, 16000, 0.2)
    payload = f.encode(tone, fmt, from_rate=16000)
    assert len(payload) == 1600
    back = f.decode(payload, fmt, to_rate=16000)
    assert back.size == tone.size
    assert abs(_peak_hz(back, 16000) - 1000) < 10


@pytest.mark.parametrize(
    "name, expected",
    [
        ("mulaw_8000", f.AudioFormat("mulaw", 8000)),
        ("alaw_8000", f.AudioFormat("alaw", 8000)),
        ("pcm_16000", f.AudioFormat("pcm_s16le", 16000)),
        ("pcm_24000", f.AudioFormat("pcm_s16le", 24000)),
        ("pcm_44100", f.AudioFormat("pcm_s16le", 44100)),
        ("PCM_48000", f.AudioFormat("pcm_s16le", 48000)),
    ],
)
def test_parse_format_names(name, expected) -> None:
    fmt = f.parse_format(name)
    assert fmt == expected
    assert f.parse_format(fmt.name) == fmt


@pytest.mark.parametrize("bad", ["mulaw_16000", "pcm_12345", "mp3_8000", ""])
def test_parse_format_rejects_unknown(bad) -> None:
    with pytest.raises(f.FormatError):
        f.parse_format(bad)


def test_frame_sizes() -> None:
    assert f.frame_samples(8000) == 160
    assert f.frame_samples(44100) == 882
    assert f.parse_format("mulaw_8000").frame_bytes() == 160
    assert f.parse_format("pcm_16000").frame_bytes() == 640


def test_websocket_encodings() -> None:
    assert f.websocket_format(None) == f.AudioFormat("pcm_s16le", 8000)
    assert f.websocket_format("PCM16") == f.AudioFormat("pcm_s16le", 16000)
    assert f.websocket_format("ulaw") == f.AudioFormat("mulaw", 8000)
    with pytest.raises(f.FormatError, match="OPUS is not supported"):
        f.websocket_format("OPUS")


def test_as_pcm_clips_floats() -> None:
    assert f.as_pcm(np.array([2.0, -2.0, 0.0])).tolist() == [32767, -32768, 0]


@given(pcm_arrays)
def test_g711_quantize_equals_encode_then_decode(pcm) -> None:
    assert np.array_equal(f.g711_quantize(pcm, "mulaw"), f.ulaw_decode(f.ulaw_encode(pcm)))
    assert np.array_equal(f.g711_quantize(pcm, "alaw"), f.alaw_decode(f.alaw_encode(pcm)))
    assert f.g711_quantize(pcm, "pcm_s16le") is pcm
