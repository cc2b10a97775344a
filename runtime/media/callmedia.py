"""A call's media endpoint: the unit ``Call`` wraps for say/startPlayback/record/sendMediaTo/handleTones/sendDigits.

The unit's output is what the call's remote party sends (pulled from a ``RemoteEnd``: a simulated party or an aiortc
track); its input is what the call plays to the remote party. Call-level events go to ``listen``ers under VoxEngine's
names: ``Call.PlaybackReady``/``Call.PlaybackStarted``/``Call.PlaybackFinished``, ``Call.ToneReceived`` {tone, type},
``Call.RecordStarted`` {url}, ``Call.RecordStopped`` {url, duration, cost}.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from . import players as P
from .dtmf import DTMFDetector, digits_audio
from .formats import AudioFormat, g711_quantize, g711_round_table, parse_format
from .frames import Frame, RateConverter, kept_converter, silent_frame, split_frames
from .recorder import RECORD_STARTED, RECORD_STOPPED, CallRecorder
from .units import MediaGraph, MediaUnit

__all__ = ["RemoteEnd", "CallMedia", "PLAYBACK_READY", "PLAYBACK_STARTED", "PLAYBACK_FINISHED", "TONE_RECEIVED"]

PLAYBACK_READY = "Call.PlaybackReady"
PLAYBACK_STARTED = "Call.PlaybackStarted"
PLAYBACK_FINISHED = "Call.PlaybackFinished"
TONE_RECEIVED = "Call.ToneReceived"

_QUIET: dict[tuple[int, int, str], Frame] = {}


def _quantized_silence(size: int, rate: int, law: Any) -> Frame:
    """``size`` zero samples after a G.711 hop (A-law has no zero: it gives ±8), read-only and shared; marked
    ``silent`` when it is (µ-law)."""
    key = (size, rate, law)
    quiet = _QUIET.get(key)
    if quiet is None:
        pcm = g711_quantize(np.zeros(size, np.int16), law)
        pcm.setflags(write=False)
        quiet = _QUIET[key] = Frame(pcm, rate, None, None, law, not pcm.any())
    return quiet


_PLAYER_TO_CALL = {
    P.PLAYBACK_READY: PLAYBACK_READY,
    P.STARTED: PLAYBACK_STARTED,
    P.PLAYBACK_FINISHED: PLAYBACK_FINISHED,
}


class RemoteEnd(Protocol):
    """The far side of a call leg: a simulated party or a WebRTC peer."""

    def next_frame(self) -> Frame | None:
        """What the remote party sends this tick."""

    def hear(self, frame: Frame) -> object:
        """What the call sends to the remote party this tick (a return value, e.g. a party's level, is ignored)."""


class CallMedia(MediaUnit):
    """The media unit of one call leg."""

    kind = "call"

    def __init__(self, graph: MediaGraph, remote: RemoteEnd | None = None, sample_rate: int = 8000,
                 name: str | None = None, record_dir: Path | None = None, wire: str | None = None) -> None:
        super().__init__(graph, sample_rate, name)
        self.remote = remote
        self.wire: AudioFormat | None = parse_format(wire) if wire else None
        self._wire_rate = self.wire.sample_rate if self.wire is not None else sample_rate
        self._wire_law = self.wire.encoding if self.wire is not None and self.wire.encoding != "pcm_s16le" else None
        self._law_table = g711_round_table(self._wire_law) if self._wire_law else None
        self.active = False
        self.player: P.Player | None = None
        self.recorder: CallRecorder | None = None
        self.record_dir = record_dir or Path("recordings")
        self._detector: DTMFDetector | None = None
        self._digits: deque[Frame] = deque()  # sendDigits audio, one frame per tick
        self._sending_digits = False
        self._wire_converters: dict[tuple[bool, int], tuple[RateConverter, RateConverter | None]] = {}
        self._far_converter: RateConverter | None = None  # a far end at another rate than the leg's (see pull)
        self._silence = silent_frame(sample_rate)
        # the leg's usual quantized silence (a 20 ms frame at the wire's rate), looked up once
        self._wire_quiet = _quantized_silence(self._silence.pcm.size * self._wire_rate // sample_rate,
                                              self._wire_rate, self._wire_law) if self._wire_law else None
        if self._wire_quiet is not None and self._wire_quiet.silent and self._wire_rate == sample_rate:
            # µ-law keeps zero at zero: the line's silence is already what the wire makes of it, and a µ-law leg it
            # is bridged to sends it on as is (A-law silence is ±8 on the way out but stays 0 coming in, as before)
            self._silence = self._wire_quiet

    # --- lifecycle -------------------------------------------------------------------------------------------------

    def start(self, remote: RemoteEnd | None = None) -> None:
        """The call is connected: media flows from now on."""
        if remote is not None:
            self.remote = remote
        if self.remote is not None and hasattr(self.remote, "wake"):
            self.remote.wake = self.changed
        self.active = True
        self.changed()

    def end(self) -> None:
        """The call is disconnected: stop playback, finalize the recording, leave the graph."""
        self.active = False
        if self.player is not None:
            self.player.stop()
            self.player = None
        self.stop_record()
        self.close()

    @property
    def ticking(self) -> bool:
        # an idle leg (silent far end, nobody listening or recording) is skipped, so virtual time can jump
        if not self.active:
            return False
        if self.outputs or self.recorder is not None or self._detector is not None or self._digits:
            return True
        return bool(getattr(self.remote, "pending", True))

    # --- the tick --------------------------------------------------------------------------------------------------
    # Runs for every leg 50 times a second: attributes are read once into locals, and silent frames (marked by
    # whoever built them) pass every hop without their samples being looked at.

    def pull(self) -> Frame | None:
        remote = self.remote
        frame = remote.next_frame() if remote is not None else None
        if frame is None:
            frame = self._silence  # the line carries silence, not nothing, while connected
        else:
            if self.wire is not None:
                frame = self._through_wire(frame)
            if frame.sample_rate != self.sample_rate:
                # a far end at another rate (a 16 kHz peer on an 8 kHz leg): the leg's audio is at the leg's rate
                # for everything that taps it (recording, the key detector) and every unit it feeds; one converter
                # kept across frames, so the filter runs on over frame edges
                self._far_converter = conv = kept_converter(self._far_converter, frame.sample_rate, self.sample_rate)
                frame = conv.convert(frame)
        digits = self._digits
        if digits:
            self._sending_digits = True
            self._send(digits.popleft())
        else:
            self._sending_digits = False
        if self.recorder is not None:
            self.recorder.incoming(frame)
        detector = self._detector
        if detector is not None:
            if frame.speech is not None:  # simulated speech carries no keys
                detector.skip()
            else:
                for key in detector.silence(frame.pcm.size) if frame.silent else detector.process(frame.pcm):
                    self.emit(TONE_RECEIVED, tone=key, type="2")
        return frame

    def deliver(self, frame: Frame) -> None:
        if frame.sample_rate != self.sample_rate:
            super().deliver(frame)  # rate-converted on the edge, then push
        elif self.active and not self._sending_digits:
            self._send(frame)

    def push(self, frame: Frame) -> None:
        if not self.active or self._sending_digits:
            return
        self._send(frame)

    def _send(self, frame: Frame) -> None:
        if self.recorder is not None:
            self.recorder.outgoing(frame)
        remote = self.remote
        if remote is None:
            return
        law = self._wire_law
        if law is not None:
            if frame.g711 != law:  # a frame that went through this law is at the wire's rate (G.711 is 8 kHz only)
                frame = self._through_wire(frame, True)
        elif self.wire is not None and frame.sample_rate != self._wire_rate:
            frame = self._through_wire(frame, True)
        remote.hear(frame)

    def _through_wire(self, frame: Frame, outgoing: bool = False) -> Frame:
        # the leg's codec (µ-law on PSTN): the audio is quantized as the network would, at the wire's rate
        assert self.wire is not None
        rate, law = self._wire_rate, self._wire_law
        if frame.sample_rate == rate:
            if law is None or frame.g711 == law:
                return frame
            pcm = frame.pcm
            # silence (half of a call's frames) comes marked from where it is made: one shared quantized frame.
            # An unmarked frame is quantized without a look for silence (exact either way: the law maps 0 to the
            # same value); a look would cost every speech frame more than it saves the rare unmarked silent one.
            if frame.silent:
                quiet = self._wire_quiet
                if quiet is None or quiet.pcm.size != pcm.size:
                    quiet = _quantized_silence(pcm.size, rate, law)
                if frame.speech is None and frame.tag is None:
                    return quiet
                return Frame(quiet.pcm, rate, frame.speech, frame.tag, law, quiet.silent)
            assert self._law_table is not None
            return Frame(self._law_table.take(pcm.view(np.uint16)), rate, frame.speech, frame.tag, law)
        key = (outgoing, frame.sample_rate)
        convs = self._wire_converters.get(key)
        if convs is None:
            # out to the far end: back to the frame's rate (the far end's ear converts to its own); in from the far
            # end: on to the leg's rate, once (not back to the far end's rate and then again to the leg's)
            back = frame.sample_rate if outgoing else self.sample_rate
            convs = self._wire_converters[key] = (RateConverter(frame.sample_rate, rate),
                                                  RateConverter(rate, back) if back != rate else None)
        narrow = convs[0].convert(frame)
        quantized = Frame(g711_quantize(narrow.pcm, self.wire.encoding), rate, frame.speech, frame.tag, law)
        return quantized if convs[1] is None else convs[1].convert(quantized)

    def after_tick(self) -> None:
        if self.recorder is not None:
            self.recorder.write_tick()

    # --- Call methods ----------------------------------------------------------------------------------------------

    def _play(self, player: P.Player) -> P.Player:
        if self.player is not None:
            self.player.stop_reason = "replaced"
            self.player.stop()
        self.player = player
        player.listen(lambda name, payload: self._player_event(player, name, payload))
        player.send_media_to(self)
        return player

    def _player_event(self, player: P.Player, name: str, payload: dict[str, Any]) -> None:
        if name in _PLAYER_TO_CALL and player is self.player:
            self.emit(_PLAYER_TO_CALL[name], **payload)
            if name == P.PLAYBACK_FINISHED:
                self.player = None

    def say(self, text: str, voice: str | None = None) -> P.Player:
        """``call.say``: TTS into the call, replacing whatever it heard."""
        return self._play(P.create_tts_player(self.graph, text, voice, sample_rate=self.sample_rate))

    def start_playback(self, url: str, loop: bool = False, base_dir: Path | None = None, **media: Any) -> P.Player:
        """``call.startPlayback``: a file or local URL into the call (``media``: ``media_map``/``warn`` of
        ``players.create_url_player``)."""
        return self._play(P.create_url_player(self.graph, url, sample_rate=self.sample_rate, loop=loop,
                                              base_dir=base_dir, **media))

    def play_progress_tone(self, country: str) -> P.Player:
        """``call.playProgressTone``: the country's ring-back tone until stopped."""
        return self._play(P.create_progress_tone_player(self.graph, country, sample_rate=self.sample_rate))

    def stop_playback(self) -> None:
        """``call.stopPlayback``: stop say/startPlayback/progress tone (no PlaybackFinished follows)."""
        if self.player is not None:
            player, self.player = self.player, None
            player.stop()

    def handle_tones(self, on: bool) -> None:
        """``call.handleTones``: detect inband DTMF in the incoming audio (ToneReceived type '2')."""
        self._detector = DTMFDetector(self.sample_rate) if on else None

    @property
    def handles_tones(self) -> bool:
        """Whether ToneReceived is enabled."""
        return self._detector is not None

    def send_digits(self, digits: str) -> None:
        """``call.sendDigits``: inband DTMF to the remote party (overrides other audio while it plays)."""
        self._digits.extend(split_frames(digits_audio(digits, self.sample_rate), self.sample_rate))
        self.changed()

    def record(self, stereo: bool = False, path: Path | None = None) -> str:
        """``call.record``: start a WAV recording; returns its ``file://`` URL (RecordStarted is emitted)."""
        if self.recorder is not None:
            return self.recorder.url
        target = path or self.record_dir / f"{self.name}-{self.graph.clock.now():.3f}.wav"
        self.recorder = CallRecorder(self.graph, target, self.sample_rate, stereo)
        self.graph.watch(self)
        url = self.recorder.url
        self.graph.clock.call_soon(lambda: self.emit(RECORD_STARTED, url=url))
        return self.recorder.url

    def stop_record(self) -> None:
        """``call.stopRecord`` (also done on disconnect): finalize the WAV; RecordStopped {url, duration, cost}."""
        if self.recorder is None:
            return
        rec, self.recorder = self.recorder, None
        self.graph.watch(self, False)
        duration = rec.stop()
        self.emit(RECORD_STOPPED, url=rec.url, duration=duration, cost=0)
