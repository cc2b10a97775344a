"""VoxEngine scenarios in JS on virtual time: inbound, outbound, easyProcess, terminate, handler errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxsim.runtime.network import Caller, Network
from voxsim.runtime.session import Session, SessionOptions, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS


def logs(session: Session) -> list[tuple[float, str]]:
    return [(r.t, r["text"]) for r in session.trace.find("log")]


def events(session: Session) -> list[tuple[float, str, str]]:
    return [(r.t, r["name"], r["target"]) for r in session.trace.find("event")]


def net(**callees: object) -> SessionOptions:
    return SessionOptions(network=Network(callees={k.replace("_", "+", 1): v for k, v in callees.items()}))


def test_inbound_answer_then_hangup() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
          Logger.write(`alerting ${e.callerid} -> ${e.destination} ${e.call.state()} ${e.call.incoming()}`);
          e.call.addEventListener(CallEvents.Connected, () => {
            Logger.write('connected ' + e.call.state());
            setTimeout(() => e.call.hangup(), 5000);
          });
          e.call.addEventListener(CallEvents.Disconnected, (ev) => {
            Logger.write(`disconnected ${ev.duration} ${ev.call.id() === e.call.id()} ${ev.name}`);
            VoxEngine.terminate();
          });
          e.call.answer();
        });
    """, inbound=Caller(callerid="+15551234567", destination="+18005550100"))
    assert logs(session) == [
        (0.0, "alerting +15551234567 -> +18005550100 ALERTING true"),
        (0.0, "connected CONNECTED"),
        (5.0, "disconnected 5 true Call.Disconnected"),
    ]
    assert [name for _, name, _ in events(session)][:2] == ["Application.Started", "Application.CallAlerting"]
    assert session.errors == []


def test_outbound_busy_from_custom_data() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Started, () => {
          const data = JSON.parse(VoxEngine.customData());
          const call = VoxEngine.callPSTN(data.to, data.from);
          call.addEventListener(CallEvents.Failed, (e) => { Logger.write(`failed ${e.code} ${e.reason}`); VoxEngine.terminate(); });
          call.addEventListener(CallEvents.Connected, () => Logger.write('connected?!'));
        });
    """, options=SessionOptions(network=Network(callees={"+15550001111": "busy"}),
                                custom_data='{"to":"+15550001111","from":"+18005550100"}'))
    assert logs(session) == [(0.5, "failed 486 Busy Here")]


def test_outbound_no_answer_is_408_after_60_seconds() -> None:
    session = run_scenario("""
        const call = VoxEngine.callUser({username: 'alice', callerid: '+1800'});
        call.addEventListener('Call.Ringing', () => Logger.write('ringing'));
        call.addEventListener(CallEvents.Failed, (e) => { Logger.write('failed ' + e.code); VoxEngine.terminate(); });
    """, options=SessionOptions(network=Network(callees={"user:alice": "no_answer"})))
    assert logs(session) == [(0.2, "ringing"), (60.0, "failed 408")]


def test_outbound_connected_then_remote_hangup_with_duration() -> None:
    session = run_scenario("""
        const call = VoxEngine.callSIP('sip:bob@example.com', {callerid: '+1800', displayName: 'Bot'});
        call.addEventListener(CallEvents.Connected, () => Logger.write('connected ' + call.number() + ' ' + call.callerid()));
        call.addEventListener(CallEvents.Disconnected, (e) => {
          Logger.write(`gone ${e.duration} ${e.internalCode} ${e.direction}`);
          VoxEngine.terminate();
        });
    """, options=SessionOptions(network=Network(callees={"sip:bob@example.com": {"answer_after": 2,
                                                                                  "hangup_after": 30}})))
    assert logs(session) == [(2.0, "connected sip:bob@example.com +1800"), (32.0, "gone 30 200 outgoing")]


def test_legacy_positional_call_forms() -> None:
    session = run_scenario("""
        const a = VoxEngine.callUser('alice', '+1800', 'Ann', null, false);
        const b = VoxEngine.callSIP('sip:bob@example.com', '+1801', 'Bob');
        Logger.write([a.number(), a.callerid(), a.displayName(), a.clientType()].join(' '));
        Logger.write([b.number(), b.callerid(), b.displayName(), b.clientType()].join(' '));
        VoxEngine.terminate();
    """)
    assert [t for _, t in logs(session)] == ["alice +1800 Ann user", "sip:bob@example.com +1801 Bob sip"]


def test_easy_process_bridges_two_legs_and_ends_the_session() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
          const out = VoxEngine.callPSTN('+15550002222', e.callerid);
          VoxEngine.easyProcess(e.call, out, (c1, c2) => Logger.write(`bridged ${c1.state()} ${c2.state()}`));
          e.call.addEventListener(CallEvents.Connected, () => Logger.write('inbound answered'));
        });
        VoxEngine.addEventListener(AppEvents.Terminating, () => Logger.write('terminating'));
    """, inbound=Caller(callerid="+15551234567"),
        options=SessionOptions(network=Network(callees={"+15550002222": {"answer_after": 4, "hangup_after": 10}})))
    assert logs(session) == [(4.0, "bridged CONNECTED CONNECTED"), (4.0, "inbound answered"), (14.0, "terminating")]


