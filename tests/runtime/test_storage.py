"""ApplicationStorage on sqlite: limits, ttl on the session clock, persistence, concurrent sessions."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxsim.runtime.storage import KEY_LIMIT, TTL_LIMIT, VALUE_LIMIT, ApplicationStorage, StorageError, StorageKey


class FakeClock:
    """A session clock the test moves by hand (Unix seconds)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> ApplicationStorage:
    with ApplicationStorage(now=clock) as s:
        yield s


def test_put_get_remove(store: ApplicationStorage, clock: FakeClock) -> None:
    assert store.get("CARTESIA_API_KEY") is None
    put = store.put("CARTESIA_API_KEY", "sk-123", 3600)
    assert put == StorageKey("CARTESIA_API_KEY", "sk-123", int(clock.t) + 3600)
    assert put.to_js() == {"key": "CARTESIA_API_KEY", "value": "sk-123", "expireAt": int(clock.t) + 3600}
    assert store.get("CARTESIA_API_KEY") == put
    assert store.put("CARTESIA_API_KEY", "sk-456", 0).expire_at == 0  # update; 0 = no expiry
    assert store.get("CARTESIA_API_KEY").value == "sk-456"
    assert store.remove("CARTESIA_API_KEY") == StorageKey("CARTESIA_API_KEY", "sk-456", 0)
    assert store.get("CARTESIA_API_KEY") is None
    assert store.remove("CARTESIA_API_KEY") == StorageKey("CARTESIA_API_KEY", "", 0)


def test_ttl_expires_on_the_session_clock(store: ApplicationStorage, clock: FakeClock) -> None:
    store.put("short", "v", 60)
    store.put("forever", "v", 0)
    clock.t += 59
    assert store.get("short") is not None
    assert store.keys() == ["forever", "short"]
    clock.t += 1
    assert store.get("short") is None
    assert store.keys() == ["forever"]
    assert store.remove("short").value == ""  # an expired key is gone
    clock.t += TTL_LIMIT * 2
    assert store.get("forever") is not None


@pytest.mark.parametrize(
    ("key", "value", "ttl", "message"),
    [
        ("k" * (KEY_LIMIT + 1), "v", 1, "key is longer than 200"),
        ("", "v", 1, "non-empty string"),
        ("k", "v" * (VALUE_LIMIT + 1), 1, "value is longer than 2000"),
        ("k", 5, 1, "value must be a string"),
        ("k", "v", TTL_LIMIT + 1, "ttl must be"),
        ("k", "v", -1, "ttl must be"),
        ("k", "v", float("nan"), "ttl must be"),
        ("k", "v", "60", "ttl must be"),
    ],
)
def test_limits(store: ApplicationStorage, key: object, value: object, ttl: object, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        store.put(key, value, ttl)  # type: ignore[arg-type]


def test_limits_are_inclusive(store: ApplicationStorage) -> None:
    store.put("k" * KEY_LIMIT, "v" * VALUE_LIMIT, TTL_LIMIT)
    assert store.get("k" * KEY_LIMIT).value == "v" * VALUE_LIMIT


def test_keys_by_namespace_glob_and_count(store: ApplicationStorage) -> None:
    for key in ("test:1", "test:2", "test", "testing:1", "other:1"):
        store.put(key, "v", 0)
    assert store.keys("test") == ["test", "test:1", "test:2"]
    assert store.keys("test*") == ["test", "test:1", "test:2", "testing:1"]
    assert store.keys(None, 2) == ["other:1", "test"]
    with pytest.raises(StorageError):
        store.keys(None, 0)


def test_a_given_path_persists_and_a_temporary_one_is_deleted(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "app.sqlite3"
    with ApplicationStorage(path, now=clock) as first:
        first.put("counter", "1", 0)
    with ApplicationStorage(path, now=clock) as second:
        assert second.get("counter").value == "1"
        with ApplicationStorage(path, now=clock, application="other") as other_app:
            assert other_app.get("counter") is None
    temporary = ApplicationStorage(now=clock)
    temporary.put("a", "b", 0)
    assert temporary.path.exists()
    temporary.close()
    assert not temporary.path.exists()
    assert path.exists()
    with pytest.raises(StorageError, match="closed"):
        temporary.get("a")


def test_concurrent_sessions_on_one_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "shared.sqlite3"
    ApplicationStorage(path, now=clock).close()
    errors: list[BaseException] = []

    def session(n: int) -> None:
        try:
            with ApplicationStorage(path, now=clock) as s:
                for i in range(50):
                    s.put(f"s{n}:{i}", str(i), 0)
                    assert s.get(f"s{n}:{i}").value == str(i)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with ApplicationStorage(path, now=clock) as s:
        assert len(s.keys(None, 10_000)) == 200
        assert s.keys("s3")[:2] == ["s3:0", "s3:1"]


@settings(max_examples=15, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=30), max_size=10))
def test_last_put_wins_model(entries: dict[str, str]) -> None:
    with ApplicationStorage(now=FakeClock()) as s:
        for key, value in entries.items():
            s.put(key, "old", 0)
            s.put(key, value, 0)
        assert s.keys(None, 10_000) == sorted(entries)
        for key, value in entries.items():
            assert s.get(key).value == value


_WRITER = """
import sys
from voxsim.runtime.storage import ApplicationStorage
with ApplicationStorage(sys.argv[1], now=lambda: 1_700_000_000.0) as s:
    for i in range(200):
        s.put(f"{sys.argv[2]}:{i}", str(i), 0)
        s.put("shared", sys.argv[2], 0)
"""


def test_concurrent_processes_on_one_file(tmp_path: Path, clock: FakeClock) -> None:
    import subprocess
    import sys

    path = tmp_path / "shared.sqlite3"
    ApplicationStorage(path, now=clock).close()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name], stderr=subprocess.PIPE) for name in ("p1", "p2", "p3")]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    with ApplicationStorage(path, now=clock) as s:
        assert [len(s.keys(name, 10_000)) for name in ("p1", "p2", "p3")] == [200, 200, 200]
        assert s.get("shared").value in ("p1", "p2", "p3")
