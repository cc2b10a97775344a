"""Session lifecycle from Python: services, closers, ids, idle rule, max_seconds, enum warnings, internal errors."""

from __future__ import annotations

from typing import Any

from voxsim.runtime.clock import run
from voxsim.runtime.session import Session, SessionOptions, SessionState


class FakeService:
    """Records when it is started and closed, and gives the session its URLs like the HTTP service does."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def start(self, session: Session) -> None:
        session.access_url = "http://127.0.0.1:1/request/k/s"
        self.log.append(f"start {session.state}")

    async def close(self, session: Session) -> None:
        self.log.append(f"close {session.state}")


def test_services_closers_and_lifecycle_order() -> None:
    async def main() -> tuple[list[str], Session]:
        log: list[str] = []
        session = Session(SessionOptions(epoch=0.0))
        session.add_service(FakeService(log))
        session.add_closer(lambda: log.append("closer"))
        for name in ("Application.Started", "Application.Terminating", "Application.Terminated"):
            session.events.on(name, lambda e, name=name: log.append(name))
        session.events.on("Application.Started", lambda e: log.append(e["accessURL"]))
        await session.start()
        assert session.state == SessionState.RUNNING
        await session.wait()
        return log, session

    log, session = run(main())
    assert log == ["start new", "Application.Started", "http://127.0.0.1:1/request/k/s", "Application.Terminating",
                   "closer", "Application.Terminated", "close terminating"]
    assert session.terminated
    assert session.trace.find("event", name="Application.Terminated")[0].t == 60.0


def test_ids_are_per_session_and_deterministic() -> None:
    async def main() -> tuple[list[str], int, int]:
        a, b = Session(), Session()
        ids = [a.new_id("call"), a.new_id("call"), a.new_id("player"), b.new_id("call")]
        return ids, a.id, b.id

    ids, first, second = run(main())
    assert ids == ["call-1", "call-2", "player-1", "call-1"]
    assert second == first + 1


def test_max_seconds_terminates_and_warns() -> None:
    async def main() -> tuple[bool, Session]:
        session = Session(SessionOptions(idle_timeout=1000.0))
        await session.start()
        ended_by_itself = await session.wait(max_seconds=5)
        return ended_by_itself, session

    ended, session = run(main())
    assert not ended
    assert session.trace.find("event", name="Application.Terminated")[0].t == 5.0
    assert "--max-seconds 5 reached" in session.trace.find("warning")[0]["message"]


def test_internal_error_in_a_python_listener_ends_the_session() -> None:
    async def main() -> Session:
        session = Session()

        def broken(e: dict[str, Any]) -> None:
            raise ZeroDivisionError("oops")

        session.events.on("Application.Started", broken)
        await session.start()
        await session.wait()
        return session

    session = run(main())
    assert len(session.internal_errors) == 1
    error = session.trace.find("error")[0]
    assert error["source"] == "internal" and "ZeroDivisionError" in error["message"]
    assert session.trace.find("event", name="Application.Terminated")[0].t == 0.0


def test_missing_enum_members_read_undefined_with_a_warning() -> None:
    async def main() -> tuple[Any, Any, Session]:
        session = Session()
        player_events = session.realm.global_object.get("PlayerEvents")
        found = player_events.get("Started")
        missing = player_events.get("PlaybackError")
        session.terminate()
        return found, missing, session

    found, missing, session = run(main())
    from voxsim.engine.values import UNDEFINED

    assert found == "Player.Started" and missing is UNDEFINED
    assert [r["message"] for r in session.trace.find("warning")] == [
        "PlayerEvents.PlaybackError does not exist in VoxEngine (reads as undefined)"]


def test_events_after_terminate_are_not_delivered() -> None:
    async def main() -> list[str]:
        session = Session()
        seen: list[str] = []
        session.events.on("Custom.Event", lambda e: seen.append("custom"))
        session.events.on("Application.Terminated", lambda e: seen.append("terminated"))
        await session.start()
        session.terminate()
        delivered = session.events.emit("Custom.Event", {})
        seen.append(f"delivered={delivered}")
        await session.wait()
        return seen

    assert run(main()) == ["delivered=False", "terminated"]


def test_many_sessions_share_one_loop_independently() -> None:
    import asyncio

    import pytest

    async def one(delay_ms: int) -> Session:
        session = Session()
        session.load(f"var hits = 0; setTimeout(() => {{ hits++; Logger.write('fired ' + hits); VoxEngine.terminate(); }}, {delay_ms});")
        await session.start()
        await session.wait()
        session.close()
        return session

    async def main() -> list[Session]:
        return list(await asyncio.gather(*(one(ms) for ms in (300, 100, 200))))

    sessions = run(main())
    assert [[(r.t, r["text"]) for r in s.trace.find("log")] for s in sessions] == [
        [(0.3, "fired 1")], [(0.1, "fired 1")], [(0.2, "fired 1")]]
    assert len({id(s.realm) for s in sessions}) == 3


def test_a_runaway_handler_ends_the_session() -> None:
    import pytest
    from voxsim.runtime.session import run_scenario

    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Started, () => { while (true) {} });
        VoxEngine.addEventListener(AppEvents.Terminated, () => Logger.write('terminated'));
    """, options=SessionOptions(settings={"max_steps": 20_000}))
    assert len(session.errors) == 1 and "step budget exceeded" in session.errors[0]
    assert session.trace.find("error")[0]["source"] == "budget"
    assert [r["text"] for r in session.trace.find("log")] == ["terminated"]
