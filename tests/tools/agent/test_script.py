"""Scripted agents: schema errors name the place; replies by regex, in sequence, fallback; the bundled agent files."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest

from voxsim.tools.agent import (
    CallStarted,
    EndCall,
    HttpTool,
    Script,
    ScriptedAgent,
    ScriptError,
    SendCustom,
    SendDtmf,
    Speak,
    UserCustom,
    UserDtmf,
    UserTurnEnded,
    load_brain_factory,
    load_script,
)


async def run(agent: ScriptedAgent, *events: Any) -> list[Any]:
    out: list[Any] = []

    async def act(action: Any) -> None:
        out.append(action)

    for event in events:
        await agent.handle(event, act)
    return out


@pytest.mark.parametrize(
    ("script", "error"),
    [
        ({"replies": [{"say": "x", "do": [{"hangup": True}]}]}, r"replies\[0\]\.do\[0\]: unknown action 'hangup'"),
        ({"replies": [{"match": "(", "say": "x"}]}, r"replies\[0\]\.match: invalid regex"),
        ({"intro": "x"}, "unknown script keys \\['intro'\\]"),
        ({"on_dtmf": {"1": {"do": [{"dtmf": "12a"}]}}}, "dtmf expects digits"),
        ({"replies": "x"}, "replies: expected a list"),
        ({"fallback": {"say": 3}}, "say expects a string"),
    ],
)
def test_schema_errors(script: dict[str, Any], error: str) -> None:
    with pytest.raises(ScriptError, match=error):
        Script.from_mapping(script)


async def test_regex_sequence_fallback_and_templates() -> None:
    agent = ScriptedAgent(Script.from_mapping({
        "introduction": "Hi {metadata.from}.",
        "replies": [{"match": "price", "say": "Ten dollars."}, {"say": "First."}, {"say": "Second."}],
        "fallback": {"say": "You said {text}."},
    }))
    out = await run(agent, CallStarted("s", "a", {"from": "+1555"}), UserTurnEnded("hello"), UserTurnEnded("what price?"),
                    UserTurnEnded("hm"), UserTurnEnded("and?"))
    assert [a.text for a in out] == ["Hi +1555.", "First.", "Ten dollars.", "Second.", "You said and?."]


async def test_default_script() -> None:
    agent = load_brain_factory(None)()
    out = await run(agent, CallStarted("s", "a"), UserTurnEnded("book a table"), UserTurnEnded(""),  # type: ignore[arg-type]
                    UserDtmf("5"), UserTurnEnded("ok goodbye"))
    assert out[1:] == [Speak("I heard: book a table."), Speak("Sorry, I did not catch that."), Speak("You pressed 5."),
                       Speak("Thank you for calling. Goodbye!"), EndCall(None)]


async def test_bundled_agent_files() -> None:
    agents = files("voxsim.scenarios") / "agents"
    inbound = ScriptedAgent(load_script(str(agents / "cartesia_inbound.yaml")))
    out = await run(inbound, CallStarted("s", "a", {"from": "+1"}), UserTurnEnded("I want to book a table"),
                    UserTurnEnded("four"), UserDtmf("0"), UserCustom({"event": "call_answered"}), UserTurnEnded("bye"))
    assert out[1:] == [Speak("Sure. For how many people?"), Speak("Great, a table for four. See you tonight!"),
                       SendCustom({"stage": "booked", "party": "four"}),
                       Speak("Let me send you the operator's extension."), SendDtmf("1"),
                       SendCustom({"echo": "call_answered"}), Speak("Thank you for calling. Goodbye!"), EndCall(None)]
    calling = ScriptedAgent(load_script(str(agents / "cartesia_function_calling.yaml")))
    out = await run(calling, CallStarted("s", "a"), UserTurnEnded("get me an operator"), UserTurnEnded("goodbye"))
    assert out[2] == HttpTool({"action": "call_transfer", "number": "+15550100", "reason": "get me an operator"})
    assert out[4] == HttpTool({"action": "end_call"})
    outbound = ScriptedAgent(load_script(str(agents / "cartesia_outbound.yaml")))
    out = await run(outbound, CallStarted("s", "a"), UserTurnEnded("yes I can"))
    assert out[-1] == EndCall("confirmed")


def test_load_errors(tmp_path: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("introduction: [unclosed\n")
    with pytest.raises(ScriptError, match="not valid YAML"):
        load_script(bad)
    with pytest.raises(ScriptError, match="expected a .yaml/.json file or module:attribute"):
        load_brain_factory("nonsense")
    with pytest.raises(ScriptError, match="No module named"):
        load_brain_factory("no_such_module_xyz:agent")
