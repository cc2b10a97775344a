"""The helper globals, Logger and VoxEngine.getSecretValue as a scenario sees them (host functions in a session realm)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from voxsim.engine.host import to_py
from voxsim.engine.values import UNDEFINED
from voxsim.runtime.session import Session, SessionOptions


def js(session: Session, path: str, *args: Any) -> Any:
    """Call ``a.b(...args)`` on the session's globals as one JS task; returns the JS result."""
    names = path.split(".")
    g = session.realm.global_object
    this: Any = UNDEFINED
    target: Any = g
    for name in names:
        this, target = target, target.get(name, target)
    return session.run_js(lambda: session.realm.call(target, this if this is not g else UNDEFINED, [session.to_js(a) for a in args]))


@pytest.fixture
async def session(tmp_path: Any) -> AsyncIterator[Session]:
    secrets_file = tmp_path / "secrets.env"
    secrets_file.write_text("FROM_FILE=file-value\n")
    s = Session(SessionOptions(secrets_path=secrets_file, secrets={"CARTESIA_API_KEY": "sk-test"}, settings={"seed": 3}))
    await s.start()
    yield s
    s.terminate()
    await s.wait()
    s.close()


async def test_codec_helpers(session: Session) -> None:
    assert js(session, "base64_encode", "hello") == "aGVsbG8="
    assert js(session, "base64_encode", [1, 2, 255]) == "AQL/"
    assert to_py(js(session, "base64_decode", "aGk=")) == [104, 105]
    assert to_py(js(session, "str2bytes", "é")) == [0xC3, 0xA9]
    assert to_py(js(session, "str2bytes", "é", "latin1")) == [0xE9]
    assert js(session, "bytes2str", [0xC3, 0xA9]) == "é"
    assert js(session, "bytes2hex", [0xCA, 0xFE]) == "cafe"
    assert js(session, "bytes2hex", [0xCA, 0xFE], True) == "CAFE"
    assert to_py(js(session, "hex2bytes", "cafe")) == [0xCA, 0xFE]
    assert js(session, "levenshtein_distance", "kitten", "sitting") == 3.0
    assert session.errors == []


async def test_bad_arguments_throw_type_errors(session: Session) -> None:
    js(session, "hex2bytes", "zz")
    js(session, "str2bytes", "a", "no-such-encoding")
    assert len(session.errors) == 2
    assert session.errors[0].startswith("TypeError: hex2bytes: not a hex string")


async def test_uuidgen_is_seeded_per_session(session: Session) -> None:
    first = js(session, "uuidgen")
    assert len(first) == 36 and first != js(session, "uuidgen")
    again = Session(SessionOptions(settings={"seed": 3}))
    assert js(again, "uuidgen") == first


async def test_logger_write_truncates_and_is_traced(session: Session) -> None:
    js(session, "Logger.write", "hello")
    js(session, "Logger.write", "x" * 20000)
    js(session, "Logger.write", 42.0)
    texts = [r["text"] for r in session.trace.find("log")]
    assert texts[0] == "hello" and len(texts[1]) == 15000 and texts[2] == "42"
    assert js(session, "Logger.hideTones", True) is UNDEFINED and session.errors == []


async def test_get_secret_value(session: Session) -> None:
    assert js(session, "VoxEngine.getSecretValue", "CARTESIA_API_KEY") == "sk-test"
    assert js(session, "VoxEngine.getSecretValue", "FROM_FILE") == "file-value"
    assert js(session, "VoxEngine.getSecretValue", "MISSING") is UNDEFINED
