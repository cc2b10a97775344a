"""Offline text-to-speech with espeak-ng (through espeakng-loader and ctypes) → PCM that carries its own text.

espeak-ng keeps process-global state, so every synthesis holds one lock and results are cached by
(text, voice, rate, speed). Some of that state outlives an utterance (the glottal flutter index, the voice-roughness
cycle count, the gain control in wavegen.c; a random generator seeded from the clock), which made the same text come
out a few milliseconds longer or shorter depending on what was said before: every synthesis now starts from the state
the library had right after initialisation (``_FreshState``), so the same request gives the same PCM in any order and
in any process. Voices are chosen from a VoxEngine voice name (``VoiceList.Google.en_US_Standard_A``,
a legacy ``Language`` constant such as ``US_ENGLISH_FEMALE``, a locale like ``de-DE`` or an espeak name); names that map
to no espeak language fall back to US English with a warning carried on the result.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import espeakng_loader
import numpy as np
from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from .formats import PCM, resample

__all__ = [
    "Speech",
    "VoiceChoice",
    "TTSError",
    "DEFAULT_VOICE",
    "synthesize",
    "resolve_voice",
    "espeak_languages",
]

log = logging.getLogger("voxsim.media.tts")

DEFAULT_VOICE = "en-us"
_DEFAULT_WPM = 175
_MAX_CHARS = 1500  # VoxEngine's say()/createTTSPlayer limit


class TTSError(RuntimeError):
    """Synthesis failed (too long, espeak-ng unavailable or returned an error)."""


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """How a requested voice name was mapped onto espeak-ng."""

    requested: str | None
    espeak_voice: str
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesized audio plus the words it says, so simulated listeners can "hear" the exact text."""

    text: str
    pcm: PCM = field(repr=False)
    sample_rate: int
    voice: VoiceChoice

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.pcm.size / self.sample_rate

    @property
    def warning(self) -> str | None:
        """The voice fallback warning, if any."""
        return self.voice.warning

    def at_rate(self, sample_rate: int) -> Speech:
        """The same speech resampled to ``sample_rate``."""
        if sample_rate == self.sample_rate:
            return self
        return Speech(self.text, resample(self.pcm, self.sample_rate, sample_rate), sample_rate, self.voice)


# --- voice names ---------------------------------------------------------------------------------------------------

_LEGACY_LANGUAGES: dict[str, str] = {
    "US_ENGLISH": "en-us",
    "UK_ENGLISH": "en",
    "AU_ENGLISH": "en",
    "CA_ENGLISH": "en-us",
    "IN_ENGLISH": "en",
    "RUSSIAN": "ru",
    "GERMAN": "de",
    "FRENCH": "fr",
    "CA_FRENCH": "fr",
    "SPANISH": "es",
    "US_SPANISH": "es-419",
    "MX_SPANISH": "es-419",
    "ITALIAN": "it",
    "JAPANESE": "ja",
    "KOREAN": "ko",
    "CHINESE": "cmn",
    "MANDARIN": "cmn",
    "CANTONESE": "yue",
    "POLISH": "pl",
    "PORTUGUESE": "pt",
    "BRAZILIAN_PORTUGUESE": "pt-br",
    "BR_PORTUGUESE": "pt-br",
    "TURKISH": "tr",
    "DUTCH": "nl",
    "SWEDISH": "sv",
    "NORWEGIAN": "nb",
    "DANISH": "da",
    "FINNISH": "fi",
    "CZECH": "cs",
    "GREEK": "el",
    "HUNGARIAN": "hu",
    "ROMANIAN": "ro",
    "UKRAINIAN": "uk",
    "ARABIC": "ar",
    "HINDI": "hi",
    "HEBREW": "he",
    "CATALAN": "ca",
    "ICELANDIC": "is",
    "WELSH": "cy",
}

_LOCALE_RE = re.compile(r"(?:^|[._\s])([a-z]{2,3})[-_]([A-Za-z]{2}|\d{3})(?=$|[-_.\s])")


@functools.cache
def espeak_languages() -> frozenset[str]:
    """Lower-case espeak-ng language names available in the bundled data (``en-us``, ``de``, ``pt-br``, …)."""
    lang_dir = Path(espeakng_loader.get_data_path()) / "lang"
    return frozenset(p.name.lower() for p in lang_dir.rglob("*") if p.is_file())


def _variant(name: str) -> str:
    lowered = name.lower()
    if "female" in lowered:
        return "+f3"
    if "male" in lowered:
        return "+m3"
    return ""


