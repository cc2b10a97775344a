"""Session start-up: constant tables (VoiceList, enums) are built on first use but behave as deeply frozen objects."""

from __future__ import annotations

import voxsim.engine.script  # noqa: F401 - these tests run JS

from voxsim.runtime.globals import EnumObject, FrozenTable  # noqa: E402
from voxsim.runtime.session import run_scenario  # noqa: E402


def _logs(source: str) -> list[str]:
    session = run_scenario(source + "\nVoxEngine.terminate();")
    assert session.errors == [], session.errors
    return [r["text"] for r in session.trace.find(type="log")]


def test_voice_list_reads_like_a_frozen_tree() -> None:
    logs = _logs('''"use strict";
      const g = VoiceList.Google;
      Logger.write([Object.isFrozen(VoiceList), Object.isFrozen(g), Object.isFrozen(g.en_US_Standard_A)].join());
      Logger.write(JSON.stringify(g.en_US_Standard_A));
      Logger.write(String(Object.keys(VoiceList).includes("Amazon") && VoiceList.Amazon.Neural === VoiceList.Amazon.Neural));
      try { g.x = 1; Logger.write("added"); } catch (e) { Logger.write(e.name); }
      try { VoiceList.Google = 1; Logger.write("replaced"); } catch (e) { Logger.write(e.name); }
      try { delete g.en_US_Standard_A; Logger.write("deleted"); } catch (e) { Logger.write(e.name); }
    ''')
    assert logs[0] == "true,true,true"
    assert logs[1] == '{"provider":"Google","name":"en_US_Standard_A","language":"en-US"}'
    assert logs[2:] == ["true", "TypeError", "TypeError", "TypeError"]


def test_tables_are_built_on_first_use_only() -> None:
    seen: dict[str, bool] = {}

    def probe(source: str) -> None:
        session = run_scenario(source + "\nVoxEngine.terminate();")
        voices = session.realm.global_object.get("VoiceList")
        language = session.realm.global_object.get("Language")
        assert isinstance(voices, FrozenTable) and isinstance(language, EnumObject)
        seen[source] = voices._table is None  # materialised?

    probe("Logger.write('no voices read');")
    probe("Logger.write(Object.keys(VoiceList).length);")
    assert seen == {"Logger.write('no voices read');": False, "Logger.write(Object.keys(VoiceList).length);": True}


def test_enum_members_and_missing_member_warning() -> None:
    session = run_scenario('''Logger.write(CallEvents.Connected + " " + Language.US_ENGLISH_FEMALE.language);
      Logger.write(String(PlayerEvents.PlaybackError)); Logger.write(String(Object.isFrozen(Language.UK_ENGLISH_MALE)));
      VoxEngine.terminate();''')
    assert [r["text"] for r in session.trace.find(type="log")] == ["Call.Connected en-US", "undefined", "true"]
    assert any("PlayerEvents.PlaybackError does not exist" in r["message"] for r in session.trace.find(type="warning"))


def test_enum_members_are_made_one_by_one_and_keep_the_table_order() -> None:
    from voxsim.engine.values import PropertyDescriptor
    from voxsim.runtime.events import GLOBAL_ENUMS

    session = run_scenario('''"use strict";
      const before = CallEvents.Connected;
      Logger.write([before, CallEvents.Connected === before, "Connected" in CallEvents, "Nope" in CallEvents].join());
      try { CallEvents.Connected = 1; } catch (e) { Logger.write(e.name); }
      VoxEngine.terminate();''')
    events = session.realm.global_object.get("CallEvents")
    assert isinstance(events, EnumObject) and events._table is not None  # only what was read is made
    made = EnumObject.__mro__[1].__dict__["props"].__get__(events)
    assert set(made) == {"Connected"} and isinstance(made["Connected"], PropertyDescriptor)
    first = made["Connected"]
    assert [r["text"] for r in session.trace.find(type="log")] == ["Call.Connected,true,true,false", "TypeError"]
    assert list(events.own_property_keys()) == list(GLOBAL_ENUMS["CallEvents"])  # all made, in the table's order
    assert events._table is None and events.props["Connected"] is first


def test_positional_limit_from_code_objects_matches_inspect() -> None:
    import functools
    import inspect
    import types

    from voxsim.engine.realm import _positional_limit

    def reference(fn: object) -> int | None:
        try:
            params = list(inspect.signature(fn).parameters.values())  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if any(p.kind is p.VAR_POSITIONAL for p in params):
            return None
        return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))

    class C:
        def m(self, a: int, b: int = 1, *, k: int = 2) -> None: ...
        def v(self, *a: int) -> None: ...
        @staticmethod
        def s(a: int, b: int) -> None: ...
        @classmethod
        def c(cls, a: int) -> None: ...

    def f(a: int, b: int, /, c: int, d: int = 1, *, e: int) -> None: ...
    def g(*args: int, **kw: int) -> None: ...
    def w(x: int) -> None: ...

    @functools.wraps(w)
    def wrapped(*a: int, **k: int) -> None: ...

    class Callable2:
        def __call__(self, a: int, b: int = 0) -> None: ...

    class CallableV:
        __call__ = C.v

    cases = [C().m, C().v, C.s, C.c, f, g, wrapped, lambda x, y=2: 0, print, len, functools.partial(f, 1), C,
             types.MethodType(f, 1), Callable2(), CallableV()]
    assert [_positional_limit(fn) for fn in cases] == [reference(fn) for fn in cases]


