"""Public media URLs offline: a media map (URL or glob → local file, tone or silence) and a stand-in for the rest.

Real scenarios play hold music and prompts from public URLs (``https://cdn.voximplant.com/toto.mp3``). voxsim never
opens a non-loopback connection, so such a URL is played from what the map says, else from a file of the same name in
``media_dir``, else (unless ``strict``) as a synthetic stand-in of ``STANDIN_SECONDS`` so the scenario's normal path
runs; the caller of ``MediaMap.resolve`` reports the stand-in as a warning naming the URL and ``--media-map``.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np

from .audiofile import AudioFileError, is_loopback_url, load_audio, resolve_media_url
from .formats import PCM
from .tones import ToneScriptError, render_tone_script

__all__ = ["MediaMap", "MediaMapError", "MediaSource", "STANDIN_SECONDS", "STANDIN_SCRIPT", "standin_warning"]

STANDIN_SECONDS = 10.0
# a soft two-tone chirp, 0.3 s on / 0.7 s off: audible in a recording, and obviously not music or speech
STANDIN_SCRIPT = f"440@-24,660@-30;{STANDIN_SECONDS:g}(0.3/0.7/1+2)"
_TONE_SHORT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:@\s*(-?\d+(?:\.\d+)?))?\s*(?:/\s*(\d+(?:\.\d+)?))?\s*")


class MediaMapError(ValueError):
    """A media map file or entry that cannot be used (says which entry and why)."""


def standin_warning(url: str) -> str:
    """The warning for an unmapped remote URL: what plays instead and how to map it."""
    return (f"media {url} is not reachable offline: playing a {STANDIN_SECONDS:g} s synthetic stand-in; "
            f"map it to a local file with --media-map (settings['media_map']) or --media-dir, "
            f"or use --strict-media for Player.Error")


@dataclass(frozen=True, slots=True)
class MediaSource:
    """Where a media URL's audio comes from: ``kind`` is ``file`` (a local path), ``loopback`` (an http URL on this
    machine, loaded off-loop), ``tone`` (a tone script), ``silence`` (seconds) or ``standin``."""

    url: str
    kind: str
    target: str
    mapped_by: str | None = None  # the map pattern, "media_dir", or None

    @property
    def remote(self) -> bool:
        """Loaded through the network stack (loopback only): off the event loop."""
        return self.kind == "loopback"

    def load(self, sample_rate: int) -> PCM:
        """The whole clip as mono int16 at ``sample_rate``."""
        if self.kind in ("file", "loopback"):
            return load_audio(self.target, sample_rate)
        if self.kind == "silence":
            return np.zeros(int(round(float(self.target) * sample_rate)), np.int16)
        return render_tone_script(self.target, sample_rate, max_seconds=30.0)[0]


def _target_source(url: str, target: str, base: Path | None, pattern: str) -> MediaSource:
    """A map entry's right-hand side → a source (checked now, so a bad map fails before the session starts)."""
    if target.startswith("silence:"):
        try:
            seconds = float(target[8:])
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= 3600:
            raise MediaMapError(f"media map {pattern!r}: expected silence:<seconds> (0..3600), got {target!r}")
        return MediaSource(url, "silence", f"{seconds:g}", pattern)
    if target.startswith("tone:"):
        spec = target[5:].strip()
        short = _TONE_SHORT.fullmatch(spec)
        if short:  # tone:440, tone:440@-19, tone:440/3 (3 s; default 10 s)
            hz, level, length = short.group(1), short.group(2) or "-19", short.group(3) or f"{STANDIN_SECONDS:g}"
            spec = f"{hz}@{level};{length}({length}/0/1)"
        try:
            render_tone_script(spec, 8000, max_seconds=0.02)
        except ToneScriptError as exc:
            raise MediaMapError(f"media map {pattern!r}: {exc}") from None
        return MediaSource(url, "tone", spec, pattern)
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+://", target) and not target.startswith("file://"):
        if not is_loopback_url(target):
            raise MediaMapError(f"media map {pattern!r}: {target} is not a local file or a loopback URL")
        return MediaSource(url, "loopback", target, pattern)
    try:
        path = resolve_media_url(target, base)
    except AudioFileError as exc:
        raise MediaMapError(f"media map {pattern!r}: {exc}") from None
    return MediaSource(url, "file", path, pattern)


