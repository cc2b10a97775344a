"""ApplicationStorage on real time: the sqlite file opens in an executor, operations issued meanwhile keep their order,
an acknowledged put is in the file, and a file that cannot be opened is an internal error (not a hung Promise)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session, SessionOptions
from voxsim.runtime.storage import ApplicationStorage, StorageError

SCENARIO = """
require(Modules.ApplicationStorage);
VoxEngine.addEventListener(AppEvents.Started, async () => {
  const order = [];
  const a = ApplicationStorage.put("k", "one").then(() => order.push("put one"));
  const b = ApplicationStorage.get("k").then((item) => order.push(`get ${item.value}`));
  const c = ApplicationStorage.put("k", "two").then(() => order.push("put two"));
  await Promise.all([a, b, c]);
  Logger.write(order.join(", "));
  Logger.write(`acked ${(await ApplicationStorage.get("k")).value}`);
  VoxEngine.terminate();
});
"""


def _logs(session: Session) -> list[str]:
    return [str(r.get("text")) for r in session.trace.records if r.type == "log"]


def test_operations_before_the_file_is_open_run_in_order_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"

    lock = sqlite3.connect(path, isolation_level=None)  # another process holding the file: the open waits for it
    lock.execute("CREATE TABLE other (x)")
    lock.execute("BEGIN EXCLUSIVE")

    async def main() -> Session:
        session = await Session.create(SessionOptions(storage_path=path))
        await session.load_async(SCENARIO, "s.js")
        await session.start()
        await asyncio.sleep(0.2)
        storage = session.extensions["storage"]
        assert not storage.is_open and not _logs(session)  # the operations wait; the loop did not
        lock.execute("COMMIT")
        await session.wait(max_seconds=10)
        session.close()
        return session

    session = run(main(), virtual=False)
    assert not session.errors and not session.internal_errors
    assert _logs(session) == ["put one, get one, put two", "acked two"]
    with sqlite3.connect(path) as db:  # what was acknowledged is in the file after the session closed it
        assert db.execute("SELECT value FROM storage WHERE key = 'k'").fetchall() == [("two",)]


def test_a_file_that_cannot_be_opened_ends_the_session_as_an_internal_error(tmp_path: Path) -> None:
    async def main() -> Session:
        session = Session(SessionOptions(storage_path=tmp_path / "missing-dir" / "store.sqlite3"))
        session.load(SCENARIO, "s.js")
        await session.start()
        await session.wait(max_seconds=10)
        session.close()
        return session

    session = run(main(), virtual=False)
    assert session.terminated
    assert [type(e) for e in session.internal_errors] == [sqlite3.OperationalError]


def test_a_store_made_without_connecting_refuses_operations_until_connected(tmp_path: Path) -> None:
    store = ApplicationStorage(tmp_path / "s.sqlite3", now=lambda: 0.0, connect=False)
    try:
        store.get("k")
    except StorageError as exc:
        assert "not open yet" in str(exc)
    else:
        raise AssertionError("an operation before connect() must raise StorageError")
    store.connect()
    store.put("k", "v")
    assert store.get("k").value == "v"
    store.close()
    store.connect()  # a closed store stays closed
    try:
        store.get("k")
    except StorageError as exc:
        assert "closed" in str(exc)
    else:
        raise AssertionError("an operation after close() must raise StorageError")


def test_a_temporary_store_is_created_by_connect_and_deleted_by_close() -> None:
    store = ApplicationStorage(None, now=lambda: 0.0, connect=False)
    assert store.path is None
    store.connect()
    path = store.path
    assert path is not None and path.exists()
    store.close()
    assert not path.exists()


def test_virtual_time_opens_at_once() -> None:
    async def main() -> bool:
        session = Session(SessionOptions())
        session.load("require(Modules.ApplicationStorage);", "s.js")
        await session.start()
        opened = bool(session.extensions["storage"].is_open)
        session.terminate()
        await session.wait()
        session.close()
        return opened

    assert run(main(), virtual=True)
