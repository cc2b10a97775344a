"""require() of the AI connectors voxsim does not emulate: namespaces and enums exist, connecting fails clearly."""

from __future__ import annotations

import pytest

from voxsim.runtime.modules.connector_enums import CONNECTOR_ENUMS
from voxsim.runtime.modules.connectors import CONNECTORS
from voxsim.runtime.network import Caller
from voxsim.runtime.session import Session, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

# The shape of public OpenAI-realtime scenarios: enums read at the top level, the client made once the call connects.
REALTIME = """
require(Modules.OpenAI);
require(Modules.ASR);
var AUDIO = OpenAI.RealtimeAPIEvents.ResponseOutputAudioDone;
Logger.write('type ' + OpenAI.RealtimeAPIClientType.REALTIME + ' ' + typeof OpenAI.Beta.createRealtimeAPIClient);
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  var call = e.call;
  call.addEventListener(CallEvents.Connected, async function () {
    try {
      var client = await OpenAI.createRealtimeAPIClient({apiKey: 'k', model: 'gpt-realtime'});
      Logger.write('connected ' + typeof client);
    } catch (err) {
      Logger.write('rejected ' + (err instanceof Error) + ' ' + err.message.split(':')[0]);
    }
    call.hangup();
  });
  call.addEventListener(CallEvents.Disconnected, function () { VoxEngine.terminate(); });
  call.answer();
});
"""

DIALOGFLOW = """
require(Modules.AI);
Logger.write(AI.Events.DialogflowResponse);
try { AI.createDialogflow({lang: 'en'}); } catch (err) { Logger.write('threw ' + err.name + ' ' + err.message.split(':')[0]); }
VoxEngine.terminate();
"""


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


def test_openai_realtime_namespace_and_rejected_connect() -> None:
    session = run_scenario([(REALTIME, "realtime.js")], inbound=Caller())
    assert logs(session) == ["type realtime function", "rejected true OpenAI.createRealtimeAPIClient"]
    assert session.errors == []
    warnings = [r["message"] for r in session.trace.find("warning")]
    assert any("OpenAI connector is not emulated" in w for w in warnings)


def test_dialogflow_enum_values_and_synchronous_refusal() -> None:
    session = run_scenario([(DIALOGFLOW, "df.js")])
    assert logs(session) == ["AI.Events.DialogflowResponse", "threw Error AI.createDialogflow"]
    assert session.errors == []


@pytest.mark.parametrize("module, name", [("gemini", "Gemini"), ("elevenlabs", "ElevenLabs"), ("ultravox", "Ultravox"),
                                          ("yandex", "Yandex"), ("avatar", "VoximplantAvatar")])
def test_every_connector_defines_its_enums_and_factories(module: str, name: str) -> None:
    enums = CONNECTOR_ENUMS[name]
    enum, table = next(iter(enums.items()))
    member, value = next(iter(table.items()))
    factories = [f for f, _ in CONNECTORS[name]]
    src = (f"require('{module}');\n"
           f"Logger.write(String({name}.{enum}.{member}));\n"
           f"Logger.write({factories!r}.map(function (f) {{ return typeof {name}[f]; }}).join(','));\n"
           "VoxEngine.terminate();\n")
    session = run_scenario([(src, "c.js")])
    assert logs(session) == [str(value), ",".join("function" for _ in factories)]
    assert session.errors == []


def test_check_knows_the_connector_namespaces() -> None:
    from voxsim.runtime.checker import check_source

    src = ("require(Modules.OpenAI);\n"
           "var ok = [OpenAI.RealtimeAPIEvents.ResponseOutputAudioDone, OpenAI.Beta.RealtimeAPIEvents.ResponseAudioDone,\n"
           "  Gemini.LiveAPIEvents, ElevenLabs.AgentsEvents, OpenAI.createRealtimeAPIClient];\n"
           "var typo = OpenAI.RealtimeAPIEvents.ResponseOutputAudioDon;\n")
    findings = check_source(src, "c.js")
    assert [(f.line, f.code) for f in findings] == [(4, "unknown-member")]
    assert "ResponseOutputAudioDone" in findings[0].message


def test_avatar_brings_the_asr_profiles_its_parameters_use() -> None:
    source = """
require(Modules.Avatar);
Logger.write(ASRProfileList.Deepgram.en_US.language);
try { VoximplantAvatar.createVoiceAvatar({asrParameters: {profile: ASRProfileList.Google.en_US}}); }
catch (err) { Logger.write('threw ' + err.message.split(':')[0]); }
VoxEngine.terminate();
"""
    session = run_scenario([(source, "avatar.js")])
    assert [r["text"] for r in session.trace.find("log")] == ["en-US", "threw VoximplantAvatar.createVoiceAvatar"]
