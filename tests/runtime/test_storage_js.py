"""require(Modules.ApplicationStorage): Promises of {key, value, expireAt} / {keys}, ttl on virtual time, sharing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from voxsim.engine.builtins.promise import PromiseObject
from voxsim.engine.host import to_py
from voxsim.runtime.modules import require_module
from voxsim.runtime.session import Session, SessionOptions


async def storage_call(session: Session, member: str, *args: Any) -> tuple[str, Any]:
    g = session.realm.global_object
    ns = g.get("ApplicationStorage", g)
    promise = session.run_js(lambda: session.realm.call(ns.get(member, ns), ns, [session.to_js(a) for a in args]))
    assert isinstance(promise, PromiseObject)
    promise.handled = True
    assert promise.state == "pending"  # settles on a later loop turn, like a round trip
    for _ in range(5):
        await asyncio.sleep(0)
    if promise.state == "fulfilled":
        return promise.state, to_py(promise.result)
    return promise.state, to_py(promise.result.get("message", promise.result))


async def new_session(path: Path | None = None) -> Session:
    s = Session(SessionOptions(storage_path=path, epoch=1_700_000_000.0))
    await s.start()
    require_module(s, "applicationstorage")
    return s


@pytest.mark.looptime
async def test_put_get_keys_remove_and_ttl() -> None:
    s = await new_session()
    assert await storage_call(s, "get", "missing") == ("fulfilled", None)
    state, put = await storage_call(s, "put", "test:1", "one", 30)
    assert state == "fulfilled" and put == {"key": "test:1", "value": "one", "expireAt": 1_700_000_030}
    await storage_call(s, "put", "other", "x", 0)
    assert await storage_call(s, "keys", "test") == ("fulfilled", {"keys": ["test:1"]})
    assert await storage_call(s, "keys") == ("fulfilled", {"keys": ["other", "test:1"]})
    await asyncio.sleep(30)
    assert await storage_call(s, "get", "test:1") == ("fulfilled", None)
    assert await storage_call(s, "remove", "other") == ("fulfilled", {"key": "other", "value": "x", "expireAt": 0})
    state, message = await storage_call(s, "put", "k" * 201, "v", 1)
    assert state == "rejected" and "longer than 200" in message
    s.terminate()
    await s.wait()


@pytest.mark.looptime
async def test_sessions_share_a_given_file(tmp_path: Path) -> None:
    path = tmp_path / "storage.sqlite3"
    first = await new_session(path)
    await storage_call(first, "put", "CARTESIA_AGENT_ID", "agent-1", 0)
    first.terminate()
    await first.wait()
    second = await new_session(path)
    assert (await storage_call(second, "get", "CARTESIA_AGENT_ID"))[1]["value"] == "agent-1"
    second.terminate()
    await second.wait()
    assert path.exists()
    fresh = await new_session()
    assert (await storage_call(fresh, "get", "CARTESIA_AGENT_ID"))[1] is None
    temporary = fresh.extensions["storage"].path
    fresh.terminate()
    await fresh.wait()
    assert not temporary.exists()


@pytest.mark.looptime
async def test_calls_after_terminated_are_ignored() -> None:
    s = await new_session()
    s.terminate()
    await s.wait()
    g = s.realm.global_object
    ns = g.get("ApplicationStorage", g)
    promise = s.run_js(lambda: s.realm.call(ns.get("get", ns), ns, ["k"]))
    await asyncio.sleep(1)
    assert promise.state == "pending" and s.errors == []
