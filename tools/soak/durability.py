"""Durability under SIGKILL: a recorded real-time call and ApplicationStorage writers killed mid-way.

Why: voxsim runs in CI where jobs get killed. A recording must still be a valid WAV file with at most one second of
audio missing (the recorder patches its header every second), and every ``put`` that returned must be in the sqlite
file afterwards, also with several processes writing at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

__all__ = ["kill_recorded_call", "kill_storage_writers", "RECORDING_SCENARIO"]

RECORDING_SCENARIO = """\
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.answer();
  call.record({ stereo: true });
  const talk = () => call.say("This call is recorded until the process is killed.");
  call.addEventListener(CallEvents.Connected, talk);
  call.addEventListener(CallEvents.PlaybackFinished, talk);
});
"""

_WRITER = """\
import sys, time
from voxsim.runtime.storage import ApplicationStorage
store = ApplicationStorage(sys.argv[1], now=time.time)
prefix = sys.argv[2]
i = 0
while True:
    store.put(f"{prefix}{i}", "v" * 200)
    sys.stdout.write(f"{i}\\n")
    sys.stdout.flush()
    i += 1
"""


def _voxsim() -> list[str]:
    return [sys.executable, "-c", "from voxsim.tools.cli import main; main()"]


def _declared_seconds(path: Path) -> float | None:
    """Audio seconds the WAV header declares right now (None while the header is not there yet)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(44)
    except OSError:
        return None
    if len(head) < 44:
        return None
    channels = int.from_bytes(head[22:24], "little")
    rate = int.from_bytes(head[24:28], "little")
    size = int.from_bytes(head[40:44], "little")
    return size / (2 * channels * rate) if channels and rate else None


def kill_recorded_call(workdir: Path | None = None, patches: int = 2, kill_after: float = 0.9,
                       timeout: float = 90.0) -> dict[str, Any]:
    """Run a recorded call on real time in a child ``voxsim run`` and SIGKILL it ``kill_after`` s after it was seen
    patching its WAV header the ``patches``-th time; then check the WAV: readable, sizes consistent, and how much
    audio is missing against what the child had recorded by the kill (last patch seen + time since)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="voxsim-durability-"))
    scenario = workdir / "recorded.js"
    scenario.write_text(RECORDING_SCENARIO)
    caller = workdir / "caller.yaml"  # stays on the line until killed
    caller.write_text("hangup_after_silence: null\nsteps: []\n")
    rec = workdir / "rec"
    child = subprocess.Popen([*_voxsim(), "run", str(scenario), "--caller-script", str(caller), "--real-time",
                              "--record", str(rec), "--max-seconds", "600"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    try:
        deadline = time.monotonic() + timeout
        seen, last, patched_at, declared = 0, 0.0, 0.0, 0.0
        while seen < patches:
            if time.monotonic() > deadline:
                raise RuntimeError("the recording did not advance")
            if child.poll() is not None:
                raise RuntimeError(f"voxsim run exited early with {child.returncode}")
            found = list(rec.rglob("*.wav")) if rec.exists() else []
            now_declared = _declared_seconds(found[0]) if found else None
            if now_declared is not None and now_declared > last:
                seen, last, patched_at, declared = seen + 1, now_declared, time.monotonic(), now_declared
            time.sleep(0.005)
        time.sleep(kill_after)
        killed_at = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    (path,) = list(rec.rglob("*.wav"))
    size = path.stat().st_size
    with wave.open(str(path)) as wav:  # raises on a broken header
        frames, rate, channels = wav.getnframes(), wav.getframerate(), wav.getnchannels()
        data = wav.readframes(frames)
    expected = declared + (killed_at - patched_at)
    seconds = frames / rate
    return {"wav": str(path), "valid": len(data) == frames * 2 * channels and 44 + len(data) <= size,
            "channels": channels, "sample_rate": rate, "wav_seconds": round(seconds, 3),
            "recorded_seconds": round(expected, 3), "lost_seconds": round(max(0.0, expected - seconds), 3),
            "signal": -child.returncode if child.returncode is not None else None}


def kill_storage_writers(workdir: Path | None = None, writers: int = 2, min_acks: int = 200,
                         timeout: float = 60.0) -> dict[str, Any]:
    """``writers`` child processes ``put`` into one ApplicationStorage file and print each key once ``put`` returned;
    all are SIGKILLed together once each acknowledged ``min_acks``; then every acknowledged key must be there."""
    from voxsim.runtime.storage import ApplicationStorage

    workdir = Path(workdir or tempfile.mkdtemp(prefix="voxsim-durability-"))
    db = workdir / "storage.sqlite"
    ApplicationStorage(db, now=time.time).close()  # create the schema once, before the race
    children = [subprocess.Popen([sys.executable, "-c", _WRITER, str(db), f"w{n}_"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, bufsize=1) for n in range(writers)]
    acked = [-1] * writers
    try:
        os.set_blocking(children[0].stdout.fileno(), True)  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while min(acked) < min_acks and time.monotonic() < deadline:
            for n, child in enumerate(children):
                line = child.stdout.readline()  # type: ignore[union-attr]
                if not line:
                    raise RuntimeError(f"writer {n} exited: {child.wait(5)}")
                acked[n] = int(line)
        for child in children:
            os.kill(child.pid, signal.SIGKILL)
        for n, child in enumerate(children):
            rest = child.stdout.read()  # type: ignore[union-attr]  # acks printed before the kill landed
            numbers = [int(x) for x in rest.split()]
            if numbers:
                acked[n] = max(acked[n], numbers[-1])
            child.wait(10)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait(10)
    store = ApplicationStorage(db, now=time.time)
    try:
        lost = [f"w{n}_{i}" for n in range(writers) for i in range(acked[n] + 1) if store.get(f"w{n}_{i}") is None]
    finally:
        store.close()
    return {"writers": writers, "acknowledged": sum(a + 1 for a in acked), "lost": len(lost), "lost_keys": lost[:10]}