def _turns_while(make: object, virtual: bool) -> tuple[int, list[str], list[str]]:
    """Loop turns other tasks got while ``make()`` built a session, and the globals of that session and of a
    ``Session()`` built at once."""
    import asyncio

    from voxsim.runtime.clock import run
    from voxsim.runtime.session import Session

    async def main() -> tuple[int, list[str], list[str]]:
        turns = 0
        stop = False

        async def neighbour() -> None:  # another session's media tick, say
            nonlocal turns
            while not stop:
                await asyncio.sleep(0)
                turns += 1

        task = asyncio.create_task(neighbour())
        await asyncio.sleep(0)
        before = turns
        session = await make()  # type: ignore[operator]
        during = turns - before
        stop = True
        await task
        plain = Session()
        names = sorted(str(k) for k in session.realm.global_object.own_property_keys())
        plain_names = sorted(str(k) for k in plain.realm.global_object.own_property_keys())
        for s in (session, plain):
            s.terminate()
            await s.wait()
            s.close()
        return during, names, plain_names

    return run(main(), virtual=virtual)


def test_create_yields_between_installers_on_real_time_and_builds_the_same_session() -> None:
    from voxsim.runtime.session import INSTALLERS, Session

    async def make() -> Session:
        session = await Session.create()
        await session.load_async("Logger.write('x');", "s.js")
        return session

    during, names, plain_names = _turns_while(make, virtual=False)
    assert during >= len(INSTALLERS) + 2  # after the realm, each installer and the compile
    assert names == plain_names


def test_create_does_not_yield_on_virtual_time() -> None:
    from voxsim.runtime.session import Session

    async def make() -> Session:
        session = await Session.create()
        await session.load_async("Logger.write('x');", "s.js")
        return session

    during, names, plain_names = _turns_while(make, virtual=True)
    assert during == 0
    assert names == plain_names


def test_what_sessions_share_is_not_seen_by_another_scenario() -> None:
    """Host members, helper globals and enum tables have one Python side per process; each session still gets its
    own JS objects, so what one scenario changes on them another never sees."""
    change = '''"use strict";
      const call = VoxEngine.callPSTN("+15550100200", "+15550100100");
      const proto = Object.getPrototypeOf(call);
      proto.hangup = function () { return "hijacked"; };
      proto.extra = 1;
      call.addEventListener.mark = 1;
      VoxEngine.addEventListener.mark = 1;
      Object.getPrototypeOf(VoxEngine).terminate = null;
      base64_encode.mark = 1;
      Logger.write.mark = 1;
      CallEvents.Connected.length;
      Logger.write("changed");
      VoxEngine.terminate();'''
    probe = '''"use strict";
      const call = VoxEngine.callPSTN("+15550100200", "+15550100100");
      const proto = Object.getPrototypeOf(call);
      Logger.write([typeof proto.hangup, proto.hangup === call.hangup, "extra" in proto, call.addEventListener.mark,
        VoxEngine.addEventListener.mark, typeof Object.getPrototypeOf(VoxEngine).terminate, base64_encode.mark,
        Logger.write.mark, base64_encode("hi"), Object.isFrozen(CallEvents)].join());
      VoxEngine.terminate();'''
    first = run_scenario(change)
    assert first.errors == [] and [r["text"] for r in first.trace.find(type="log")] == ["changed"]
    second = run_scenario(probe)
    assert second.errors == [], second.errors
    assert [r["text"] for r in second.trace.find(type="log")] == ["function,true,false,,,function,,,aGk=,true"]
    assert first.realm.global_object.get("VoxEngine") is not second.realm.global_object.get("VoxEngine")


def test_session_keys_and_secrets_are_fresh_also_in_a_forked_child() -> None:
    import os

    from voxsim.runtime.session import _random_bytes

    seen = {_random_bytes(24) for _ in range(400)}  # crosses refills of the 4 KB buffer
    assert len(seen) == 400
    parent_next = _random_bytes(16)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child's next bytes must not be the ones the parent's buffer still holds
        os.write(write, _random_bytes(16))
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 16)
    os.close(read)
    os.close(write)
    assert len(child) == 16 and child != _random_bytes(16) and child != parent_next


def test_voxengine_members_are_own_bound_functions_made_on_first_read() -> None:
    from voxsim.engine.lazy import LAZY_TYPES, LazyMember, raw_props

    session = run_scenario('''"use strict";
      const { customData } = VoxEngine;
      const end = VoxEngine.terminate;
      Logger.write([customData("abc"), VoxEngine.customData(), typeof end, end.name, end.length,
        Object.getOwnPropertyDescriptor(VoxEngine, "customData").enumerable,
        VoxEngine.customData === customData].join());
      setTimeout(end, 10);''', max_seconds=5)
    assert session.errors == [], session.errors
    assert [r["text"] for r in session.trace.find(type="log")] == ["abc,abc,function,terminate,0,false,true"]
    assert not any(r.get("message", "").startswith("--max-seconds") for r in session.trace.find(type="warning"))
    vox = session.realm.global_object.get("VoxEngine")
    assert type(vox) in LAZY_TYPES  # the members nobody read are still placeholders
    assert type(raw_props(vox)["callPSTN"]) is LazyMember
    names = [k for k in vox.own_property_keys() if isinstance(k, str)]
    assert names[:3] == ["addEventListener", "removeEventListener", "customData"] and "getSecretValue" in names
