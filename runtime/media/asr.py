"""Emulated speech recognition: an ASR unit that "hears" the transcript simulated speech carries.

Utterance timing comes from a voice-activity detector (webrtcvad): speech starts after 60 ms of voiced frames
(``ASR.CaptureStarted``) and ends after ``end_silence`` seconds without (``ASR.SpeechCaptured``, then ``ASR.Result``).
The text is the one carried by the frames' speech tags (TTS, simulated parties). Audio without a transcript is decoded
by pocketsphinx when it is installed (phrase hints become a JSGF grammar); otherwise ``ASR.Error`` says why.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import webrtcvad

from .formats import PCM
from .frames import Frame
from .units import MediaGraph, MediaUnit

__all__ = ["ASRUnit", "STARTED", "CAPTURE_STARTED", "SPEECH_CAPTURED", "INTERIM_RESULT", "RESULT", "ERROR", "STOPPED",
           "pocketsphinx_available"]

log = logging.getLogger("voxsim.media.asr")

STARTED = "ASR.Started"
CAPTURE_STARTED = "ASR.CaptureStarted"
SPEECH_CAPTURED = "ASR.SpeechCaptured"
INTERIM_RESULT = "ASR.InterimResult"
RESULT = "ASR.Result"
ERROR = "ASR.Error"
STOPPED = "ASR.Stopped"

_START_FRAMES = 3


@functools.cache
def pocketsphinx_available() -> bool:
    """Whether the optional pocketsphinx recogniser can be imported."""
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        return False
    return True


_decoder_lock = threading.Lock()


def _recognize(pcm: PCM, hints: tuple[str, ...]) -> str:
    """Decode 16 kHz audio with pocketsphinx (blocking; run in an executor)."""
    with _decoder_lock:
        decoder = _decoder(hints)
        decoder.start_utt()
        decoder.process_raw(pcm.astype("<i2").tobytes(), full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


@functools.lru_cache(maxsize=4)
def _decoder(hints: tuple[str, ...]) -> Any:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    words = [re.sub(r"[^a-z' ]", " ", h.lower()).strip() for h in hints]
    if any(words):
        grammar = "#JSGF V1.0;\ngrammar hints;\npublic <hint> = " + " | ".join(w for w in words if w) + ";\n"
        decoder.add_jsgf_string("hints", grammar)
        decoder.activate_search("hints")
    return decoder


class ASRUnit(MediaUnit):
    """The ``VoxEngine.createASR`` unit (16 kHz): send a call's audio to it and listen for ``ASR.Result``."""

    kind = "asr"

    def __init__(
        self,
        graph: MediaGraph,
        language: str = "en-US",
        *,
        interim_results: bool = False,
        single_utterance: bool = False,
        phrase_hints: Sequence[str] = (),
        end_silence: float = 0.6,
        vad_mode: int = 2,
        name: str | None = None,
    ) -> None:
        super().__init__(graph, 16000, name)
        self.language = language
        self.interim_results = interim_results
        self.single_utterance = single_utterance
        self.phrase_hints = tuple(str(h) for h in phrase_hints)
        self.results: list[str] = []
        self._vad = webrtcvad.Vad(vad_mode)
        self._end_frames = max(1, round(end_silence / 0.02))
        self._frame: Frame | None = None
        self._voiced_run = 0
        self._silent_run = 0
        self._in_speech = False
        self._audio: list[PCM] = []
        self._texts: list[str] = []
        self._progress: list[int] = []  # words of each text heard so far
        self._last_interim = ""
        self._utterances: set[int] = set()
        self._started_at = graph.clock.now()
        self._stopped = False
        graph.watch(self)
        # a stop() before this runs (same JS task) means no Started after Stopped
        graph.clock.call_soon(lambda: None if self._stopped else self.emit(STARTED))

    def push(self, frame: Frame) -> None:
        self._frame = frame

    def after_tick(self) -> None:
        frame, self._frame = self._frame, None
        pcm = frame.pcm if frame is not None else np.zeros(320, np.int16)
        voiced = pcm.size == 320 and bool(pcm.any()) and self._vad.is_speech(pcm.astype("<i2").tobytes(), 16000)
        tag = frame.speech if frame is not None else None
        if tag is not None:
            if tag.utterance not in self._utterances:
                self._utterances.add(tag.utterance)
                self._texts.append(tag.text)
                self._progress.append(0)
            words = len(tag.text.split())
            heard = -(-words * (tag.index + 1) // tag.count) if tag.count else words
            slot = len(self._texts) - 1
            if tag.text == self._texts[slot]:
                self._progress[slot] = max(self._progress[slot], heard)
            if self.interim_results and self._in_speech:
                self._interim()
        if self._in_speech:
            self._audio.append(pcm)
            self._silent_run = 0 if voiced else self._silent_run + 1
            if self._silent_run >= self._end_frames:
                self._end_utterance()
            return
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        self._audio = (self._audio + [pcm])[-_START_FRAMES:]
        if not voiced and frame is not None and frame.speech is None:
            self._texts, self._progress, self._utterances = [], [], set()  # stray tags before speech belong to nothing
        if self._voiced_run >= _START_FRAMES:
            self._in_speech = True
            self._silent_run = 0
            self.emit(CAPTURE_STARTED)
            if self.interim_results:
                self._interim()

    def _interim(self) -> None:
        """``ASR.InterimResult`` with the words heard so far (simulated speech reveals its words as it plays)."""
        words = [w for text, n in zip(self._texts, self._progress) for w in text.split()[:n]]
        text = " ".join(words)
        if text and text != self._last_interim:
            self._last_interim = text
            self.emit(INTERIM_RESULT, text=text)

    def _end_utterance(self) -> None:
        audio = np.concatenate(self._audio)
        texts = self._texts
        self._in_speech = False
        self._voiced_run = 0
        self._audio, self._texts, self._progress, self._utterances = [], [], [], set()
        self._last_interim = ""
        self.emit(SPEECH_CAPTURED)
        end_time = self.graph.clock.now() - self._started_at
        if texts:
            self._result(" ".join(texts), 1.0, end_time)
        elif pocketsphinx_available():
            future = self.graph.clock.loop.run_in_executor(None, _recognize, audio, self.phrase_hints)
            future.add_done_callback(lambda f: self._recognized(f, end_time))
        else:
            self.emit(ERROR, error="ASR: the audio carries no simulated-speech transcript and pocketsphinx is not "
                                   "installed (pip install pocketsphinx) to recognise it")

    def _recognized(self, future: Any, end_time: float) -> None:
        if self._stopped:
            return
        exc = future.exception()
        if exc is not None:
            self.emit(ERROR, error=f"ASR: pocketsphinx failed: {exc}")
            return
        self._result(future.result(), 0.5, end_time)

    def _result(self, text: str, confidence: float, end_time: float) -> None:
        self.results.append(text)
        self.emit(RESULT, text=text, confidence=confidence, resultEndTime=round(end_time, 3),
                  languageCode=self.language)
        if self.single_utterance:
            self.stop()

    def stop(self) -> None:
        """Stop recognising: ``ASR.Stopped`` {cost, duration}."""
        if self._stopped:
            return
        self._stopped = True
        self.graph.watch(self, False)
        self.emit(STOPPED, cost=0, duration=round(self.graph.clock.now() - self._started_at, 3))
        self.close()
