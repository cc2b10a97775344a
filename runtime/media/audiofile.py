"""Decoding audio files and URLs (WAV, MP3, OGG, … through PyAV) into mono PCM at a chosen rate."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import unquote, urlparse

import av
import numpy as np

from .formats import PCM

__all__ = ["AudioFileError", "load_audio", "resolve_media_url", "is_loopback_url"]


class AudioFileError(RuntimeError):
    """A media URL that cannot be read: missing file, remote host, undecodable data."""


def is_loopback_url(url: str) -> bool:
    """An http(s) URL whose host is this machine (``localhost`` or a loopback address): the only kind voxsim opens."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        return False
    host = parsed.hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_media_url(url: str, base_dir: Path | None = None) -> str:
    """A path or URL PyAV can open: plain paths and ``file://`` URLs become paths (relative to ``base_dir``);
    ``http(s)://`` is allowed only for loopback hosts, since voxsim never reaches the internet."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file") or (len(parsed.scheme) == 1 and url[1:3] in (":\\", ":/")):
        path = Path(unquote(parsed.path) if parsed.scheme == "file" else url)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise AudioFileError(f"media file not found: {path}")
        return str(path)
    if parsed.scheme in ("http", "https"):
        if not is_loopback_url(url):
            raise AudioFileError(f"{url}: voxsim plays http(s) media from local servers only (127.0.0.1/localhost); "
                                 f"map the URL to a local file with --media-map or --media-dir")
        return url
    raise AudioFileError(f"{url}: unsupported media URL scheme {parsed.scheme!r} (expected a path, file:// or http://)")


def load_audio(url: str, sample_rate: int, base_dir: Path | None = None, timeout: float = 10.0) -> PCM:
    """Decode the whole file at ``url`` into mono int16 PCM at ``sample_rate`` (blocking; run off-loop for http)."""
    target = resolve_media_url(url, base_dir)
    options = {"rw_timeout": str(int(timeout * 1_000_000))} if target.startswith("http") else {}
    chunks: list[np.ndarray] = []
    try:
        with av.open(target, options=options) as container:
            if not container.streams.audio:
                raise AudioFileError(f"{url}: no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioFileError:
        raise
    except (av.FFmpegError, OSError) as exc:
        raise AudioFileError(f"{url}: cannot decode audio ({exc})") from None
    return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)
