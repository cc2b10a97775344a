"""Players: TTS, URL/file, tone script, sequence and progress-tone players with VoxEngine's PlayerEvents.

A player is a media unit that emits its clip one 20 ms frame per tick while playing. Events (names are VoxEngine's
strings) go to ``listen``ers: ``Player.Created`` on the next loop turn after creation, ``Player.PlaybackReady`` when the
media is loaded, ``Player.Started`` (``duration`` in seconds) at the first frame, ``Player.PlaybackMarkerReached``
(``offset`` in ms) as markers pass, ``Player.PlaybackFinished`` at the end, ``Player.Stopped`` after ``stop()`` (never
followed by PlaybackFinished) and ``Player.Error`` (plus PlaybackFinished with ``error``) when loading fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .audiofile import AudioFileError
from .formats import PCM
from .frames import Frame, SpeechTag, split_frames
from .media_map import MediaMap, standin_warning
from .tones import ToneScriptError, progress_tone, render_tone_script
from .tts import TTSError, synthesize
from .units import MediaGraph, MediaUnit

__all__ = [
    "Player",
    "Clip",
    "PlayerState",
    "create_tts_player",
    "create_url_player",
    "create_tone_script_player",
    "create_sequence_player",
    "create_progress_tone_player",
    "CREATED",
    "PLAYBACK_READY",
    "STARTED",
    "STOPPED",
    "PLAYBACK_FINISHED",
    "ERROR",
    "PLAYBACK_MARKER_REACHED",
]

log = logging.getLogger("voxsim.media.players")

CREATED = "Player.Created"
PLAYBACK_READY = "Player.PlaybackReady"
STARTED = "Player.Started"
STOPPED = "Player.Stopped"
PLAYBACK_FINISHED = "Player.PlaybackFinished"
ERROR = "Player.Error"
PLAYBACK_MARKER_REACHED = "Player.PlaybackMarkerReached"

PlayerState = str  # "loading" | "ready" | "playing" | "paused" | "finished" | "stopped" | "error"

_speech_ids = iter(range(1, 1 << 62))


@dataclass(frozen=True, slots=True)
class Clip:
    """Loaded audio at the player's rate; ``text`` when it is speech whose words are known."""

    pcm: PCM
    text: str | None = None


Loader = Callable[[int], Clip | list[Clip]]