def _strip_query(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


@dataclass
class MediaMap:
    """URL → local media, from ``--media-map``/``--media-dir`` or the session settings.

    ``entries`` are (pattern, target) in order: exact URLs win, then globs (``fnmatch``: ``*`` also crosses ``/``)
    in the order given; a URL also matches without its ``?query``/``#fragment``. ``base`` is where relative targets
    live (the map file's folder)."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    media_dir: Path | None = None
    strict: bool = False
    base: Path | None = None

    def __post_init__(self) -> None:
        for pattern, target in self.entries:  # validate every entry up front
            _target_source(pattern, target, self.base, pattern)

    @classmethod
    def load(cls, path: Path | str, **kwargs: Any) -> MediaMap:
        """Read a YAML or JSON mapping ``{url or glob: path | tone:<spec> | silence:<seconds>}``."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MediaMapError(f"cannot read media map {path}: {exc}") from None
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                import yaml

                data = yaml.safe_load(text)
        except Exception as exc:  # noqa: BLE001 - a parse error of either format, reported with the file name
            raise MediaMapError(f"media map {path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                                f"{exc}") from None
        return cls.from_mapping(data or {}, base=path.parent.resolve(), **kwargs)

    @classmethod
    def from_mapping(cls, data: Any, **kwargs: Any) -> MediaMap:
        """A map from a dict (``{"media": {...}}`` is accepted too, for a map inside a larger settings file)."""
        if isinstance(data, Mapping) and set(data) == {"media"} and isinstance(data["media"], Mapping):
            data = data["media"]
        if not isinstance(data, Mapping):
            raise MediaMapError(f"media map: expected a mapping of URL → file, got {type(data).__name__}")
        entries = []
        for key, value in data.items():
            if not isinstance(value, (str, Path)):
                raise MediaMapError(f"media map {key!r}: expected a file path, tone:<spec> or silence:<seconds>")
            entries.append((str(key), str(value)))
        return cls(entries, **kwargs)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> MediaMap:
        """``settings["media_map"]`` (a path, a mapping or a ``MediaMap``), ``media_dir`` and ``strict_media``."""
        raw = settings.get("media_map")
        media_dir = Path(settings["media_dir"]) if settings.get("media_dir") else None
        strict = bool(settings.get("strict_media", False))
        if isinstance(raw, MediaMap):
            return cls(list(raw.entries), media_dir or raw.media_dir, strict or raw.strict, raw.base)
        if raw is None:
            return cls([], media_dir, strict)
        if isinstance(raw, (str, Path)):
            return cls.load(raw, media_dir=media_dir, strict=strict)
        return cls.from_mapping(raw, media_dir=media_dir, strict=strict)

    def lookup(self, url: str) -> tuple[str, str] | None:
        """The (pattern, target) entry for ``url``, or None."""
        bare = _strip_query(url)
        for pattern, target in self.entries:
            if pattern in (url, bare):
                return pattern, target
        for pattern, target in self.entries:
            if any(ch in pattern for ch in "*?[") and (fnmatch.fnmatchcase(url, pattern)
                                                      or fnmatch.fnmatchcase(bare, pattern)):
                return pattern, target
        return None

    def resolve(self, url: str, base_dir: Path | None = None) -> MediaSource:
        """Where ``url``'s audio comes from; ``AudioFileError`` (→ ``Player.Error``) for a missing local file, an
        unsupported scheme, or an unmapped remote URL in strict mode. Never opens a connection."""
        entry = self.lookup(url)
        if entry is not None:
            try:
                return _target_source(url, entry[1], self.base, entry[0])
            except MediaMapError as exc:  # the file went away since the map was read
                raise AudioFileError(str(exc)) from None
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or is_loopback_url(url):
            return MediaSource(url, "loopback" if parsed.scheme in ("http", "https") else "file",
                               resolve_media_url(url, base_dir or self.media_dir))
        name = PurePosixPath(unquote(parsed.path)).name
        if self.media_dir is not None and name and (self.media_dir / name).is_file():
            return MediaSource(url, "file", str(self.media_dir / name), "media_dir")
        if self.strict:
            resolve_media_url(url)  # raises the offline error
        return MediaSource(url, "standin", STANDIN_SCRIPT)
