"""The AgentsClient as a media unit: call audio in → ``media_input``; queued ``media_output`` → one frame per tick.

Frames that arrive carrying a ``SpeechTag`` pass their words to the client (``voxsim.text`` on the first frame of each
utterance); agent audio that came with a transcript leaves tagged the same way, so a simulated caller "hears" the
agent's exact words. ``clear_media_buffer`` drops the playout queue at once — the barge-in primitive.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from voxsim.runtime.media.frames import Frame, SpeechTag
from voxsim.runtime.media.units import MediaGraph, MediaUnit

from .client import AgentsClient

__all__ = ["AgentsMediaUnit"]

_utterances = itertools.count(1 << 40)


class AgentsMediaUnit(MediaUnit):
    """One AgentsClient in the session's media graph (its native rate is the Cartesia input format's rate)."""

    kind = "cartesia"

    def __init__(self, graph: MediaGraph, client: AgentsClient, name: str | None = None) -> None:
        super().__init__(graph, client.format.sample_rate, name or client.id)
        self.client = client
        self._last_in_utterance: int | None = None
        self._out_tag: SpeechTag | None = None
        self.on_speech: Callable[[str, str | None, str], None] | None = None  # (action, text, reason) for traces
        self._speaking = False

    @property
    def ticking(self) -> bool:
        return self.client.close_info is None and not self.closed

    def push(self, frame: Frame) -> None:
        text = None
        if frame.speech is not None and frame.speech.utterance != self._last_in_utterance:
            self._last_in_utterance = frame.speech.utterance
            text = frame.speech.text
        elif frame.speech is None:
            self._last_in_utterance = None
        self.client.push_input(frame.pcm, text, paced=True)  # the graph's tick is the real-time source

    def pull(self) -> Frame | None:
        out = self.client.pull_output()
        if out is None:
            self._speech_stopped("end")
            return None
        pcm, text = out
        if text is not None:
            self._out_tag = SpeechTag(text, next(_utterances))
            if self.on_speech is not None:
                self.on_speech("start", text, "")
        elif not self._speaking and self.on_speech is not None:
            self.on_speech("start", None, "")
        self._speaking = True
        return Frame(pcm, self.sample_rate, speech=self._out_tag)

    def clear_media_buffer(self, tag: str | None = None) -> int:
        dropped = self.client.clear_media_buffer()
        frames = int(round(dropped / 0.02))
        self._speech_stopped("clear")
        return frames

    def _speech_stopped(self, why: str) -> None:
        """The agent's speech ended (``end``) or was cleared (``clear``): tell ``on_speech`` once."""
        if self._speaking:
            self._speaking = False
            self._out_tag = None
            if self.on_speech is not None:
                self.on_speech("stop", None, why)

    def close(self) -> None:
        self._speech_stopped("closed")  # a span that started must end in the trace, even if the socket died mid-word
        super().close()
