"""Simulated parties: the far end of a call that speaks (TTS that carries its transcript), plays audio, presses keys,
and listens (what it heard, which words, which DTMF keys).

A party's mouth is a frame queue the call pulls one frame per tick from; its ear gets every frame sent to the call.
Actions queue behind each other (``say`` after ``say`` waits for the first to end); ``at(t, …)`` schedules on the
session clock. Scripts come from the network description, e.g. ``speak: [{at: 2, say: "hello"}, {at: 5, digits: "1#"},
{after: "PlaybackFinished", delay: 0.5, say: "sales please"}]``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np

from ..clock import Clock
from .audiofile import load_audio
from .dtmf import DTMFDetector, digits_audio
from .formats import PCM, as_pcm, resample
from .frames import ClipQueue, Frame, RateConverter, kept_converter
from .tones import sine
from .tts import Speech, synthesize

__all__ = ["SimulatedParty", "Heard", "EnergyLog", "ScriptError"]

_utterances = iter(range(1 << 40, 1 << 62))


class ScriptError(ValueError):
    """A party script item that cannot be understood."""


class EnergyLog(Sequence[tuple[float, float]]):
    """``(session time, RMS)`` per frame heard, kept in two float arrays: a tuple per frame, alive for the whole call,
    was 20,000 new container objects a second with 200 calls — each young collection had to look at all of them
    (young passes of 20 ms), though they hold nothing the collector needs. Reads give tuples as before."""

    __slots__ = ("times", "levels")

    def __init__(self) -> None:
        self.times = array("d")
        self.levels = array("d")

    def add(self, when: float, rms: float) -> None:
        """Log one frame's level."""
        self.times.append(when)
        self.levels.append(rms)

    def append(self, item: tuple[float, float]) -> None:
        """``add`` for a ``(time, rms)`` pair (the list API this log replaces)."""
        self.add(item[0], item[1])

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, index: int) -> tuple[float, float]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[float, float]]: ...

    def __getitem__(self, index: int | slice) -> tuple[float, float] | list[tuple[float, float]]:
        if isinstance(index, slice):
            return list(zip(self.times[index], self.levels[index]))
        return (self.times[index], self.levels[index])

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return zip(self.times, self.levels)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EnergyLog):
            return self.times == other.times and self.levels == other.levels
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it replaces

    def __repr__(self) -> str:
        return f"EnergyLog({len(self)} frames)"


@dataclass
class Heard:
    """What a party's ear received: words (from speech tags), DTMF keys, and energy per 20 ms frame."""

    texts: list[tuple[float, str]] = field(default_factory=list)
    digits: list[tuple[float, str]] = field(default_factory=list)
    energy: EnergyLog = field(default_factory=EnergyLog)

    @property
    def transcript(self) -> str:
        """All words heard, in order."""
        return " ".join(t for _, t in self.texts)

    @property
    def digit_string(self) -> str:
        """All keys heard, in order."""
        return "".join(d for _, d in self.digits)


