"""The bundled Cartesia scenarios, end to end on virtual time: JS on voxsim's engine, simulated callers with real
audio, the media graph, the connector and the local emulator."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import voxsim.engine.script  # noqa: F401 - these tests run JS

from voxsim.runtime.media import host as media_host  # noqa: E402
from voxsim.runtime.network import Network  # noqa: E402
from voxsim.runtime.session import Session, SessionOptions, run_scenario  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[4] / "scenarios"


class Parties:
    """Every call's far end, kept after the call is gone."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hosts: list[Any] = []
        original = media_host.CallMediaHost.__init__

        def init(host: Any, layer: Any, call: Any) -> None:
            original(host, layer, call)
            self.hosts.append(host)

        monkeypatch.setattr(media_host.CallMediaHost, "__init__", init)

    def party(self, number: str) -> Any:
        for host in self.hosts:
            if number in (host.call.number, host.call.callerid):
                return host.party
        raise AssertionError(f"no call with {number}: {[h.call.number for h in self.hosts]}")


def run(name: str, network: dict[str, Any], tmp_path: Path, *, inbound: bool = True, custom_data: str = "",
        cartesia: dict[str, Any] | None = None, max_seconds: float = 120) -> Session:
    net = Network.from_dict(network)
    options = SessionOptions(network=net, custom_data=custom_data, storage_path=tmp_path / "storage.sqlite",
                             settings={"recordings_dir": str(tmp_path / "rec"), "cartesia": cartesia or {}})
    path = SCENARIOS / f"{name}.js"
    session = run_scenario([(path.read_text(), str(path))], inbound=net.caller if inbound else None, options=options,
                           max_seconds=max_seconds)
    assert session.errors == [], session.errors
    return session


def events(session: Session, name: str) -> list[Any]:
    return session.trace.find(type="event", name=name)


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find(type="log")]


def recording(tmp_path: Path) -> tuple[np.ndarray, int]:
    (path,) = (tmp_path / "rec").rglob("*.wav")
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 2
        data = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2)
        return data, wav.getframerate()


def loud(channel: np.ndarray, rate: int, start: float, end: float) -> bool:
    piece = channel[int(start * rate): int(end * rate)].astype(np.float64)
    return piece.size > 0 and float(np.sqrt(np.mean(piece ** 2))) > 300


