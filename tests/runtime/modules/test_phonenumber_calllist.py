"""PhoneNumber.getInfo (libphonenumber) and the CallList reports: globals without a require, as on the platform."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.checker import check_source
from voxsim.runtime.modules.phonenumber import get_info
from voxsim.runtime.network import Network
from voxsim.runtime.session import Session, SessionOptions, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS

PHONE = """
var us = PhoneNumber.getInfo('+12029646876');
Logger.write([us.number, us.region, us.numberType, us.isValidNumber, us.location].join('|'));
var ru = PhoneNumber.getInfo('8 (900) 123-45-67', 'ru');
Logger.write([ru.number, ru.region, ru.numberType, ru.isValidNumberForRegion].join('|'));
Logger.write(PhoneNumber.getInfo('79001234567').number);
var bad = PhoneNumber.getInfo('call me');
Logger.write(bad.error + ' ' + bad.isPossibleNumber);
VoxEngine.terminate();
"""

CALLLIST = """
VoxEngine.addEventListener(AppEvents.Started, function () {
  var data = JSON.parse(VoxEngine.customData());
  var call = VoxEngine.callPSTN(data.phone, '15550000000');
  call.addEventListener(CallEvents.Connected, function () { call.hangup(); });
  call.addEventListener(CallEvents.Disconnected, async function (e) {
    CallList.reportProgress('talked');
    var r = await CallList.reportResultAsync({result: true, duration: e.duration, call: e.call});
    Logger.write('async ' + r.code);
    CallList.reportResult({result: true}, function (res) { Logger.write('callback ' + res.code + ' ' + res.text); VoxEngine.terminate(); });
    Logger.write('reported');
  });
});
"""


def _logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


def test_get_info_in_a_scenario() -> None:
    session = run_scenario([(PHONE, "phone.js")], options=SessionOptions(epoch=0.0))
    assert session.errors == []
    assert _logs(session) == [
        "+12029646876|US|FIXED_LINE_OR_MOBILE|true|Washington D.C., United States",
        "+79001234567|RU|MOBILE|true",
        "+79001234567",
        "NOT_A_NUMBER false",
    ]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20), st.one_of(st.none(), st.sampled_from(["US", "RU", "GB", "DE", "XX"])))
def test_get_info_never_raises_and_numbers_are_e164(text: str, country: str | None) -> None:
    info = get_info(text, country)
    if "error" in info:
        assert info["isValidNumber"] is False and info["number"] == text
    else:
        assert info["number"].startswith("+") and info["number"][1:].isdigit()
        assert info["isValidNumber"] is False or info["isPossibleNumber"] is True


def test_calllist_reports_are_answered_and_traced() -> None:
    options = SessionOptions(network=Network(), custom_data='{"phone": "+15557654321"}', epoch=0.0)
    session = run_scenario([(CALLLIST, "list.js")], options=options)
    assert session.errors == []
    assert _logs(session) == ["async 200", "reported", "callback 200 {\"result\":true}"]
    methods = [m for m, _ in session.extensions["calllist"]]
    assert methods == ["reportProgress", "reportResult", "reportResult"]
    assert session.extensions["calllist"][1][1]["call"] == "call-1"  # host objects are named by their trace id
    urls = [r["url"] for r in session.trace.find("http") if r.get("phase") == "request"]
    assert urls == ["https://calllist.voxsim.local/" + m for m in methods]


def test_checker_knows_the_new_globals() -> None:
    findings = check_source("PhoneNumber.getInfo('+1'); CallList.reportErrorAsync('x'); CallList.reportEror('x');",
                            "a.js")
    assert [f.message for f in findings] == [
        "CallList has no member 'reportEror'; it is undefined in VoxEngine (did you mean reportError or reportErrorAsync or reportProgress?)"
    ]
