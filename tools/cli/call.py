"""`voxsim call`: be the caller of an inbound call from the terminal, on real time.

Each line typed is said to the scenario (TTS carrying its words, so the agent emulator and ASR hear them exactly); a
line of keys (``0-9 * # A-D``) presses them; ``/hangup`` or end of input hangs up. The agent's replies are printed as
text as they reach the caller, and the call's audio is written to WAV files. When input is not a terminal (a script
piped in), each line waits for the end of the agent's turn, so ``printf 'hi\\n5\\nbye\\n' | voxsim call`` is a
repeatable conversation.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from . import EXIT_INTERNAL, EXIT_OK, EXIT_SCENARIO_ERROR, EXIT_USAGE
from .run import media_flags, media_options

__all__ = ["command", "interactive_call", "classify", "Speaker", "open_speaker"]

_KEYS = re.compile(r"[0-9*#A-Da-d]+")


def classify(line: str) -> tuple[str, str]:
    """What a typed line means: ``("dtmf", keys)``, ``("hangup", "")``, ``("say", text)`` or ``("skip", "")``."""
    text = line.strip()
    if not text:
        return "skip", ""
    if text.lower() in ("/hangup", "/bye", "/quit"):
        return "hangup", ""
    if _KEYS.fullmatch(text) and not text.isalpha():  # "abc" is words, "12#" or "5" are keys
        return "dtmf", text.upper()
    return "say", text


class Speaker:
    """Plays what the caller hears on the default output device (sounddevice, i.e. PortAudio). A callback stream pulls
    from a buffer, so the event loop never blocks on the device."""

    def __init__(self, sample_rate: int) -> None:
        import numpy as np
        import sounddevice as sd  # ImportError, or OSError without the PortAudio library

        sd.query_devices(kind="output")  # raises when there is no output device
        self._np = np
        self._buf = np.zeros(0, np.int16)
        self._lock = threading.Lock()
        self.stream = sd.OutputStream(samplerate=sample_rate, channels=1, dtype="int16", callback=self._fill)
        self.stream.start()

    def _fill(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        with self._lock:
            chunk, self._buf = self._buf[:frames], self._buf[frames:]
        outdata[: chunk.size, 0] = chunk
        outdata[chunk.size:, 0] = 0

    def play(self, pcm: Any) -> None:
        """Queue samples (int16, at the stream's rate)."""
        with self._lock:
            self._buf = self._np.concatenate([self._buf, pcm])

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()


def open_speaker(sample_rate: int) -> Speaker | None:
    """A Speaker on the default output device, or None when there is none (no PortAudio, no device, CI)."""
    try:
        return Speaker(sample_rate)
    except Exception:  # ImportError, OSError, sounddevice.PortAudioError: all mean "no sound here"
        return None


def _reader(stream: IO[str], put: Callable[[str | None], None]) -> None:
    for line in iter(stream.readline, ""):
        put(line)
    put(None)


async def _feed(session: Any, inbox: asyncio.Queue[str | None], turn_taking: bool, say: Callable[[str], None],
                speaker: Speaker | None = None) -> None:
    """Send each input line to the caller's runner once the call is connected."""
    from voxsim.runtime.callers import Step

    runner = None
    while runner is None:  # the scenario answers when it likes
        runner = (session.extensions.get("callers") or {}).get("call-1")
        if runner is None:
            await asyncio.sleep(0.05)
    runner.party.keep_audio = True
    if speaker is not None:  # play each frame the caller hears as it arrives
        party, hear = runner.party, runner.party.hear

        def hear_and_play(frame: Any) -> None:
            hear(frame)
            speaker.play(party.audio_heard[-1][1])

        party.hear = hear_and_play
    while True:
        line = await inbox.get()
        kind, value = classify(line) if line is not None else ("hangup", "")
        if runner.call.state != "CONNECTED":
            return
        if kind == "skip":
            continue
        if kind == "hangup":
            if turn_taking and line is None:  # end of a piped script: let the agent finish (or end the call) first
                await runner.run_step(Step("wait", until="agent.silent", timeout=15.0))
                if runner.call.state != "CONNECTED":
                    return
            say("(you hang up)")
            runner.hangup()
            return
        if turn_taking:
            await runner.run_step(Step("wait", until="agent.silent", timeout=15.0))
        step = Step("say", text=value) if kind == "say" else Step("dtmf", digits=value)
        await runner.run_step(step)


async def interactive_call(scenario: Path, *, callerid: str, out: Path, stream: IO[str], turn_taking: bool,
                           cartesia: dict[str, Any], printer: Callable[[Any], None], max_seconds: float,
                           note: Callable[[str], None], play: bool = False,
                           media: dict[str, Any] | None = None) -> int:
    """Run ``scenario`` with an inbound call whose caller is fed by ``stream``; returns the exit status."""
    from voxsim.runtime.callers import CallerScript
    from voxsim.runtime.media.recorder import WavWriter
    from voxsim.runtime.network import Network
    from voxsim.runtime.session import Session, SessionOptions

    out.mkdir(parents=True, exist_ok=True)
    live = CallerScript((), hangup_after_silence=None, source="terminal")
    network = Network().with_caller(callerid=callerid, extra={"script": live})
    session = await Session.create(SessionOptions(  # in pieces on real time: see run.py
        network=network, trace_path=out / "trace.jsonl",
        settings={"cartesia": cartesia, "recordings_dir": str(out), **(media or {})}))
    session.trace.add_listener(printer)
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_reader, args=(stream, lambda item: loop.call_soon_threadsafe(inbox.put_nowait, item)),
                     daemon=True, name="voxsim-call-input").start()
    feeder: asyncio.Task[None] | None = None
    speaker = open_speaker(8000) if play else None
    if play:
        note("playing the agent on the default sound device" if speaker else
             "no sound device (or no PortAudio): the audio is only written to WAV")
    try:
        await session.load_async(scenario.read_text(encoding="utf-8"), filename=str(scenario))
        await session.start(inbound=network.caller)
        feeder = loop.create_task(_feed(session, inbox, turn_taking, note, speaker))
        await session.wait(max_seconds=max_seconds)
    finally:
        if feeder is not None:
            feeder.cancel()
        if speaker is not None:
            speaker.close()
        runner = (session.extensions.get("callers") or {}).get("call-1")
        session.close()
    if runner is not None and runner.party.audio_heard:  # what the caller heard, whatever the scenario recorded
        import numpy as np

        rate = runner.party.sample_rate
        heard = runner.party.audio_heard
        start = heard[0][0]
        audio = np.zeros(int((heard[-1][0] - start) * rate) + len(heard[-1][1]), np.int16)
        for t, pcm in heard:  # each frame at its time: silences the call did not tick through stay silent
            at = int(round((t - start) * rate))
            audio[at:at + len(pcm)] = pcm[: len(audio) - at]
        wav = WavWriter(out / "heard.wav", rate, 1)
        try:
            wav.write(audio)
        finally:
            wav.close()
    if session.internal_errors:
        from .run import _bug_report

        _bug_report(session.internal_errors[0])
        return EXIT_INTERNAL
    return EXIT_SCENARIO_ERROR if session.errors else EXIT_OK