def test_forward_call_to_pstn() -> None:
    session = run_scenario("""
        VoxEngine.forwardCallToPSTN((n) => '+1' + n, (c1, c2) => Logger.write('established ' + c2.number()));
    """, inbound=Caller(callerid="+15551234567", destination="5550003333"),
        options=SessionOptions(network=Network(callees={"+15550003333": {"answer_after": 1, "hangup_after": 2}})))
    assert logs(session) == [(1.0, "established +15550003333")]
    assert session.trace.find("event", name="Application.Terminated")[0].t == 3.0


def test_terminate_semantics() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
          e.call.answer();
          e.call.addEventListener(CallEvents.Connected, () => {
            VoxEngine.terminate();
            Logger.write('still running after terminate');
            e.call.hangup();
            setTimeout(() => Logger.write('timer after terminate'), 10);
          });
          e.call.addEventListener(CallEvents.Disconnected, () => Logger.write('disconnected fired'));
        });
        VoxEngine.addEventListener(AppEvents.Terminating, () => Logger.write('terminating'));
        VoxEngine.addEventListener(AppEvents.Terminated, () => Logger.write('terminated'));
    """, inbound=Caller())
    assert [t for _, t in logs(session)] == ["still running after terminate", "terminating", "terminated"]


def test_error_in_one_handler_does_not_stop_the_next() -> None:
    session = run_scenario("""
        function broken() { null.boom; }
        VoxEngine.addEventListener(AppEvents.Started, () => broken());
        VoxEngine.addEventListener(AppEvents.Started, () => Logger.write('second handler ran'));
        VoxEngine.addEventListener(AppEvents.Started, () => setTimeout(() => VoxEngine.terminate(), 100));
    """)
    assert [t for _, t in logs(session)] == ["second handler ran"]
    assert len(session.errors) == 1 and "TypeError" in session.errors[0]
    error = session.trace.find("error")[0]
    assert "scenario.js:2" in error["stack"]
    assert session.trace.find("event", name="Application.Terminated")[0].t == 0.1


def test_string_event_names_remove_listener_and_undefined_event() -> None:
    session = run_scenario("""
        const h = () => Logger.write('removed handler ran');
        VoxEngine.addEventListener('Application.Started', () => Logger.write('string name works'));
        VoxEngine.addEventListener(AppEvents.Started, h);
        VoxEngine.removeEventListener(AppEvents.Started, h);
        VoxEngine.addEventListener(AppEvents.NoSuchEvent, () => Logger.write('never'));
        VoxEngine.addEventListener('Application.Strated', () => Logger.write('never'));
        VoxEngine.addEventListener(AppEvents.Started, () => VoxEngine.terminate());
    """)
    assert [t for _, t in logs(session)] == ["string name works"]
    warnings = [r["message"] for r in session.trace.find("warning")]
    assert any("is undefined; the listener is never called" in w for w in warnings)
    assert any("'Application.Strated' is not a VoxEngine event" in w for w in warnings)


def test_custom_data_limit_and_started_payload() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Started, (e) => {
          Logger.write(typeof e.sessionId + ' ' + typeof e.accessURL + ' ' + VoxEngine.customData());
          try { VoxEngine.customData('x'.repeat(201)); } catch (err) { Logger.write(err.name); }
          VoxEngine.customData('short');
          Logger.write(VoxEngine.customData());
          VoxEngine.terminate();
        });
    """, options=SessionOptions(custom_data="hello"))
    assert [t for _, t in logs(session)] == ["number string hello", "RangeError", "short"]