class SimulatedParty:
    """A caller or callee on the simulated network, with a mouth (``next_frame``) and an ear (``hear``)."""

    def __init__(self, clock: Clock, sample_rate: int = 8000, voice: str | None = None, name: str = "party",
                 keep_audio: bool = False) -> None:
        self.clock = clock
        self.sample_rate = sample_rate
        self.voice = voice
        self.name = name
        self.mouth = ClipQueue(sample_rate)  # cut into frames as they go out (see ClipQueue: the collector)
        self.heard = Heard()
        self.keep_audio = keep_audio
        self.audio_heard: list[tuple[float, PCM]] = []
        self.on_key: list[Callable[[str], None]] = []  # out-of-band key presses (the line's ToneReceived type 1)
        self.on_speech: list[Callable[[str, str], None]] = []
        self.wake: Callable[[], None] | None = None  # set by the call: audio was queued
        self.on_hangup: list[Callable[[], None]] = []
        # the ear's listeners for voiced frames (speech-tagged, or louder than ``voiced_level`` RMS), called with the
        # session time the frame was heard: a caller script tells the agent's turns apart with them
        self.on_voiced: list[Callable[[float], None]] = []
        self.voiced_level = 200.0
        self._ear_reset = False  # the key detector was reset by tagged speech and has heard nothing since
        self._speaking: int | None = None
        self._detector = DTMFDetector(sample_rate)
        self._last_utterance: int | None = None
        # the ear's converter for frames at another rate, kept across frames (``kept_converter``)
        self._ear_converter: RateConverter | None = None

    # --- mouth -----------------------------------------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Whether the party has audio queued (an idle party need not be ticked)."""
        return len(self.mouth) > 0

    def _queue(self, pcm: PCM, text: str | None = None, utterance: int = 0) -> None:
        self.mouth.put(pcm, text, utterance)
        if self.wake is not None:
            self.wake()

    def next_frame(self) -> Frame | None:
        """The frame this party sends now (None when silent); ``on_speech`` hears ``("start"|"stop", text)``."""
        frame = self.mouth.get()
        if frame is None:
            if self._speaking is not None:
                self._speaking = None
                self._speech_event("stop", "")
            return None
        speech = frame.speech
        if speech is not None and speech.utterance != self._speaking:
            if self._speaking is not None:
                self._speech_event("stop", "")
            self._speaking = speech.utterance
            self._speech_event("start", speech.text)
        if self._speaking is not None and (speech is None or speech.last):
            self._speaking = None
            self._speech_event("stop", "")
        return frame

    def _speech_event(self, action: str, text: str) -> None:
        for cb in list(self.on_speech):
            cb(action, text)

    def say(self, text: str, voice: str | None = None, wpm: int = 175) -> Speech:
        """Speak ``text`` after whatever is already queued; the frames carry the text."""
        speech = synthesize(text, self.sample_rate, voice or self.voice, wpm=wpm)
        self._queue(speech.pcm, text, next(_utterances))
        return speech

    def play(self, pcm: PCM, sample_rate: int | None = None) -> None:
        """Send raw audio (resampled to the party's rate)."""
        self._queue(resample(as_pcm(pcm), sample_rate or self.sample_rate, self.sample_rate))

    def play_file(self, path: str | Path) -> None:
        """Send a WAV/MP3/OGG file."""
        self._queue(load_audio(str(path), self.sample_rate))

    def tone(self, hz: float, seconds: float, level_db: float = -10.0) -> None:
        """Send a sine tone."""
        self._queue(sine([(hz, level_db)], seconds, self.sample_rate))

    def silence(self, seconds: float) -> None:
        """Hold the line silent for ``seconds`` before the next queued action."""
        frames = int(round(seconds * 50))
        self._queue(np.zeros(frames * self.sample_rate // 50, np.int16))

    def press(self, digits: str, inband: bool = True) -> None:
        """Press keys: inband DTMF audio (queued), or out-of-band line events to ``on_key`` listeners (immediate)."""
        if inband:
            self._queue(digits_audio(digits, self.sample_rate))
            return
        for key in digits:
            if key not in "pP,":
                for cb in list(self.on_key):
                    cb(key)

    def at(self, when: float, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``action`` at session time ``when`` (seconds)."""
        self.clock.call_at(when, lambda: action(*args, **kwargs))

    def run_script(self, items: Sequence[Mapping[str, Any]], origin: float | None = None,
                   subscribe: Callable[[str, Callable[[], None]], None] | None = None) -> None:
        """Schedule script items: ``say``, ``play``, ``tone`` (Hz, with ``duration``), ``silence`` (seconds),
        ``digits`` (with ``inband``, default true), ``hangup: true`` (after what is queued); each ``at`` seconds
        after ``origin`` (default now), or ``after`` an event (``subscribe(event, callback)`` calls back once when it
        happens) plus ``delay`` seconds."""
        start = self.clock.now() if origin is None else origin
        timed: dict[float, list[Callable[[], Any]]] = {}
        for i, item in enumerate(items):
            action = self._action(i, item)
            if "after" in item:
                if subscribe is None:
                    raise ScriptError(f"party script item {i}: 'after' needs events, which this party has not got")
                subscribe(str(item["after"]), self._later(float(item.get("delay", 0.0)), action))
            else:
                timed.setdefault(start + float(item.get("at", 0.0)), []).append(action)
        for when, actions in timed.items():  # one timer per instant: equal times keep the script's order
            self.at(when, lambda actions=actions: [a() for a in actions])

    def _later(self, delay: float, action: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            self.clock.call_later(delay, action)

        return run

    def _action(self, i: int, item: Mapping[str, Any]) -> Callable[[], Any]:
        if "say" in item:
            return lambda: self.say(str(item["say"]), item.get("voice"))
        if "play" in item:
            return lambda: self.play_file(str(item["play"]))
        if "tone" in item:
            hz, seconds, level = float(item["tone"]), float(item.get("duration", 1.0)), float(item.get("level", -10.0))
            return lambda: self.tone(hz, seconds, level)
        if "silence" in item:
            return lambda: self.silence(float(item["silence"]))
        if "digits" in item:
            return lambda: self.press(str(item["digits"]), bool(item.get("inband", True)))
        if item.get("hangup"):
            return self.hang_up
        raise ScriptError(f"party script item {i}: expected one of say, play, tone, silence, digits, hangup: {item!r}")

    def hang_up(self) -> None:
        """Hang up once everything queued has been said (``on_hangup`` listeners end the call)."""
        if self.pending:
            self.clock.call_later(0.02, self.hang_up)
            return
        for cb in list(self.on_hangup):
            cb()

    # --- ear -------------------------------------------------------------------------------------------------------

    def hear(self, frame: Frame) -> float:
        """Receive a frame sent to this party; returns its RMS level (also logged in ``heard.energy``).

        Runs for every frame a party hears: a frame marked ``silent`` (half of them) is level 0 and a run of silence
        for the key detector without a look at its samples; otherwise one dot product gives the level, and a level
        of 0 (every sample zero: the sum of squares of int16 is exact in a float64) is the same run of silence."""
        clock = self.clock
        now = clock.loop.time() - clock.origin  # Clock.now() without its call: this runs for every frame
        if frame.sample_rate != self.sample_rate:
            self._ear_converter = conv = kept_converter(self._ear_converter, frame.sample_rate, self.sample_rate)
            frame = conv.convert(frame)
        pcm = frame.pcm
        speech = frame.speech
        heard = self.heard
        if speech is not None and speech.utterance != self._last_utterance:
            self._last_utterance = speech.utterance
            heard.texts.append((now, speech.text))
        if frame.silent or not pcm.size:
            rms = 0.0
        else:
            wide = pcm.astype(np.float64)
            # one inner product (exact: integer partial sums), ~2x cheaper than @ and ~4x than np.mean of squares
            rms = math.sqrt(np.inner(wide, wide) / pcm.size)
        heard.energy.add(now, rms)
        if speech is not None:  # simulated speech/TTS carries no keys: skip the Goertzel work
            if not self._ear_reset:  # once per stretch of speech: the detector is not fed again until it ends
                self._detector.skip()
                self._ear_reset = True
        else:
            self._ear_reset = False
            detector = self._detector
            for key in detector.silence(pcm.size) if rms == 0.0 else detector.process(pcm):
                heard.digits.append((now, key))
        if self.keep_audio:
            self.audio_heard.append((now, pcm))
        if self.on_voiced and (speech is not None or rms > self.voiced_level):
            for cb in list(self.on_voiced):
                cb(now)
        return rms
