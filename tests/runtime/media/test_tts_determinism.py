"""espeak-ng speech depends only on (text, voice, rate): not on what the process synthesized before, nor on the process.

libespeak-ng carries static state from one utterance to the next (wavegen.c's flutter index, roughness cycle count,
AGC; klatt.c's filter memories; a random generator seeded from the clock); ``tts._FreshState`` puts it back to its
post-initialisation value before every synthesis. These tests call the uncached ``_Espeak.synth`` so every call really
runs the synthesizer.
"""

from __future__ import annotations

import ctypes
import hashlib
import subprocess
import sys

import espeakng_loader
import numpy as np
from elftools.elf.elffile import ELFFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxsim.runtime.media import tts
from voxsim.runtime.media.tts import _espeak

PHRASES = ("one two three four five six", "hello there", "ok", "Thank you for calling.")
VOICES = ("en-us", "en-us+f3", "de", "en-us+klatt")  # plain; breath + echo + roughness (uses the RNG); Klatt
REQUESTS = [(text, voice, wpm) for text in PHRASES for voice in VOICES for wpm in (175, 240)]


def _digest(pcm: np.ndarray) -> str:
    return hashlib.sha256(pcm.tobytes()).hexdigest()


def _reference() -> dict[tuple[str, str, int], str]:
    engine = _espeak()
    return {request: _digest(engine.synth(*request)) for request in REQUESTS}


_REFERENCE = _reference()


def test_the_bundled_library_exposes_every_carried_variable() -> None:
    fresh = _espeak()._fresh
    assert fresh.missing == frozenset()
    assert len(fresh._saved) >= sum(len(names) for names in tts._CARRIED_STATE.values())


def test_the_fast_symbol_reader_agrees_with_pyelftools() -> None:
    path = espeakng_loader.get_library_path()
    with open(path, "rb") as stream:
        table = ELFFile(stream).get_section_by_name(".symtab")
        expected = [(s.name, s["st_info"]["type"], s["st_info"]["bind"], s["st_value"], s["st_size"])
                    for s in table.iter_symbols()]
    types = {"STT_NOTYPE": 0, "STT_OBJECT": 1, "STT_FUNC": 2, "STT_SECTION": 3, "STT_FILE": 4, "STT_TLS": 6}
    binds = {"STB_LOCAL": 0, "STB_GLOBAL": 1, "STB_WEAK": 2}
    read = list(tts._symbols(path))
    assert len(read) == len(expected) > 1000
    assert read == [(n, types.get(t, t), binds.get(b, b), v, z) for n, t, b, v, z in expected]


def test_only_static_locals_are_written_never_a_global_of_the_same_name() -> None:
    # klatt.c's `voice.5798` (a double) is reset; the global `voice` (the current voice_t *) must never be.
    engine = _espeak()
    base = ctypes.cast(engine._lib.espeak_Initialize, ctypes.c_void_p).value
    with open(espeakng_loader.get_library_path(), "rb") as stream:
        table = ELFFile(stream).get_section_by_name(".symtab")
        symbols = {s.name: s["st_value"] for s in table.iter_symbols() if s.name in ("voice", "espeak_Initialize")}
    global_voice = base - symbols["espeak_Initialize"] + symbols["voice"]
    written = {address for address, _ in engine._fresh._saved}
    assert global_voice not in written
    assert all(len(data) <= 1024 for _, data in engine._fresh._saved)


def test_the_same_text_three_times_is_the_same_audio() -> None:
    engine = _espeak()
    text = "one two three four five six"
    outputs = [engine.synth(text, "en-us", 175) for _ in range(3)]
    assert [len(pcm) for pcm in outputs] == [len(outputs[0])] * 3  # was 37249, 37030, 37019 samples
    assert all(np.array_equal(outputs[0], pcm) for pcm in outputs[1:])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(REQUESTS), min_size=2, max_size=6))
def test_speech_does_not_depend_on_what_came_before(order: list[tuple[str, str, int]]) -> None:
    engine = _espeak()
    assert [_digest(engine.synth(*request)) for request in order] == [_REFERENCE[request] for request in order]


def test_synthesize_after_a_cache_clear_gives_the_same_pcm() -> None:
    first = tts.synthesize("Please hold while we connect you.", 8000).pcm
    tts._synth_cached.cache_clear()
    tts.synthesize("Something else entirely, said slowly.", 8000, wpm=120)
    assert np.array_equal(tts.synthesize("Please hold while we connect you.", 8000).pcm, first)


def test_another_process_says_the_same_thing() -> None:
    # A new process seeds espeak-ng's random generator from the clock and starts with other history here.
    script = (
        "import hashlib\n"
        "from voxsim.runtime.media.tts import _espeak\n"
        "e = _espeak()\n"
        "e.synth('Guten Tag', 'de', 300)\n"
        "for voice in ('en-us', 'en-us+f3', 'en-us+klatt'):\n"
        "    print(hashlib.sha256(e.synth('hello there', voice, 175).tobytes()).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    expected = [_REFERENCE[("hello there", voice, 175)] for voice in ("en-us", "en-us+f3", "en-us+klatt")]
    assert out.stdout.split() == expected


def test_a_library_file_that_is_not_elf_gives_no_symbols(tmp_path) -> None:
    from voxsim.runtime.media.tts import _symbols

    dylib = tmp_path / "libespeak-ng.dylib"
    dylib.write_bytes(b"\xcf\xfa\xed\xfe" + bytes(60))  # a Mach-O header: what macOS's wheel ships
    assert list(_symbols(str(dylib))) == []
