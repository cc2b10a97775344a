"""Tone synthesis: sine mixes, VoxEngine/SIP tone scripts, and national progress (ring-back) tones."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .formats import PCM, as_pcm

__all__ = ["ToneScriptError", "ToneScript", "sine", "parse_tone_script", "render_tone_script", "PROGRESS_TONES",
           "progress_tone", "dbfs"]


class ToneScriptError(ValueError):
    """A tone script that does not parse; says where."""


def dbfs(level_db: float) -> float:
    """Peak amplitude (0..1) of a sine at ``level_db`` dBm0-ish (0 dB = full scale)."""
    return float(10 ** (level_db / 20))


def sine(freqs: list[tuple[float, float]] | tuple[tuple[float, float], ...], seconds: float, sample_rate: int,
         phase_samples: int = 0) -> PCM:
    """Mix of sines ``[(hz, level_db), …]`` lasting ``seconds`` (``phase_samples`` continues a previous chunk)."""
    n = int(round(seconds * sample_rate))
    t = (np.arange(n) + phase_samples) / sample_rate
    out = np.zeros(n)
    for hz, level in freqs:
        out += dbfs(level) * np.sin(2 * np.pi * hz * t)
    return as_pcm(np.clip(out, -1.0, 1.0))


@dataclass(frozen=True, slots=True)
class Cadence:
    """One on/off step of a tone script section: ``on`` s of ``components`` then ``off`` s of silence."""

    on: float | None  # None = forever
    off: float
    components: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ToneScript:
    """``freqs`` plus sections of ``(duration or None for forever, cadences)``."""

    freqs: tuple[tuple[float, float], ...]
    sections: tuple[tuple[float | None, tuple[Cadence, ...]], ...]


_SECTION_RE = re.compile(r"\s*(\*|\d+(?:\.\d+)?)\s*\(([^)]*)\)\s*")


def _seconds(text: str, where: str) -> float | None:
    text = text.strip()
    if text == "*":
        return None
    try:
        return float(text)
    except ValueError:
        raise ToneScriptError(f"tone script: expected seconds or '*' in {where}, got {text!r}") from None


def parse_tone_script(script: str) -> ToneScript:
    """Parse ``"440@-19,480@-19;*(2/4/1+2)"``: frequencies ``hz@dB`` then sections ``duration(on/off/1+2, …)``."""
    head, sep, rest = script.partition(";")
    if not sep:
        raise ToneScriptError(f"tone script {script!r}: expected 'freq@level[,…];duration(on/off/components)'")
    freqs: list[tuple[float, float]] = []
    for part in head.split(","):
        hz, at, level = part.strip().partition("@")
        try:
            freqs.append((float(hz), float(level) if at else -10.0))
        except ValueError:
            raise ToneScriptError(f"tone script: bad frequency {part.strip()!r}: expected e.g. '425@-19'") from None
    sections: list[tuple[float | None, tuple[Cadence, ...]]] = []
    for chunk in rest.split(";"):
        if not chunk.strip():
            continue
        match = _SECTION_RE.fullmatch(chunk)
        if not match:
            raise ToneScriptError(f"tone script: bad section {chunk.strip()!r}: expected e.g. '*(2/4/1+2)'")
        cadences = []
        for step in match.group(2).split(","):
            fields = step.split("/")
            if len(fields) not in (2, 3):
                raise ToneScriptError(f"tone script: bad cadence {step!r}: expected 'on/off/components'")
            comps = tuple(int(c) - 1 for c in fields[2].split("+")) if len(fields) == 3 else tuple(range(len(freqs)))
            if any(not 0 <= c < len(freqs) for c in comps):
                raise ToneScriptError(f"tone script: cadence {step!r} names a frequency that is not listed")
            off = _seconds(fields[1], step)
            cadences.append(Cadence(_seconds(fields[0], step), off or 0.0, comps))
        sections.append((_seconds(match.group(1), chunk), tuple(cadences)))
    if not sections:
        raise ToneScriptError(f"tone script {script!r} has no sections")
    return ToneScript(tuple(freqs), tuple(sections))


def render_tone_script(script: ToneScript | str, sample_rate: int, max_seconds: float = 60.0) -> tuple[PCM, bool]:
    """Render a script; returns (pcm, loops) where ``loops`` means the last section repeats forever."""
    ts = parse_tone_script(script) if isinstance(script, str) else script
    pieces: list[PCM] = []
    total = 0.0
    loops = False
    for duration, cadences in ts.sections:
        cycle: list[PCM] = []
        for cad in cadences:
            on = cad.on if cad.on is not None else max_seconds
            cycle.append(sine([ts.freqs[i] for i in cad.components], on, sample_rate))
            cycle.append(np.zeros(int(round(cad.off * sample_rate)), np.int16))
        one = np.concatenate(cycle)
        if duration is None:
            loops = True
            pieces.append(one)
            break
        reps = int(np.ceil(duration * sample_rate / max(1, one.size)))
        pieces.append(np.tile(one, reps)[: int(round(duration * sample_rate))])
        total += duration
        if total >= max_seconds:
            break
    return np.concatenate(pieces), loops


PROGRESS_TONES: dict[str, str] = {
    "US": "440@-19,480@-19;*(2/4/1+2)",
    "CA": "440@-19,480@-19;*(2/4/1+2)",
    "RU": "425@-19;*(0.8/3.2/1)",
    "EU": "425@-19;*(1/4/1)",
    "DE": "425@-19;*(1/4/1)",
    "FR": "440@-19;*(1.5/3.5/1)",
    "GB": "400@-19,450@-19;*(0.4/0.2/1+2,0.4/2/1+2)",
    "UK": "400@-19,450@-19;*(0.4/0.2/1+2,0.4/2/1+2)",
    "JP": "400@-19;*(1/2/1)",
}


def progress_tone(country: str) -> str:
    """The ring-back tone script for a country code (unknown codes get the European 425 Hz tone)."""
    return PROGRESS_TONES.get((country or "EU").upper(), PROGRESS_TONES["EU"])