def resolve_voice(name: str | None) -> VoiceChoice:
    """Map a VoxEngine voice/language name onto an espeak-ng voice, falling back to US English with a warning."""
    if name is None or not str(name).strip():
        return VoiceChoice(name, DEFAULT_VOICE)
    requested = str(name).strip()
    languages = espeak_languages()
    bare = requested.split(".")[-1]  # VoiceList.Google.en_US_Standard_A → en_US_Standard_A
    lowered = bare.lower()
    if lowered in languages:
        return VoiceChoice(requested, lowered)
    upper = bare.upper()
    for legacy in sorted(_LEGACY_LANGUAGES, key=len, reverse=True):
        if upper == legacy or upper.startswith(legacy + "_"):
            return VoiceChoice(requested, _LEGACY_LANGUAGES[legacy] + _variant(upper[len(legacy) :]))
    match = _LOCALE_RE.search(bare) or _LOCALE_RE.search(requested)
    if match:
        lang, region = match.group(1).lower(), match.group(2).lower()
        for candidate in (f"{lang}-{region}", lang):
            if candidate in languages:
                return VoiceChoice(requested, candidate + _variant(bare))
        if lang == "es" and region.isalpha() and region != "es":
            return VoiceChoice(requested, "es-419" + _variant(bare))
    if lowered[:3].rstrip("-_") in languages and re.match(r"^[a-z]{2,3}([-_]|$)", lowered):
        return VoiceChoice(requested, lowered[:3].rstrip("-_"))
    warning = f"voice {requested!r} has no offline equivalent; using espeak-ng {DEFAULT_VOICE!r}"
    return VoiceChoice(requested, DEFAULT_VOICE, warning)


# --- espeak-ng -----------------------------------------------------------------------------------------------------

_SYNTH_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE = 1
_ESPEAK_CHARS_UTF8 = 1
_POS_CHARACTER = 1


_RAND_SEED = 1
# Static variables of libespeak-ng that carry over from one utterance to the next and change what the next one sounds
# like (espeak-ng 1.52), by source file. wavegen.c: AdvanceParameters' flutter index moves the pitch and so where the
# last glottal cycle ends (the length); Wavegen's cycle count phases the voice roughness, its AGC and harmonic
# bookkeeping follow the previous sound. klatt.c (the ``+klatt`` variants): the glottal source, noise and filter
# memories. All are static locals, so none is exported: they are local symbols of the library's ELF ``.symtab``, after
# the ``STT_FILE`` entry of their source, with a compiler suffix (``Flutter_ix.5965``); file and suffix tell them from
# a global or another file's static of the same name (``voice``, the current voice).
_CARRIED_STATE: dict[str, frozenset[str]] = {
    "wavegen.c": frozenset({"Flutter_ix", "cycle_count", "agc", "amplitude2", "h_switch_sign", "maxh", "maxh2"}),
    "klatt.c": frozenset({"time_count", "noise", "voice", "vlast", "glotlast", "vwave", "skew", "nlast", "prev_fr"}),
}
_STATIC_LOCAL = re.compile(r"^([A-Za-z_]\w*)\.\d+$")


class _FreshState:
    """The bytes of ``_CARRIED_STATE`` as the library had them right after ``espeak_Initialize``, put back on demand.

    Addresses come from the library file's ``.symtab`` plus the load base (an exported function's address minus its
    symbol value; a second exported function checks the base). A library without those symbols (stripped, another
    build) leaves synthesis working but history-dependent: ``missing`` names what could not be found.
    """

    def __init__(self, lib: ctypes.CDLL, path: str) -> None:
        self._saved: list[tuple[int, bytes]] = []
        wanted = {(source, name) for source, names in _CARRIED_STATE.items() for name in names}
        self.missing: frozenset[str] = frozenset(f"{source}:{name}" for source, name in wanted)
        functions: dict[str, int] = {}
        objects: list[tuple[int, int]] = []
        found: set[tuple[str, str]] = set()
        source = ""
        for name, kind, bind, value, size in _symbols(path):
            if kind == _STT_FILE:
                source = name
            elif kind == _STT_FUNC and name in ("espeak_Initialize", "espeak_Synth"):
                functions[name] = value
            elif kind == _STT_OBJECT and bind == _STB_LOCAL and size > 0:
                local = _STATIC_LOCAL.match(name)
                if local and (source, local.group(1)) in wanted:
                    objects.append((value, size))
                    found.add((source, local.group(1)))
        if len(functions) < 2:
            return
        base = _address(lib, "espeak_Initialize") - functions["espeak_Initialize"]
        if _address(lib, "espeak_Synth") - functions["espeak_Synth"] != base:
            log.warning("libespeak-ng's symbol table does not match the loaded library; synthesis is not reset")
            return
        self._saved = [(base + value, ctypes.string_at(base + value, size)) for value, size in objects]
        self.missing = frozenset(f"{source}:{name}" for source, name in wanted - found)

    def restore(self) -> None:
        """Put the saved bytes back (call with the synthesis lock held, before ``espeak_Synth``)."""
        for address, data in self._saved:
            ctypes.memmove(address, data, len(data))


