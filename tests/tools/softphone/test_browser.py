"""The softphone page in Debian's Chromium (Playwright, fake media): call, hear the greeting, press a key, hang up.

Skips when chromium or the playwright package is absent (.ci/run installs chromium). Never downloads a browser:
Playwright launches /usr/bin/chromium through ``executable_path``.
"""

from __future__ import annotations

import asyncio
import shutil
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiohttp import web

from voxsim.runtime.clock import run
from voxsim.runtime.media.tts import synthesize
from voxsim.tools.softphone import SoftphoneConfig, create_app
from voxsim.tools.softphone.server import CALLS_KEY

pytestmark = pytest.mark.browser

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    pytest.importorskip("playwright.async_api", reason="the playwright package is not installed (the test extra)")
    return path


def _speech_wav(path: Path) -> Path:
    """A caller's voice for the fake microphone, spoken by voxsim's own TTS (48 kHz 16-bit mono)."""
    speech = synthesize("I would like to book a table for two people tonight.", sample_rate=48000)
    # Chromium loops the file: 4 s of silence first lets the greeting play before the caller talks over it.
    pcm = np.concatenate([np.zeros(4 * 48000, np.int16), speech.pcm, np.zeros(48000, np.int16)])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(pcm.tobytes())
    return path


def test_the_page_calls_the_scenario_hears_the_agent_and_hangs_up(tmp_path: Path) -> None:
    chromium = _chromium()
    from playwright.async_api import async_playwright

    wav = _speech_wav(tmp_path / "caller.wav")
    shot = tmp_path / "softphone.png"

    async def main() -> dict[str, Any]:
        app = create_app(SoftphoneConfig(scenarios=(SCENARIOS / "cartesia_inbound.js",), work_dir=tmp_path))
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=chromium, headless=True, args=[
                    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-audio-capture={wav}", "--allow-loopback-in-peer-connection"])
                page = await browser.new_page(viewport={"width": 1100, "height": 760})
                await page.goto(base)
                await page.wait_for_function("document.querySelectorAll('#codec option').length > 0")
                assert "unrecognised speech" in await page.inner_text("#hearing")
                await page.fill("#callerid", "+15550009999")
                await page.click("#call")
                await page.wait_for_function("window.voxsim.phase === 'connected'", timeout=15000)
                await page.wait_for_function("window.voxsim.remotePeak > 0.02", timeout=15000)  # the greeting
                await page.wait_for_function("window.voxsim.micPeak > 0.01", timeout=10000)  # the fake microphone
                log = await page.inner_text("#log")
                assert "Call.Connected" in log and "Cartesia.Agents.ACK" in log
                await page.click("#keypad button[data-key='5']")
                await page.wait_for_function(
                    "window.voxsim.records.some(r => r.name === 'Call.ToneReceived' && r.data.tone === '5')",
                    timeout=5000)
                await page.wait_for_timeout(1500)  # the agent's "You pressed 5." starts; the log fills in
                await page.click("#hangup")
                await page.wait_for_function("window.voxsim.phase === 'ended'", timeout=15000)
                await page.wait_for_selector("#timeline-link", state="visible", timeout=20000)
                await page.screenshot(path=str(shot))
                state = await page.evaluate("({peak: window.voxsim.remotePeak, id: window.voxsim.callId, "
                                            "timeline: window.voxsim.timeline, codec: window.voxsim.codec})")
                await browser.close()
            call = app[CALLS_KEY][state["id"]]
            state.update(session=call.session.state, digits=call.digits, heard=call.remote.frames_received,
                         names=[r.name for r in call.session.trace.records if r.type == "event"])
        finally:
            await runner.cleanup()
        return state

    state = run(main(), virtual=False)
    assert state["session"] == "terminated"
    assert state["digits"] == ["5"]
    assert state["heard"] > 50  # the browser's microphone reached the call (>1 s of 20 ms frames)
    assert state["codec"].lower().startswith("opus")
    assert state["timeline"].endswith("timeline.png")
    names = state["names"]
    assert names.index("Call.Connected") < names.index("Cartesia.Agents.ACK") < names.index("Call.ToneReceived")
    assert names[-1] == "Application.Terminated" and "Call.Disconnected" in names
    assert shot.stat().st_size > 10_000
