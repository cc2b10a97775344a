"""Audio formats: G.711 µ-law/A-law, 16-bit PCM byte order, resampling, base64 framing, format names.

The in-memory form of audio everywhere in voxsim is a 1-D numpy ``int16`` array at a known sample rate. G.711 is done
with lookup tables built once from the ITU-T G.711 segment rules (the same results as CPython's ``audioop``, which is
gone in Python 3.13); whole clips are resampled with soxr, streams with a polyphase FIR (``resampling``).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import soxr

from .resampling import StreamResampler

__all__ = [
    "PCM",
    "SAMPLE_RATES",
    "FRAME_MS",
    "Encoding",
    "AudioFormat",
    "FormatError",
    "frame_samples",
    "as_pcm",
    "ulaw_encode",
    "ulaw_decode",
    "alaw_encode",
    "alaw_decode",
    "g711_quantize",
    "g711_round_table",
    "pcm_to_bytes",
    "pcm_from_bytes",
    "resample",
    "Resampler",
    "encode",
    "decode",
    "b64_encode",
    "b64_decode",
    "parse_format",
    "websocket_format",
]

PCM = npt.NDArray[np.int16]
"""Mono 16-bit PCM samples: the in-memory form of audio."""

SAMPLE_RATES: tuple[int, ...] = (8000, 16000, 22050, 24000, 44100, 48000)
"""Sample rates the media graph accepts for PCM units."""

FRAME_MS = 20
"""The frame duration every unit exchanges."""

Encoding = Literal["pcm_s16le", "mulaw", "alaw"]


class FormatError(ValueError):
    """A format name, rate or payload that voxsim cannot handle."""


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """An encoding plus a sample rate, e.g. ``mulaw_8000`` or ``pcm_16000`` (mono)."""

    encoding: Encoding
    sample_rate: int

    @property
    def name(self) -> str:
        """The Cartesia-style name: ``mulaw_8000``, ``alaw_8000``, ``pcm_16000``."""
        prefix = "pcm" if self.encoding == "pcm_s16le" else self.encoding
        return f"{prefix}_{self.sample_rate}"

    @property
    def bytes_per_sample(self) -> int:
        """2 for PCM, 1 for G.711."""
        return 2 if self.encoding == "pcm_s16le" else 1

    def frame_bytes(self, ms: int = FRAME_MS) -> int:
        """Payload size of ``ms`` milliseconds of audio in this format."""
        return frame_samples(self.sample_rate, ms) * self.bytes_per_sample


def frame_samples(sample_rate: int, ms: int = FRAME_MS) -> int:
    """Samples in ``ms`` milliseconds at ``sample_rate`` (441 for 10 ms at 44.1 kHz: all supported rates divide)."""
    return sample_rate * ms // 1000


_INT16 = np.dtype(np.int16)


def as_pcm(samples: npt.ArrayLike) -> PCM:
    """Coerce to a contiguous 1-D int16 array; floats are taken as -1..1 and clipped."""
    if type(samples) is np.ndarray and samples.dtype == _INT16 and samples.ndim == 1 and samples.flags.c_contiguous:
        return samples  # the common case, on every hop: no new array
    arr = np.asarray(samples)
    if arr.dtype == np.int16:
        flat: PCM = np.ascontiguousarray(arr.reshape(-1))
        return flat
    if np.issubdtype(arr.dtype, np.floating):
        arr = np.round(arr.reshape(-1) * 32767.0)
    clipped: PCM = np.clip(arr.reshape(-1), -32768, 32767).astype(np.int16)
    return clipped


# --- G.711 tables -------------------------------------------------------------------------------------------------

_SEG_UEND = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)
_SEG_AEND = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF], dtype=np.int32)


def _build_ulaw_encode_table() -> npt.NDArray[np.uint8]:
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2  # 14-bit
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(pcm), 8159) + 0x21
    seg = np.searchsorted(_SEG_UEND, mag, side="left")
    uval = (seg << 4) | ((mag >> (seg + 1)) & 0xF)
    out = np.where(seg >= 8, 0x7F, uval) ^ mask
    table = out.astype(np.uint8)
    return np.roll(table, -32768)  # index by the uint16 view of the sample


def _build_ulaw_decode_table() -> PCM:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84).astype(np.int16)


def _build_alaw_encode_table() -> npt.NDArray[np.uint8]:
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 3  # 13-bit
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    mag = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = np.searchsorted(_SEG_AEND, mag, side="left")
    low = np.where(seg < 2, (mag >> 1) & 0xF, (mag >> np.maximum(seg, 1)) & 0xF)
    aval = np.where(seg >= 8, 0x7F, (seg << 4) | low) ^ mask
    return np.roll(aval.astype(np.uint8), -32768)


def _build_alaw_decode_table() -> PCM:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


_ULAW_ENC = _build_ulaw_encode_table()
_ULAW_DEC = _build_ulaw_decode_table()
_ALAW_ENC = _build_alaw_encode_table()
_ALAW_DEC = _build_alaw_decode_table()


def ulaw_encode(pcm: npt.ArrayLike) -> bytes:
    """16-bit PCM → G.711 µ-law bytes (one byte per sample)."""
    return _ULAW_ENC.take(as_pcm(pcm).view(np.uint16)).tobytes()


def ulaw_decode(data: bytes) -> PCM:
    """G.711 µ-law bytes → 16-bit PCM."""
    return _ULAW_DEC.take(np.frombuffer(data, dtype=np.uint8))


def alaw_encode(pcm: npt.ArrayLike) -> bytes:
    """16-bit PCM → G.711 A-law bytes."""
    return _ALAW_ENC.take(as_pcm(pcm).view(np.uint16)).tobytes()


def alaw_decode(data: bytes) -> PCM:
    """G.711 A-law bytes → 16-bit PCM."""
    return _ALAW_DEC.take(np.frombuffer(data, dtype=np.uint8))


_ULAW_ROUND = _ULAW_DEC[_ULAW_ENC]
_ALAW_ROUND = _ALAW_DEC[_ALAW_ENC]


def g711_round_table(encoding: Encoding) -> PCM | None:
    """The table ``g711_quantize`` looks samples up in (index: the sample as uint16), or None for linear PCM: for a
    per-frame caller that keeps it at hand (``table.take(pcm.view(np.uint16))`` is the whole quantizer)."""
    return _ULAW_ROUND if encoding == "mulaw" else _ALAW_ROUND if encoding == "alaw" else None


def g711_quantize(pcm: PCM, encoding: Encoding) -> PCM:
    """What ``pcm`` sounds like after a G.711 hop (``decode(encode(pcm))`` in one table lookup); PCM is unchanged."""
    if encoding == "mulaw":
        return _ULAW_ROUND.take(pcm.view(np.uint16))
    if encoding == "alaw":
        return _ALAW_ROUND.take(pcm.view(np.uint16))
    return pcm


def pcm_to_bytes(pcm: npt.ArrayLike) -> bytes:
    """16-bit PCM → little-endian bytes (the wire and WAV byte order)."""
    return as_pcm(pcm).astype("<i2", copy=False).tobytes()


def pcm_from_bytes(data: bytes) -> PCM:
    """Little-endian 16-bit bytes → PCM; an odd trailing byte is an error."""
    if len(data) % 2:
        raise FormatError(f"16-bit PCM payload has an odd length ({len(data)} bytes)")
    return np.frombuffer(data, dtype="<i2").astype(np.int16)


# --- resampling ---------------------------------------------------------------------------------------------------


def resample(pcm: npt.ArrayLike, from_rate: int, to_rate: int) -> PCM:
    """Resample a whole clip with soxr (high quality); identity when the rates match."""
    samples = as_pcm(pcm)
    if from_rate == to_rate or samples.size == 0:
        return samples
    return np.asarray(soxr.resample(samples, from_rate, to_rate), dtype=np.int16).reshape(-1)


class Resampler:
    """Streaming resampler for chunk-by-chunk conversion (keeps filter state between chunks).

    A polyphase FIR (``resampling.StreamResampler``) with its ~2 ms delay taken out: the first ``delay`` output
    samples are dropped and ``last`` flushes the tail, so the whole output lines up with the input and has its
    length at the new rate. Output comes with every chunk (soxr's streaming mode holds it back in ~100 ms bursts,
    too coarse for 20 ms media; ``resample`` uses soxr for whole clips).
    """

    __slots__ = ("from_rate", "to_rate", "_stream", "_skip")

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._stream = None if from_rate == to_rate else StreamResampler(from_rate, to_rate)
        self._skip = self._stream.delay if self._stream is not None else 0

    def process(self, pcm: npt.ArrayLike, last: bool = False) -> PCM:
        """Feed a chunk; returns the output ready so far (with ``last``, everything, flushing the filter)."""
        samples = as_pcm(pcm)
        stream = self._stream
        if stream is None:
            return samples
        out = stream.process(samples) if samples.size else np.zeros(0, np.int16)
        if last:
            out = np.concatenate([out, stream.flush()])
        if self._skip:
            dropped = min(self._skip, out.size)
            out = out[dropped:]
            self._skip -= dropped
        if last:
            self._skip = stream.delay
        return out


# --- encodings and names -------------------------------------------------------------------------------------------


def encode(pcm: npt.ArrayLike, fmt: AudioFormat, from_rate: int | None = None) -> bytes:
    """PCM (at ``from_rate``, default the format's rate) → payload bytes in ``fmt``."""
    samples = as_pcm(pcm)
    if from_rate is not None and from_rate != fmt.sample_rate:
        samples = resample(samples, from_rate, fmt.sample_rate)
    if fmt.encoding == "mulaw":
        return ulaw_encode(samples)
    if fmt.encoding == "alaw":
        return alaw_encode(samples)
    return pcm_to_bytes(samples)


def decode(data: bytes, fmt: AudioFormat, to_rate: int | None = None) -> PCM:
    """Payload bytes in ``fmt`` → PCM (resampled to ``to_rate`` when given)."""
    if fmt.encoding == "mulaw":
        samples = ulaw_decode(data)
    elif fmt.encoding == "alaw":
        samples = alaw_decode(data)
    else:
        samples = pcm_from_bytes(data)
    if to_rate is not None and to_rate != fmt.sample_rate:
        samples = resample(samples, fmt.sample_rate, to_rate)
    return samples


def b64_encode(payload: bytes) -> str:
    """Bytes → base64 text for JSON media frames."""
    return base64.b64encode(payload).decode("ascii")


def b64_decode(text: str) -> bytes:
    """Base64 text from a JSON media frame → bytes; malformed input raises FormatError."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FormatError(f"media payload is not valid base64: {exc}") from None


_NAME_RE = re.compile(r"^(pcm|pcm_s16le|linear16|mulaw|ulaw|alaw)_?(\d+)$", re.IGNORECASE)
_ENCODING_ALIASES: dict[str, Encoding] = {
    "pcm": "pcm_s16le",
    "pcm_s16le": "pcm_s16le",
    "linear16": "pcm_s16le",
    "mulaw": "mulaw",
    "ulaw": "mulaw",
    "alaw": "alaw",
}


def parse_format(name: str) -> AudioFormat:
    """Parse Cartesia's names (``mulaw_8000``, ``alaw_8000``, ``pcm_16000``, ``pcm_24000``, ``pcm_44100``) and kin."""
    match = _NAME_RE.match(name.strip())
    if not match:
        raise FormatError(f"unknown audio format {name!r}: expected e.g. 'mulaw_8000' or 'pcm_16000'")
    encoding = _ENCODING_ALIASES[match.group(1).lower()]
    rate = int(match.group(2))
    if encoding != "pcm_s16le" and rate != 8000:
        raise FormatError(f"G.711 ({encoding}) runs at 8000 Hz, not {rate}")
    if rate not in SAMPLE_RATES:
        raise FormatError(f"unsupported sample rate {rate} in {name!r}: expected one of {SAMPLE_RATES}")
    return AudioFormat(encoding, rate)


_WS_ENCODINGS: dict[str, AudioFormat] = {
    "PCM8": AudioFormat("pcm_s16le", 8000),
    "PCM16_8KHZ": AudioFormat("pcm_s16le", 8000),
    "PCM16": AudioFormat("pcm_s16le", 16000),
    "PCM16_16KHZ": AudioFormat("pcm_s16le", 16000),
    "ULAW": AudioFormat("mulaw", 8000),
    "ALAW": AudioFormat("alaw", 8000),
}


def websocket_format(encoding: str | None) -> AudioFormat:
    """VoxEngine's ``WebSocketAudioEncoding`` value (``PCM8`` default, ``PCM16``, ``ULAW``, ``ALAW``) → format.

    OPUS is not offered: voxsim has no Opus framing for WebSocket media and says so instead of mislabelling PCM.
    """
    key = (encoding or "PCM8").upper()
    if key in _WS_ENCODINGS:
        return _WS_ENCODINGS[key]
    if key == "OPUS":
        raise FormatError("WebSocket media encoding OPUS is not supported by voxsim; use PCM8, PCM16, ULAW or ALAW")
    raise FormatError(f"unknown WebSocket media encoding {encoding!r}: expected PCM8, PCM16, ULAW or ALAW")