_STT_OBJECT, _STT_FUNC, _STT_FILE, _STB_LOCAL = 1, 2, 4, 0


def _symbols(path: str) -> Iterator[tuple[str, int, int, int, int]]:
    """(name, type, binding, value, size) of each ``.symtab`` entry of a 64-bit ELF file, in table order.

    pyelftools finds the sections; the entries are read as one numpy record array (``Elf64_Sym``), since building a
    pyelftools ``Symbol`` per entry takes ~70 ms for this library and the first synthesis may run on the event loop.
    """
    with open(path, "rb") as stream:
        try:
            elf = ELFFile(stream)
        except ELFError:  # not ELF (macOS's Mach-O, Windows' PE): no table to read, synthesis is not reset
            return
        table = elf.get_section_by_name(".symtab")
        if not isinstance(table, SymbolTableSection) or elf.elfclass != 64 or table["sh_entsize"] != 24:
            return
        order = "<" if elf.little_endian else ">"
        entry = np.dtype(
            [
                ("name", order + "u4"),
                ("info", "u1"),
                ("other", "u1"),
                ("shndx", order + "u2"),
                ("value", order + "u8"),
                ("size", order + "u8"),
            ]
        )
        entries = np.frombuffer(table.data(), dtype=entry)
        strings = elf.get_section(table["sh_link"]).data()
    for offset, info, value, size in zip(
        entries["name"].tolist(), entries["info"].tolist(), entries["value"].tolist(), entries["size"].tolist()
    ):
        name = strings[offset : strings.index(b"\0", offset)].decode("utf-8", "replace")
        yield name, info & 0xF, info >> 4, value, size


def _address(lib: ctypes.CDLL, name: str) -> int:
    value = ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
    if value is None:
        raise TTSError(f"libespeak-ng's {name} has no address")
    return value


class _Espeak:
    """The one espeak-ng instance of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list[PCM] = []
        path = espeakng_loader.get_library_path()
        lib = ctypes.CDLL(path)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if rate <= 0:
            raise TTSError(f"espeak-ng failed to initialise (status {rate})")
        self.sample_rate = int(rate)
        self._callback = _SYNTH_CB(self._on_samples)  # keep a reference: espeak calls it later
        lib.espeak_SetSynthCallback(self._callback)
        self._lib = lib
        self._fresh = _FreshState(lib, path)
        if self._fresh.missing:
            log.warning(
                "libespeak-ng lacks the symbols %s: speech may depend on what was synthesized before",
                ", ".join(sorted(self._fresh.missing)),
            )

    def _on_samples(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int | None) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16))
        return 0

    def synth(self, text: str, voice: str, wpm: int) -> PCM:
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise TTSError(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(_ESPEAK_RATE, int(wpm), 0)
            self._fresh.restore()
            self._lib.espeak_ng_SetRandSeed(_RAND_SEED)  # espeak_Initialize seeds it from time(NULL)
            self._chunks = []
            data = text.encode("utf-8") + b"\0"
            status = self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None)
            chunks, self._chunks = self._chunks, []
        if status != 0:
            raise TTSError(f"espeak-ng synthesis failed (status {status}) for {text[:40]!r}")
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


@functools.cache
def _espeak() -> _Espeak:
    return _Espeak()


@functools.lru_cache(maxsize=256)
def _synth_cached(text: str, voice: str, sample_rate: int, wpm: int) -> PCM:
    engine = _espeak()
    try:
        pcm = engine.synth(text, voice, wpm)
    except TTSError:
        if voice == DEFAULT_VOICE:
            raise
        pcm = engine.synth(text, DEFAULT_VOICE, wpm)
    out = resample(pcm, engine.sample_rate, sample_rate)
    out.setflags(write=False)
    return out


def synthesize(text: str, sample_rate: int = 8000, voice: str | None = None, *, wpm: int = _DEFAULT_WPM) -> Speech:
    """Speak ``text`` offline and return mono 16-bit PCM at ``sample_rate`` together with the text.

    Args:
        text: what to say (≤ 1500 characters, VoxEngine's limit). SSML tags are stripped.
        sample_rate: output rate in Hz (espeak-ng renders at 22050 Hz, then soxr resamples).
        voice: a VoxEngine voice or language name; unknown names fall back to US English (see ``Speech.warning``).
        wpm: speaking speed in words per minute.

    Raises:
        TTSError: text too long or espeak-ng failed.
    """
    if len(text) > _MAX_CHARS:
        raise TTSError(f"TTS text is {len(text)} characters long; the limit is {_MAX_CHARS}")
    choice = resolve_voice(voice)
    if choice.warning:
        log.warning("%s", choice.warning)
    spoken = re.sub(r"<[^>]+>", " ", text) if "<" in text else text
    pcm = _synth_cached(spoken, choice.espeak_voice, int(sample_rate), int(wpm))
    return Speech(text, pcm, int(sample_rate), choice)
