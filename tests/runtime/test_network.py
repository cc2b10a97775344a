"""The simulated phone network: behaviours from Python and from YAML/JSON files, addressing, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxsim.runtime.network import Callee, Caller, Network, NetworkError, normalize_number


def test_default_callee_answers_after_one_second() -> None:
    callee = Network().lookup("+15550001111")
    assert callee.answer_after == 1.0 and callee.fail is None and callee.ring


@pytest.mark.parametrize(
    ("spec", "code"),
    [("busy", 486), ("reject", 603), ("not_found", 404), ("unavailable", 480), ("no_funds", 402), ("not-found", 404)],
)
def test_failure_shorthands(spec: str, code: int) -> None:
    assert Callee.from_spec(spec).fail == code


def test_no_answer_rings_forever() -> None:
    callee = Callee.from_spec("no_answer")
    assert callee.answer_after is None and callee.fail is None


def test_mapping_spec_with_dtmf_headers_and_extra() -> None:
    callee = Callee.from_spec(
        {"answer_after": 3, "hangup_after": 20, "dtmf": [{"at": 5, "digits": "1#"}, [2, "9"]],
         "headers": {"X-Id": 7}, "says": ["hello"]}
    )
    assert callee.answer_after == 3.0 and callee.hangup_after == 20.0
    assert callee.dtmf == ((2.0, "9"), (5.0, "1#"))
    assert callee.headers == {"X-Id": "7"}
    assert callee.extra == {"says": ["hello"]}


def test_reject_alias_and_behaviour_base() -> None:
    assert Callee.from_spec({"reject": 603, "after": 4}).after == 4.0
    callee = Callee.from_spec({"behaviour": "busy", "after": 1})
    assert callee.fail == 486 and callee.after == 1.0


@pytest.mark.parametrize(
    "spec",
    ["explode", 42, {"answer_after": -1}, {"fail": 200}, {"dtmf": [{"at": 1, "digits": "x"}]}, {"dtmf": "12"}],
)
def test_bad_specs_name_the_problem(spec: object) -> None:
    with pytest.raises(NetworkError):
        Callee.from_spec(spec)


def test_addressing_kinds() -> None:
    net = Network(callees={"+1 (555) 000-1111": "busy", "user:alice": "no_answer", "sip:bob@example.com": "reject",
                           "whatsapp:+15550002222": "unavailable"})
    assert net.lookup("15550001111").fail == 486
    assert net.lookup("alice", kind="user").answer_after is None
    assert net.lookup("alice").fail == 404  # as a PSTN number "alice" is not the user, and not a number
    assert net.lookup("bob@example.com", kind="sip").fail == 603
    assert net.lookup("sip:bob@example.com", kind="sip").fail == 603
    assert net.lookup("+15550002222", kind="whatsapp").fail == 480


def test_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(
        "default: {answer_after: 2}\n"
        "callees:\n  '+15550001111': busy\n  'user:alice': {answer_after: 5, hangup_after: 10}\n"
        "caller: {callerid: '+15551234567', destination: '+18005550000', displayName: Ann, headers: {X-A: b}}\n"
    )
    net = Network.from_file(path)
    assert net.default.answer_after == 2.0
    assert net.lookup("+15550001111").fail == 486
    assert net.lookup("alice", kind="user").hangup_after == 10.0
    assert net.caller == Caller(callerid="+15551234567", destination="+18005550000", display_name="Ann",
                                headers={"X-A": "b"})


def test_json_file_and_unknown_key(tmp_path: Path) -> None:
    good = tmp_path / "net.json"
    good.write_text(json.dumps({"callees": {"123": {"fail": 480}}}))
    assert Network.from_file(good).lookup("+123").fail == 480
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"calees": {}}))
    with pytest.raises(NetworkError, match="unknown keys"):
        Network.from_file(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("callees: [")
    with pytest.raises(NetworkError, match="not valid YAML"):
        Network.from_file(broken)


def test_with_caller_keeps_callees() -> None:
    net = Network(callees={"1": "busy"}).with_caller(callerid="+1999")
    assert net.caller.callerid == "+1999" and net.lookup("1").fail == 486


@given(st.from_regex(r"\+?[0-9]{3,15}", fullmatch=True))
def test_number_normalisation_ignores_formatting(number: str) -> None:
    spaced = " ".join(number)
    assert normalize_number(spaced) == normalize_number(number) == number.lstrip("+")


@pytest.mark.parametrize("number", ["abc", "", "12", "+1 555 CALL NOW", "whatsapp:xyz"])
def test_invalid_pstn_numbers_are_not_found(number: str) -> None:
    kind = "whatsapp" if number.startswith("whatsapp:") else "pstn"
    assert Network().lookup(number, kind=kind).fail == 404


def test_invalid_number_can_still_be_configured() -> None:
    assert Network(callees={"abc": "busy"}).lookup("abc").fail == 486
    assert Network().lookup("alice", kind="user").fail is None