def test_no_calls_session_ends_after_60_seconds() -> None:
    session = run_scenario("Logger.write('loaded');")
    assert session.trace.find("event", name="Application.Terminated")[0].t == 60.0


def test_enums_and_require() -> None:
    session = run_scenario("""
        Logger.write(CallEvents.Connected + ' ' + AppEvents.CallAlerting + ' ' + Modules.Cartesia);
        CallEvents.Connected = 'x';
        Logger.write(CallEvents.Connected + ' ' + Object.isFrozen(CallEvents));
        require(Modules.Player);
        require('nonsense');
        require(Modules.SmartQueue);
        Logger.write(ASRLanguage.SPANISH_ES + ' ' + RecorderDirection.rtl);
        Logger.write(typeof VoiceList.Google.en_US_Standard_A + ' ' + Language.US_ENGLISH_FEMALE.language);
        VoxEngine.terminate();
    """)
    assert [t for _, t in logs(session)] == [
        "Call.Connected Application.CallAlerting cartesia",
        "Call.Connected true",
        "es-ES rtl",
        "object en-US",
    ]
    warnings = [r["message"] for r in session.trace.find("warning")]
    assert "Modules.Player does not exist in VoxEngine (reads as undefined)" in warnings
    assert "require(undefined): not a VoxEngine module; ignored" in warnings
    assert any("'nonsense'" in w for w in warnings)
    assert any("not emulated" in w for w in warnings)


def test_dtmf_from_the_caller_with_handle_tones() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
          e.call.answer();
          e.call.handleTones(true);
          e.call.addEventListener(CallEvents.ToneReceived, (t) => Logger.write('tone ' + t.tone));
          e.call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
        });
    """, inbound=Caller(dtmf=((1.0, "4#"),), hangup_after=3))
    assert logs(session) == [(1.0, "tone 4"), (1.2, "tone #")]


def test_detached_terminate_and_extra_arguments() -> None:
    session = run_scenario("""
        clearTimeout(1, 2, 3);
        const call = VoxEngine.callPSTN('+15550001111', '+1800', {}, 'extra', 'args');
        call.addEventListener(CallEvents.Connected, () => call.hangup());
        call.addEventListener(CallEvents.Disconnected, VoxEngine.terminate);
        VoxEngine.addEventListener(AppEvents.Terminating, () => Logger.write('terminating'));
    """)
    assert logs(session) == [(1.0, "terminating")]
    assert session.errors == [] and session.internal_errors == []


def test_async_handler_rejection_is_recorded_with_its_stack() -> None:
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Started, async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          throw new Error('late failure');
        });
        VoxEngine.addEventListener(AppEvents.Started, () => setTimeout(() => VoxEngine.terminate(), 500));
    """)
    assert session.errors == ["Uncaught (in promise) Error: late failure"]
    error = session.trace.find("error")[0]
    assert error.t == 0.1 and "scenario.js:4" in error["stack"]


def test_reading_members_voxengine_does_not_have_warns() -> None:
    session = run_scenario("""
        const call = VoxEngine.callPSTN('+15550001111', '+1800');
        Logger.write([typeof call.transfer, typeof call.answer, typeof VoxEngine.callPSTNN, String(call).length > 0,
                      JSON.stringify({c: 1}), typeof call.then].join(' '));
        Promise.resolve(call).then(() => { Logger.write('resolved'); VoxEngine.terminate(); });
    """)
    assert [t for _, t in logs(session)] == ['undefined function undefined true {"c":1} undefined', "resolved"]
    assert [r["message"] for r in session.trace.find("warning")] == [
        "call.transfer does not exist in VoxEngine (reads as undefined)",
        "VoxEngine.callPSTNN does not exist in VoxEngine (reads as undefined)",
    ]


def test_play_sound_and_hangup(tmp_path: Path) -> None:
    import wave

    sound = tmp_path / "bye.wav"
    with wave.open(str(sound), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x10\x00" * 8000 * 2)  # 2 s
    session = run_scenario(f"""
        VoxEngine.playSoundAndHangup({str(sound)!r});
        VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {{
          e.call.addEventListener(CallEvents.Disconnected, (ev) => {{
            Logger.write('gone after ' + ev.duration); VoxEngine.terminate();
          }});
        }});
    """, inbound=Caller())
    assert [t for _, t in logs(session)] == ["gone after 2"]
    assert session.errors == []
