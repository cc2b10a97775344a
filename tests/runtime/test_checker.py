"""The static check: unknown members on API globals and API objects, listeners for undefined events."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from voxsim.runtime.checker import API_GLOBALS, EVENT_NAMES, Finding, check_program, check_source, format_finding


def _engine_parser() -> Callable[[str], Any] | None:
    from voxsim.engine.parser import parse_script

    return lambda text: parse_script(text, "scenario.js")


def _esprima_parser() -> Callable[[str], Any] | None:
    try:
        import esprima
    except ImportError:
        return None
    return lambda text: esprima.parseScript(text, {"loc": True}).toDict()


PARSERS = {"engine": _engine_parser(), "esprima": _esprima_parser()}


@pytest.fixture(params=sorted(PARSERS))
def check(request: pytest.FixtureRequest) -> Callable[[str], list[Finding]]:
    parse = PARSERS[request.param]
    if parse is None:
        pytest.skip(f"the {request.param} parser is not installed (esprima-fork is in the bench extra)")
    return lambda text: check_program(parse(textwrap.dedent(text)), "scenario.js")


def brief(findings: list[Finding]) -> list[tuple[int, str, str]]:
    return [(f.line, f.code, f.message.split(";")[0].split(":")[0]) for f in findings]


CLEAN = """
require(Modules.ApplicationStorage);
require(Modules.Cartesia);
VoxEngine.addEventListener(AppEvents.Started, (e) => { Logger.write(e.accessSecureURL); });
VoxEngine.addEventListener(AppEvents.CallAlerting, async ({ call, callerid }) => {
  call.answer();
  call.addEventListener(CallEvents.Connected, () => call.say("hi", { voice: VoiceList.Google.en_US_Standard_A }));
  call.addEventListener('Call.Disconnected', (ev) => { ev.call.hangup(); VoxEngine.terminate(); });
  const key = (await ApplicationStorage.get("CARTESIA_API_KEY")).value;
  const client = await Cartesia.createAgentsClient({ apiKey: key, agentId: "a", cartesiaVersion: "2025-04-16" });
  client.addEventListener(Cartesia.AgentsEvents.Clear, () => client.clearMediaBuffer());
  VoxEngine.sendMediaBetween(call, client);
  client.start({ metadata: { from: callerid } });
  const res = await Net.httpRequestAsync("https://example.com", { method: "POST" });
  const ws = VoxEngine.createWebSocket("wss://example.com/ws");
  ws.onmessage = (m) => Logger.write(m.text);
  ws.addEventListener(WebSocketEvents.OPEN, () => ws.send("hello"));
  call.toString(); fn.call.bind(null);
});
"""


def test_a_correct_scenario_is_clean(check: Callable[[str], list[Finding]]) -> None:
    assert check(CLEAN) == []


def test_unknown_members_on_globals(check: Callable[[str], list[Finding]]) -> None:
    findings = check("""
        const a = PlayerEvents.PlaybackError;
        VoxEngine.transfer(x);
        Cartesia.AgentsEvents.Interrupt;
        Net.fetch("u");
        CallEvents.Connected.length;
        PlayerEvents.PlaybackError = 1;
    """)
    assert brief(findings) == [
        (2, "unknown-member", "PlayerEvents has no member 'PlaybackError'"),
        (3, "unknown-member", "VoxEngine has no member 'transfer'"),
        (4, "unknown-member", "Cartesia.AgentsEvents has no member 'Interrupt'"),
        (5, "unknown-member", "Net has no member 'fetch'"),
    ]
    assert "PlaybackFinished" in findings[0].message.partition("did you mean")[2] or "PlaybackReady" in findings[0].message
    assert format_finding(findings[0]).startswith("scenario.js:2:24: warning: PlayerEvents has no member")


def test_unknown_members_on_api_objects(check: Callable[[str], list[Finding]]) -> None:
    findings = check("""
        VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
          const call = e.call;
          call.transfer("+1555");
          e.call.headers();
          const out = VoxEngine.callPSTN("+1", "+2");
          out.sendDTMF("1");
        });
        function later({ websocket }) { websocket.sendText("x"); }
        VoxEngine.addEventListener(AppEvents.WebSocket, later);
        function own(config, { client }) { config.call.apiKey; client.name; const { player } = config; player.title; }
    """)
    assert brief(findings) == [
        (4, "unknown-member", "call (a Call) has no member 'transfer'"),
        (5, "unknown-member", "e.call (a Call) has no member 'headers'"),
        (7, "unknown-member", "out (a Call) has no member 'sendDTMF'"),
        (9, "unknown-member", "websocket (a WebSocket) has no member 'sendText'"),
    ]
    assert "transferTo" in findings[0].message.partition("did you mean")[2]


def test_names_with_other_values_are_not_checked(check: Callable[[str], list[Finding]]) -> None:
    assert check("""
        let call = null;
        call = VoxEngine.callPSTN("+1", "+2");
        call = makeFake();
        call.transfer();
        const VoxEngine2 = VoxEngine;
        function f() { const Net = { fetch() {} }; Net.fetch(); }
    """) == []


def test_listeners_for_undefined_events(check: Callable[[str], list[Finding]]) -> None:
    findings = check("""
        player.addEventListener(PlayerEvents.PlaybackError, () => {});
        call.addEventListener(undefined, () => {});
        call.addEventListener('Call.Conected', () => {});
        call.addEventListener('Call.Connected', () => {});
        client.addEventListener('Cartesia.Agents.Clear', () => {});
    """)
    assert [(f.line, f.code) for f in findings] == [(2, "undefined-event"), (2, "unknown-member"), (3, "undefined-event"), (4, "unknown-event")]
    assert "did you mean 'Call.Connected'?" in findings[-1].message


def test_the_table_has_the_reference_names() -> None:
    assert "PlaybackFinished" in API_GLOBALS["PlayerEvents"] and "PlaybackError" not in API_GLOBALS["PlayerEvents"]
    assert {"ApplicationStorage", "Cartesia"} <= set(API_GLOBALS["Modules"])
    assert {"Call.Connected", "Application.HttpRequest", "WebSocket.Message", "Cartesia.Agents.ACK"} <= EVENT_NAMES


def test_the_cartesia_table_agrees_with_the_module() -> None:
    from voxsim.runtime.modules.cartesia.events import AGENTS_EVENTS, MEDIA_EVENTS

    cartesia = API_GLOBALS["Cartesia"]
    assert set(cartesia["AgentsEvents"]) == set(AGENTS_EVENTS)
    assert set(cartesia["Events"]) == set(MEDIA_EVENTS)
    assert set(AGENTS_EVENTS.values()) | set(MEDIA_EVENTS.values()) <= EVENT_NAMES


def test_listeners_on_the_wrong_target(check: Callable[[str], list[Finding]]) -> None:
    findings = check("""
        VoxEngine.addEventListener(CallEvents.Connected, function () {});
        VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
          e.call.addEventListener(AppEvents.Terminated, function () {});
          const ws = VoxEngine.createWebSocket("wss://x");
          ws.addEventListener('Call.Connected', function () {});
          ws.addEventListener(WebSocketEvents.OPEN, function () {});
          e.call.addEventListener(CallEvents.Disconnected, function () {});
          VoxEngine.addEventListener('Application.Terminating', function () {});
          other.addEventListener(AppEvents.Started, function () {});
        });
    """)
    assert [(f.line, f.code) for f in findings] == [(2, "wrong-target"), (4, "wrong-target"), (6, "wrong-target")]
    assert findings[0].message == ("VoxEngine.addEventListener(CallEvents.Connected, …): Call.Connected is not an event of "
                                   "VoxEngine, so the listener never fires")
    assert "is not an event of a Call" in findings[1].message and "of a WebSocket" in findings[2].message


def test_conference_acd_and_amd_objects_are_typed() -> None:
    source = """
