"""Global helpers, Logger.write and the secret store."""

from __future__ import annotations

import base64
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxsim.runtime.helpers import (
    LOG_MESSAGE_LIMIT,
    HelperError,
    Logger,
    SecretStore,
    base64_decode,
    base64_encode,
    bytes2hex,
    bytes2str,
    get_local_time,
    hex2bytes,
    levenshtein_distance,
    str2bytes,
    uuidgen,
)

byte_lists = st.lists(st.integers(0, 255), max_size=64)


@given(byte_lists)
def test_base64_round_trip(data: list[int]) -> None:
    assert base64_decode(base64_encode(data)) == data


@given(st.text(max_size=40, alphabet=st.characters(exclude_categories=["Cs"])))
def test_base64_of_a_string_is_its_utf8(text: str) -> None:
    assert base64_encode(text) == base64.b64encode(text.encode("utf-8")).decode()


def test_base64_known_values() -> None:
    assert base64_encode("hello") == "aGVsbG8="
    assert base64_encode([0, 255, 16]) == "AP8Q"
    assert base64_decode("aGVsbG8") == list(b"hello")  # padding optional
    assert base64_encode("\ud83d\ude00") == base64.b64encode("😀".encode()).decode()  # a surrogate pair is one character
    with pytest.raises(HelperError):
        base64_decode("a$b")


@given(byte_lists, st.booleans())
def test_hex_round_trip(data: list[int], upper: bool) -> None:
    text = bytes2hex(data, upper)
    assert hex2bytes(text) == data
    assert text == (text.upper() if upper else text.lower())


def test_hex_known_values() -> None:
    assert bytes2hex([0xCA, 0xFE, 0xC0, 0xDE]) == "cafec0de"
    assert bytes2hex([0xCA, 0xFE], True) == "CAFE"
    assert hex2bytes("cafec0de") == [0xCA, 0xFE, 0xC0, 0xDE]
    with pytest.raises(HelperError):
        hex2bytes("xyz")


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("hé", None, [0x68, 0xC3, 0xA9]),
        ("hé", "utf-8", [0x68, 0xC3, 0xA9]),
        ("hé", "latin1", [0x68, 0xE9]),
        ("ж", "windows-1251", [0xE6]),
        ("ж", "ascii", [0x3F]),
    ],
)
def test_str2bytes(text: str, encoding: str | None, expected: list[int]) -> None:
    assert str2bytes(text, encoding) == expected


@given(st.text(max_size=40).filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t)))
def test_str_bytes_round_trip_utf8(text: str) -> None:
    assert bytes2str(str2bytes(text, "utf-8"), "utf-8") == text


def test_bytes2str_replaces_invalid_and_rejects_unknown_encoding() -> None:
    assert bytes2str([0xFF, 0x41]) == "\ufffdA"
    with pytest.raises(HelperError, match="unknown encoding"):
        str2bytes("a", "no-such-codepage")


def test_uuidgen_is_v4_and_seedable() -> None:
    first = uuidgen()
    assert len(first) == 36 and first[14] == "4"
    assert uuidgen() != first
    assert uuidgen(random.Random(7)) == uuidgen(random.Random(7))


def test_get_local_time_shifts_to_wall_clock() -> None:
    instant = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc).timestamp() * 1000
    moscow = get_local_time("Europe/Moscow", instant)
    assert datetime.fromtimestamp(moscow / 1000, tz=timezone.utc).hour == 15
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc).timestamp() * 1000
    new_york = get_local_time("America/New_York", summer)
    assert datetime.fromtimestamp(new_york / 1000, tz=timezone.utc).hour == 8  # EDT
    assert get_local_time("UTC", instant) == instant
    with pytest.raises(HelperError):
        get_local_time("Mars/Olympus", instant)


@pytest.mark.parametrize(("a", "b", "d"), [("", "", 0), ("kitten", "sitting", 3), ("abc", "", 3), ("flaw", "lawn", 2)])
def test_levenshtein_known(a: str, b: str, d: int) -> None:
    assert levenshtein_distance(a, b) == d


@given(st.text(max_size=12), st.text(max_size=12))
def test_levenshtein_is_a_metric(a: str, b: str) -> None:
    d = levenshtein_distance(a, b)
    assert d == levenshtein_distance(b, a)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)


def test_logger_truncates_at_the_limit() -> None:
    lines: list[str] = []
    log = Logger(lines.append)
    log.write("short")
    log.write("x" * (LOG_MESSAGE_LIMIT + 10))
    assert lines[0] == "short"
    assert len(lines[1]) == LOG_MESSAGE_LIMIT == 15000


def test_secret_store_sources_and_precedence(tmp_path: Path) -> None:
    env = {"VOXSIM_SECRET_API_KEY": "from-env", "VOXSIM_SECRET_ONLY_ENV": "e", "PATH": "/bin"}
    json_file = tmp_path / "secrets.json"
    json_file.write_text('{"API_KEY": "from-file", "N": 5}')
    store = SecretStore.load(json_file, env=env, values={"EXTRA": "x"})
    assert store.get("API_KEY") == "from-file"
    assert store.get("ONLY_ENV") == "e"
    assert store.get("N") == "5"
    assert store.get("EXTRA") == "x"
    assert store.get("PATH") is None and store.get("missing") is None
    dotenv = tmp_path / "secrets.env"
    dotenv.write_text("# comment\nexport A='1'\nB=two words\n")
    assert SecretStore.load(dotenv, env={}).names() == ["A", "B"]
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text("A: yes-value\n")
    assert SecretStore.load(yaml_file, env={}).get("A") == "yes-value"
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(HelperError):
        SecretStore.load(bad, env={})