def test_inbound_greeting_reply_dtmf_custom_and_goodbye(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parties = Parties(monkeypatch)
    session = run("cartesia_inbound", {"caller": {"callerid": "+15551234567", "destination": "+18005550000", "speak": [
        {"at": 6, "say": "I want to book a table"}, {"at": 12, "digits": "0"}, {"at": 17, "say": "goodbye"}]}},
        tmp_path)
    caller = parties.party("+15551234567")
    heard = caller.heard.transcript
    assert heard.startswith("Hello, you have reached the booking desk.")
    assert "Sure. For how many people?" in heard and "Let me send you the operator's extension." in heard
    assert "Thank you for calling. Goodbye!" in heard
    assert "1" in caller.heard.digit_string  # the agent's DTMF, played by call.sendDigits
    agent = [(r["direction"], r["event"]) for r in session.trace.find(type="agent")]
    assert ("sent", "dtmf") in agent and ("received", "dtmf") in agent
    assert ("sent", "custom") in agent and ("received", "custom") in agent  # custom both ways
    assert any("===ON_WEB_SOCKET_CLOSE=== 1000 call ended by agent" in line for line in logs(session))
    assert events(session, "Application.Terminated")
    audio, rate = recording(tmp_path)
    assert loud(audio[:, 1], rate, 0.2, 3.0)  # the greeting is audible on the agent side of the recording


def test_inbound_barge_in_stops_agent_audio_within_60ms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parties = Parties(monkeypatch)
    session = run("cartesia_inbound", {"caller": {"callerid": "+15551234567", "speak": [
        {"at": 1.0, "say": "wait"}, {"at": 9, "say": "goodbye"}]}}, tmp_path)
    (clear,) = events(session, "Cartesia.Agents.Clear")
    stopped = [r for r in session.trace.find(type="media", action="stop") if r.get("reason") == "clear"]
    assert stopped and stopped[0]["t"] - clear["t"] <= 0.06
    caller = parties.party("+15551234567")
    late = [t for t, rms in caller.heard.energy if clear["t"] + 0.06 < t < clear["t"] + 0.5 and rms > 100]
    assert late == [], f"agent audio {late[0] - clear['t']:.3f} s after Clear"
    audio, rate = recording(tmp_path)
    start = session.trace.find(type="event", name="Call.Connected")[0]["t"]
    assert not loud(audio[:, 1], rate, clear["t"] - start + 0.06, clear["t"] - start + 0.5)


def test_outbound_reminder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parties = Parties(monkeypatch)
    session = run("cartesia_outbound", {"callees": {"+15557654321": {"answer_after": 2, "speak": [
        {"at": 7, "say": "yes I can"}]}}}, tmp_path, inbound=False,
        custom_data='{"to": "+15557654321", "callerid": "+15550001111"}')
    callee = parties.party("+15557654321")
    assert callee.heard.transcript.startswith("Hi, this is a reminder about your appointment")
    assert "Perfect, see you tomorrow. Goodbye!" in callee.heard.transcript
    assert any("call ended by agent, reason: confirmed" in line for line in logs(session))
    start = session.trace.find(type="agent", event="start")[0]
    assert start["metadata"] == {"to": "+15557654321", "from": "+15550001111", "direction": "outbound"}


def test_function_calling_transfer_bridges_the_operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parties = Parties(monkeypatch)
    session = run("cartesia_function_calling", {
        "caller": {"callerid": "+15551234567", "speak": [{"at": 6, "say": "I need an operator"},
                                                         {"at": 16, "say": "hello operator"}]},
        "callees": {"+15550100": {"answer_after": 1, "hangup_after": 8}}}, tmp_path)
    tool_calls = [line for line in logs(session) if line.startswith("===TOOL_CALL===")]
    assert '"action":"call_transfer"' in tool_calls[0]
    assert any(line.startswith("===TRANSFERRED=== to +15550100") for line in logs(session))
    operator = parties.party("+15550100")
    assert "hello operator" in operator.heard.transcript  # the operator hears the caller
    assert session.trace.find(type="http", direction="in")


def test_function_calling_end_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = run("cartesia_function_calling", {"caller": {"callerid": "+15551234567", "speak": [
        {"at": 6, "say": "goodbye"}]}}, tmp_path)
    assert any('"action":"end_call"' in line for line in logs(session))
    assert events(session, "Call.Disconnected") or events(session, "Application.Terminated")
    assert session.clock.now() < 30


def test_refused_auth_terminates_cleanly(tmp_path: Path) -> None:
    from voxsim.tools.agent import EmulatorConfig

    session = run("cartesia_inbound", {"caller": {"callerid": "+15551234567"}}, tmp_path,
                  cartesia={"emulator_config": EmulatorConfig(api_key="sk_car_real")})
    assert any(line.startswith("===ERROR===") and "HTTP 401" in line for line in logs(session))
    assert events(session, "Cartesia.Agents.HTTPResponse") and events(session, "Cartesia.Agents.WebSocketError")
    assert events(session, "Application.Terminated") and session.clock.now() < 5


def test_junk_from_the_server_does_not_crash_the_session(tmp_path: Path) -> None:
    import asyncio

    from aiohttp import web

    from voxsim.runtime.clock import run as run_on_clock

    async def token(request: web.Request) -> web.Response:
        return web.json_response({"token": "t"})

    async def stream(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.receive()  # start
        await ws.send_json({"event": "ack", "stream_id": "sid_x", "config": {"input_format": "pcm_16000"}})
        for junk in ("{oops", '{"event": "media_output", "stream_id": "sid_x", "media": {"payload": "%%"}}',
                     '{"type": "error", "message": "boom"}', '{"event": "turn_started"}', "[]"):
            await ws.send_str(junk)
        await ws.send_bytes(b"\x00\x01\x02")
        await ws.send_json({"event": "transfer_call", "stream_id": "sid_x", "transfer": {"target_phone_number": "+1"}})
        await asyncio.sleep(2)
        await ws.close(code=1000, message=b"call ended by agent")
        return ws

    async def main() -> Session:
        app = web.Application()
        app.router.add_post("/access-token", token)
        app.router.add_get("/agents/stream/{agent_id}", stream)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        net = Network.from_dict({"caller": {"callerid": "+15551234567"}})
        session = Session(SessionOptions(network=net, storage_path=tmp_path / "s.sqlite", settings={
            "recordings_dir": str(tmp_path / "rec"), "cartesia": {"base_url": f"http://127.0.0.1:{port}"}}))
        try:
            path = SCENARIOS / "cartesia_inbound.js"
            session.load(path.read_text(), str(path))
            await session.start(inbound=net.caller)
            await session.wait(max_seconds=30)
        finally:
            session.close()
            await runner.cleanup()
        return session

    session = run_on_clock(main(), virtual=True)
    assert session.errors == []
    lines = logs(session)
    assert sum(line.startswith("===ConnectorInformation===") for line in lines) == 4  # 2 bad JSON, bad base64, binary
    assert sum(line.startswith("===Unknown===") for line in lines) == 3  # error, turn_started, transfer_call
    assert any("===ON_WEB_SOCKET_CLOSE=== 1000 call ended by agent" in line for line in lines)


TTS_SCENARIO = """
require(Modules.Cartesia);
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  call.addEventListener(CallEvents.Connected, () => {
    const player = Cartesia.createRealtimeTTSPlayer("Hello from Cartesia", { apiKey: "sk" });
    player.sendMediaTo(call);
    player.addEventListener(PlayerEvents.Started, () => Logger.write("started"));
    player.addEventListener(PlayerEvents.PlaybackFinished, (ev) => {
      Logger.write(`finished ${ev.error || "ok"}`);
      if (ev.error) { call.hangup(); return; }
      player.cancelContextRequest({ context_id: "no-such-context" });
    });
  });
  call.answer();
});
"""


def test_realtime_tts_player_plays_to_the_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parties = Parties(monkeypatch)
    net = Network.from_dict({"caller": {"callerid": "+15551234567"}})
    options = SessionOptions(network=net, storage_path=tmp_path / "s.sqlite",
                             settings={"recordings_dir": str(tmp_path / "rec")})
    session = run_scenario(TTS_SCENARIO, inbound=net.caller, options=options, max_seconds=30)
    assert session.errors == []
    assert logs(session) == ["started", "finished ok", "finished Invalid context ID"]
    assert parties.party("+15551234567").heard.transcript == "Hello from Cartesia"


def test_inbound_scenario_with_your_own_line_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = pytest.importorskip("line", reason="cartesia-line (the 'line' extra) is not installed")

    async def agent(env: Any, event: Any):  # type: ignore[no-untyped-def]
        if isinstance(event, line.CallStarted):
            yield line.AgentSendText(text="Hi, this is your Line agent.")
        elif isinstance(event, line.UserTurnEnded):
            said = " ".join(c.content for c in event.content if isinstance(c, line.UserTextSent))
            yield line.AgentSendText(text=f"You said {said}", interruptible=False)
            yield line.AgentEndCall()

    async def get_agent(env: Any, call_request: Any):  # type: ignore[no-untyped-def]
        return agent

    parties = Parties(monkeypatch)
    session = run("cartesia_inbound", {"caller": {"callerid": "+15551234567", "speak": [
        {"at": 5, "say": "hello line"}]}}, tmp_path, cartesia={"line": line.VoiceAgentApp(get_agent=get_agent)})
    heard = parties.party("+15551234567").heard.transcript
    assert heard == "Hi, this is your Line agent. You said hello line"
    assert any("===ON_WEB_SOCKET_CLOSE=== 1000 call ended by agent, reason: agent_ended" in x for x in logs(session))


IDLE_SCENARIO = """
require(Modules.Cartesia);
VoxEngine.addEventListener(AppEvents.Started, async () => {
  const client = await Cartesia.createAgentsClient({
    apiKey: "sk", agentId: "agent_1", cartesiaVersion: "2025-04-16",
    onWebSocketClose: (e) => { Logger.write(`closed ${e.code} ${e.reason} ${e.wasClean}`); VoxEngine.terminate(); },
  });
  client.start({ metadata: {} });
});
"""


def test_idle_agent_connection_closes_with_the_reason(tmp_path: Path) -> None:
    from voxsim.tools.agent import EmulatorConfig, StreamConfig

    config = EmulatorConfig(stream=StreamConfig(idle_timeout=10.0))  # below the 20 s ping: Cartesia's 2025 limit was 30 s
    options = SessionOptions(network=Network.from_dict({}), storage_path=tmp_path / "s.sqlite",
                             settings={"cartesia": {"emulator_config": config, "agent": {}}})
    session = run_scenario(IDLE_SCENARIO, options=options, max_seconds=60)
    assert session.errors == []
    assert logs(session) == ["closed 1000 connection idle timeout true"]
    assert 10.0 <= session.clock.now() < 11.0