require(Modules.Conference); require(Modules.ACD);
var conf = VoxEngine.createConference();
conf.addEventListener(ConferenceEvents.Started, function (e) { Logger.write(e.conference.getId()); });
conf.addEventListener(ConferenceEvents.EndpointAdded, function (e) { e.endpoint.getCall(); e.endpoint.mute(); });
conf.addEventListener(CallEvents.Connected, function () {});
var req = VoxEngine.enqueueACDRequest('q', '1');
req.addEventListener(ACDEvents.OperatorReached, function (e) { e.operatorCall.hangup(); req.operatorCall(); });
var amd = AMD.create({model: AMD.Model.US});
amd.addEventListener(AMD.Events.DetectionComplete, function (e) { e.amd.detect(); e.amd.start(); });
"""
    messages = [f.message for f in check_source(source, "typed.js")]
    assert messages == [
        "e.conference (a Conference) has no member 'getId'; it is undefined in VoxEngine (did you mean get?)",
        "e.endpoint (an Endpoint) has no member 'mute'; it is undefined in VoxEngine",
        "conf.addEventListener(CallEvents.Connected, …): Call.Connected is not an event of a Conference, so the "
        "listener never fires",
        "req (an ACDRequest) has no member 'operatorCall'; it is undefined in VoxEngine",
        "e.amd (an AnsweringMachineDetector) has no member 'start'; it is undefined in VoxEngine",
    ]