@click.command(name="call", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("scenario", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--call", "callerid", default="+15551234567", show_default=True, metavar="NUMBER",
              help="The caller's number (CallAlerting callerid).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("voxsim-call"),
              show_default=True, help="Folder for heard.wav (what you heard), the scenario's recordings and the trace.")
@click.option("--cartesia", "cartesia_mode", type=click.Choice(["emulator", "local", "live"]), default="emulator",
              show_default=True, help="Cartesia agents: the local emulator, or the real service.")
@click.option("--agent", "agent_spec", metavar="FILE|MODULE:ATTR", help="The emulator's agent script.")
@click.option("--turns/--no-turns", "turns", default=None,
              help="Wait for the end of the agent's turn before each line (default: when input is not a terminal).")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=1800.0, show_default=True,
              help="End the session after this long.")
@click.option("--logs", is_flag=True, help="Also print the scenario's Logger lines.")
@click.option("--play/--no-play", default=None,
              help="Play what the caller hears on the sound device (default: when input is a terminal and a device exists).")
@media_flags
def command(scenario: Path | None, callerid: str, out: Path, cartesia_mode: str, agent_spec: str | None,
            turns: bool | None, max_seconds: float, logs: bool, play: bool | None = None,
            media_map: Path | None = None, media_dir: Path | None = None, strict_media: bool = False) -> None:
    """Call SCENARIO (default: the bundled Cartesia inbound scenario) and talk to it by typing, on real time.

    Type what the caller says and press Enter; a line of keys (0-9 * # A-D) sends DTMF; /hangup or Ctrl-D hangs up.
    """
    from importlib.resources import files

    from voxsim.engine.errors import JSSyntaxError
    from voxsim.runtime.clock import run

    from .conversation import ConversationPrinter

    scenario = scenario or Path(str(files("voxsim.scenarios").joinpath("cartesia_inbound.js")))
    tty = sys.stdin.isatty()
    printer = ConversationPrinter(show_logs=logs)
    cartesia = {"mode": "local" if cartesia_mode == "emulator" else cartesia_mode}
    if agent_spec:
        cartesia["agent"] = agent_spec
    media = media_options(media_map, media_dir, strict_media)  # a bad map is a usage error, before the call
    if tty:
        click.echo(f"Calling {scenario.name} from {callerid}. Type what you say and press Enter; "
                   "digits send DTMF; /hangup or Ctrl-D hangs up.\n")
    try:
        status = run(interactive_call(scenario, callerid=callerid, out=out, stream=sys.stdin,
                                      turn_taking=(not tty) if turns is None else turns, cartesia=cartesia,
                                      printer=printer, max_seconds=max_seconds,
                                      note=lambda text: printer.console.print(f"[dim]{text}[/dim]"),
                                      play=tty if play is None else play, media=media),
                     virtual=False)
    except JSSyntaxError as exc:
        click.echo(str(exc), err=True)
        status = EXIT_USAGE
    except KeyboardInterrupt:
        status = EXIT_OK
    except Exception as exc:
        from .run import _bug_report

        _bug_report(exc)
        status = EXIT_INTERNAL
    if (out / "heard.wav").exists():
        click.echo(f"\nAudio: {out / 'heard.wav'} (what the caller heard); trace: {out / 'trace.jsonl'}")
    sys.exit(status)
