"""Agent audio waiting for playout: ``media_output`` chunks of any size in, whole 20 ms frames out, in order.

A chunk may carry the transcript of the utterance it starts (the voxsim extension); the frame that plays its first
sample carries that text, so a simulated caller hears the agent's words with the audio. Nothing is lost or
reordered whatever the chunk sizes (tests/runtime/modules/cartesia/test_framing.py).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from voxsim.runtime.media.formats import PCM

__all__ = ["PlayoutQueue"]


@dataclass(slots=True)
class _Chunk:
    pcm: PCM
    text: str | None = None


@dataclass(slots=True)
class PlayoutQueue:
    """Agent audio waiting for playout, in arrival order; ``text`` marks where an utterance starts."""

    chunks: deque[_Chunk] = field(default_factory=deque)
    samples: int = 0

    def push(self, pcm: PCM, text: str | None) -> None:
        """Queue one received chunk (``text``: the utterance it starts, if any)."""
        self.chunks.append(_Chunk(pcm, text))
        self.samples += pcm.size

    def pop(self, n: int) -> tuple[PCM, str | None]:
        """The next ``n`` samples (zero-padded when fewer are queued) and the text of any utterance they start."""
        parts: list[PCM] = []
        text: str | None = None
        need = n
        while need and self.chunks:
            chunk = self.chunks[0]
            if chunk.text is not None:
                text = chunk.text if text is None else f"{text} {chunk.text}"
                chunk.text = None
            take = chunk.pcm[:need]
            parts.append(take)
            need -= take.size
            if take.size == chunk.pcm.size:
                self.chunks.popleft()
            else:
                chunk.pcm = chunk.pcm[take.size :]
        self.samples -= n - need
        out = np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else np.zeros(0, np.int16)
        if out.size < n:
            out = np.concatenate([out, np.zeros(n - out.size, np.int16)])
        return out, text

    def clear(self) -> int:
        """Drop everything queued (barge-in); returns the samples dropped."""
        dropped = self.samples
        self.chunks.clear()
        self.samples = 0
        return dropped