class Player(MediaUnit):
    """A media unit that plays a clip (or clips in sequence) once, or in a loop."""

    kind = "player"

    def __init__(
        self,
        graph: MediaGraph,
        loader: Loader,
        *,
        sample_rate: int = 8000,
        loop: bool = False,
        autostart: bool = True,
        blocking_load: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(graph, sample_rate, name)
        self.loop = loop
        self.state: PlayerState = "loading"
        self.error: str | None = None
        self.stop_reason = "stopped"  # for the trace: "replaced" when a new say()/playback took the call
        self.duration = 0.0
        self._autostart = autostart
        self._clips: list[tuple[PCM, SpeechTag | None]] = []
        self._frames: list[Frame] = []
        self._pos = 0
        self._started = False
        self._markers: list[float] = []
        self._fired: set[float] = set()
        loop_ = graph.clock.loop
        loop_.call_soon(self.emit, CREATED)
        if blocking_load:
            fut = loop_.run_in_executor(None, loader, sample_rate)
            fut.add_done_callback(lambda f: self._loaded(f.exception() or f.result()))
        else:
            loop_.call_soon(self._load_now, loader)

    # --- loading ---------------------------------------------------------------------------------------------------

    def _load_now(self, loader: Loader) -> None:
        try:
            result: Any = loader(self.sample_rate)
        except Exception as exc:  # noqa: BLE001 - reported to the scenario as Player.Error
            result = exc
        self._loaded(result)

    def _loaded(self, result: Clip | list[Clip] | BaseException) -> None:
        if self.state != "loading":
            return
        if isinstance(result, BaseException):
            self._fail(str(result) if isinstance(result, (AudioFileError, TTSError, ToneScriptError)) else repr(result))
            return
        clips = result if isinstance(result, list) else [result]
        frames: list[Frame] = []
        for clip in clips:  # silent stretches come out marked (Frame.silent): free on every hop after this
            frames.extend(split_frames(clip.pcm, self.sample_rate, clip.text, next(_speech_ids)))
        self._frames = frames
        self.duration = sum(c.pcm.size for c in clips) / self.sample_rate
        self.state = "ready"
        self.emit(PLAYBACK_READY)
        if self._autostart:
            self.play()

    def _fail(self, message: str) -> None:
        self.state = "error"
        self.error = message
        log.warning("player %s: %s", self.name, message)
        self.emit(ERROR, error=message)
        self.emit(PLAYBACK_FINISHED, error=message)
        self.changed()

    # --- control ---------------------------------------------------------------------------------------------------

    def play(self) -> None:
        """Start (or resume) playing once loaded."""
        if self.state in ("ready", "paused"):
            self.state = "playing"
            self.changed()
        elif self.state == "loading":
            self._autostart = True

    def pause(self) -> None:
        """Pause; the position is kept."""
        if self.state == "playing":
            self.state = "paused"
        elif self.state == "loading":
            self._autostart = False

    def resume(self) -> None:
        """Resume after ``pause``."""
        self.play()

    def stop(self) -> None:
        """Stop and destroy the player: ``Player.Stopped``, never PlaybackFinished afterwards."""
        if self.state in ("stopped",):
            return
        was_finished = self.state in ("finished", "error")
        self.state = "stopped"
        if not was_finished:
            self.emit(STOPPED)
        self.close()

    def add_marker(self, offset_ms: float) -> None:
        """Fire ``Player.PlaybackMarkerReached`` when playback passes ``offset_ms`` (negative: from the end)."""
        self._markers.append(float(offset_ms))

    @property
    def position(self) -> float:
        """Seconds played so far."""
        return self._pos * 0.02

    # --- the tick --------------------------------------------------------------------------------------------------

    @property
    def ticking(self) -> bool:
        return self.state == "playing"

    def pull(self) -> Frame | None:
        if not self._frames:
            self._finish()
            return None
        if not self._started:
            self._started = True
            self.emit(STARTED, duration=self.duration)
        frame = self._frames[self._pos]
        self._check_markers()
        self._pos += 1
        if self._pos >= len(self._frames):
            if self.loop:
                self._pos = 0
                self._fired.clear()
            else:
                self._frames_done()
        return frame

    def _check_markers(self) -> None:
        played_ms = self._pos * 20.0
        for marker in self._markers:
            at = marker if marker >= 0 else self.duration * 1000 + marker
            if marker not in self._fired and played_ms >= at:
                self._fired.add(marker)
                self.emit(PLAYBACK_MARKER_REACHED, offset=marker)

    def _frames_done(self) -> None:
        # the last frame is on its way this tick; report the end on the next tick boundary, as it finishes sounding
        self.state = "finishing"
        self.graph.clock.call_later(0.02, self._finish)

    def _finish(self) -> None:
        if self.state in ("finishing", "playing"):
            self.state = "finished"
            self.emit(PLAYBACK_FINISHED)


# --- factories ---------------------------------------------------------------------------------------------------


def create_tts_player(
    graph: MediaGraph, text: str, voice: str | None = None, *, sample_rate: int = 8000, **kwargs: Any
) -> Player:
    """A player speaking ``text`` (frames carry the text for simulated listeners)."""

    def load(rate: int) -> Clip:
        speech = synthesize(text, rate, voice)
        if speech.warning:
            log.warning("%s", speech.warning)
        return Clip(speech.pcm, text)

    return Player(graph, load, sample_rate=sample_rate, name=kwargs.pop("name", None), **kwargs)


def _warn_standin(url: str, warn: Callable[[str], None] | None) -> None:
    """The stand-in's warning goes to ``warn`` (the session's trace, printed by the CLI), else to the log."""
    if warn is not None:
        warn(standin_warning(url))
    else:
        log.warning("%s", standin_warning(url))


def create_url_player(
    graph: MediaGraph, url: str, *, sample_rate: int = 8000, base_dir: Path | None = None,
    media_map: MediaMap | None = None, warn: Callable[[str], None] | None = None, **kwargs: Any
) -> Player:
    """A player for a WAV/MP3/OGG file path, ``file://`` URL or loopback ``http://`` URL (http loads off-loop).

    With ``media_map`` a remote URL plays what the map says, else a synthetic stand-in (``warn`` gets the message)
    unless the map is strict; without one, a remote URL fails with ``Player.Error`` as it always did."""
    resolver = media_map if media_map is not None else MediaMap(strict=True)
    try:
        source = resolver.resolve(url, base_dir)
    except AudioFileError as exc:
        err = exc

        def load(rate: int) -> Clip:  # report the bad URL through Player.Error
            raise err

        return Player(graph, load, sample_rate=sample_rate, **kwargs)
    if source.kind == "standin":
        _warn_standin(url, warn)

    def load_source(rate: int) -> Clip:
        return Clip(source.load(rate))

    return Player(graph, load_source, sample_rate=sample_rate, blocking_load=source.remote, **kwargs)


def create_tone_script_player(graph: MediaGraph, script: str, *, sample_rate: int = 8000, **kwargs: Any) -> Player:
    """A player for a tone script such as ``"425@-19;*(1/4/1)"`` (a ``*`` section loops until stopped)."""

    def load(rate: int) -> Clip:
        pcm, _ = render_tone_script(script, rate)
        return Clip(pcm)

    loops = False
    try:
        loops = render_tone_script(script, 8000, max_seconds=0.02)[1]
    except ToneScriptError:
        pass
    return Player(graph, load, sample_rate=sample_rate, loop=kwargs.pop("loop", loops), **kwargs)


def create_progress_tone_player(graph: MediaGraph, country: str, *, sample_rate: int = 8000, **kwargs: Any) -> Player:
    """The ring-back tone of ``country`` (``US``, ``RU``, ``GB``, …), looping until stopped."""
    return create_tone_script_player(graph, progress_tone(country), sample_rate=sample_rate, loop=True, **kwargs)


def create_sequence_player(
    graph: MediaGraph, segments: Sequence[dict[str, Any]], *, sample_rate: int = 8000,
    base_dir: Path | None = None, media_map: MediaMap | None = None, warn: Callable[[str], None] | None = None,
    **kwargs: Any
) -> Player:
    """Segments played back to back: ``{"type": "tts", "text", "voice"?}``, ``{"type": "url", "url"}``,
    ``{"type": "tone", "script"}`` or ``{"type": "silence", "duration"}`` (seconds); URLs resolve as in
    ``create_url_player``."""
    resolver = media_map if media_map is not None else MediaMap(strict=True)

    def url_clip(url: str, rate: int) -> Clip:
        source = resolver.resolve(url, base_dir)
        if source.kind == "standin":
            _warn_standin(url, warn)
        return Clip(source.load(rate))

    def load(rate: int) -> list[Clip]:
        clips: list[Clip] = []
        for i, seg in enumerate(segments):
            kind = str(seg.get("type", "tts" if "text" in seg else "url" if "url" in seg else "")).lower()
            if kind == "tts":
                text = str(seg.get("text", ""))
                clips.append(Clip(synthesize(text, rate, seg.get("voice") or seg.get("language")).pcm, text))
            elif kind in ("url", "file", "playback"):
                clips.append(url_clip(str(seg["url"]), rate))
            elif kind in ("tone", "tonescript"):
                clips.append(Clip(render_tone_script(str(seg.get("script") or seg.get("sequence")), rate, 30.0)[0]))
            elif kind in ("silence", "pause"):
                clips.append(Clip(np.zeros(int(float(seg.get("duration", 1.0)) * rate), np.int16)))
            else:
                raise AudioFileError(f"sequence segment {i}: unknown type {kind!r}: expected tts, url, tone or silence")
        return clips

    return Player(graph, load, sample_rate=sample_rate, **kwargs)
