"""Caller scripts: what a simulated caller (or an outbound callee) does, step by step, in turn with the scenario.

A script is a YAML list of steps, run in order once the call connects (``docs/cli.md``, README "Caller scripts")::

    - wait: agent.silent            # the end of the agent's turn (its greeting)
    - say: I want to book a table   # speak (TTS that carries its transcript); done when the words are sent
    - wait: agent.silent
    - barge_in: {say: "sorry, two people", after_ms: 800}   # talk over the agent's reply, 800 ms into it
    - dtmf: "5"                     # keys (out of band; ``{digits: "5", inband: true}`` for audio tones)
    - play: hold-music.wav          # a WAV/MP3/OGG file, relative to the script
    - wait: 2.5                     # seconds, or an event: agent.speaking, agent.silent, Call.Connected, Cartesia.Agents.Clear …
    - hangup

The document may instead be a mapping with ``steps`` and the options ``caller`` / ``to`` (numbers),
``hangup_after_silence`` (seconds of silence after the last step before the caller hangs up; default 5, ``null``
stays on the line) and ``callees`` (outbound numbers: a network callee spec plus its own ``steps``).
Errors name the file and line. Why sequential steps rather than timestamps: a caller that waits for the agent's turn
to end keeps working when the agent's wording (and so its timing) changes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Step", "CallerScript", "CallerScriptError", "parse_script", "load_script", "steps_from",
           "ScriptRunner", "start_script", "AGENT_EVENTS", "DEFAULT_SILENCE_MS"]

#: Pseudo-events about what reaches the caller's ear (anything else named ``A.B`` is a trace event name).
AGENT_EVENTS = ("agent.speaking", "agent.silent")
#: Quiet time that ends an agent turn (agent.silent), unless a step says ``silence_ms``.
DEFAULT_SILENCE_MS = 600.0
#: Seconds a ``wait`` for an event waits before the script warns and goes on.
DEFAULT_TIMEOUT = 30.0
#: Mean absolute level (int16) above which untagged audio counts as the agent speaking.
_VOICED_RMS = 200.0
#: Quiet (seconds) after which the next voiced frame starts a new agent turn (agent.speaking fires again).
_TURN_GAP = 0.2

_EVENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_DIGITS = re.compile(r"[0-9*#A-Da-d]+")
_KINDS = ("say", "play", "dtmf", "wait", "barge_in", "hangup")


class CallerScriptError(ValueError):
    """A caller script that cannot be understood; the message names the file and line."""


@dataclass(frozen=True)
class Step:
    """One caller step (``kind`` is one of say, play, dtmf, wait, barge_in, hangup); ``line`` is 1-based or None."""

    kind: str
    line: int | None = None
    text: str = ""
    voice: str | None = None
    path: Path | None = None
    digits: str = ""
    inband: bool = False
    seconds: float | None = None
    until: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    after_ms: float = 0.0
    silence_ms: float = DEFAULT_SILENCE_MS


@dataclass(frozen=True)
class CallerScript:
    """A parsed script: steps, what happens after them, and the network numbers the file sets."""

    steps: tuple[Step, ...]
    hangup_after_silence: float | None = 5.0
    caller: str | None = None
    to: str | None = None
    callees: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str = "<script>"
    stay_at_least: float = 0.0  # seconds after connect before a hang-up on silence (``voxsim run --dtmf`` keys)

    @property
    def ends_with_hangup(self) -> bool:
        return bool(self.steps) and self.steps[-1].kind == "hangup"


# --- parsing ----------------------------------------------------------------------------------------------------------


class _Where:
    def __init__(self, source: str, line: int | None) -> None:
        self.source, self.line = source, line

    def error(self, message: str) -> CallerScriptError:
        at = f"{self.source}:{self.line}" if self.line else self.source
        return CallerScriptError(f"{at}: {message}")


def _number(value: Any, what: str, where: _Where, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < minimum:
        raise where.error(f"{what} must be a number ≥ {minimum:g}, got {value!r}")
    return float(value)


def _keys(data: Mapping[str, Any], allowed: Sequence[str], what: str, where: _Where) -> None:
    extra = sorted(str(k) for k in data if k not in allowed)
    if extra:
        raise where.error(f"{what}: unknown key {extra[0]!r} (expected {', '.join(allowed)})")


def _text(value: Any, what: str, where: _Where) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"{what} needs some text, got {value!r}")
    return value


def _event(value: Any, where: _Where) -> str:
    if not isinstance(value, str) or not _EVENT.fullmatch(value):
        raise where.error(f"wait: expected seconds or an event name like agent.speaking, agent.silent or "
                          f"Call.Connected, got {value!r}")
    return value


def _step(item: Any, where: _Where, base: Path | None) -> Step:
    if item == "hangup" or item == {"hangup": True} or item == {"hangup": None}:
        return Step("hangup", where.line)
    if not isinstance(item, Mapping) or not item:
        raise where.error(f"a step must be a mapping like {{say: text}} or the word hangup, got {item!r}")
    kinds = [k for k in item if k in _KINDS]
    if len(kinds) != 1:
        found = ", ".join(map(str, item)) or "nothing"
        raise where.error(f"a step needs exactly one of {', '.join(_KINDS)}; found {found}")
    kind = kinds[0]
    value = item[kind]
    opts = {k: v for k, v in item.items() if k != kind}
    if isinstance(value, Mapping):  # `say: {text: …, voice: …}` is the same as `say: …` with sibling options
        opts = {**opts, **value}
        value = opts.pop({"say": "text", "barge_in": "say", "play": "file", "dtmf": "digits", "wait": "until",
                          "hangup": "hangup"}[kind], None)
        if kind == "wait" and value is None and "seconds" in opts:
            value = opts.pop("seconds")
    line = where.line
    if kind == "say":
        _keys(opts, ("voice",), "say", where)
        return Step("say", line, text=_text(value, "say", where), voice=opts.get("voice"))
    if kind == "barge_in":
        _keys(opts, ("after_ms", "voice", "timeout"), "barge_in", where)
        return Step("barge_in", line, text=_text(value, "barge_in", where), voice=opts.get("voice"),
                    after_ms=_number(opts.get("after_ms", 500), "barge_in after_ms", where),
                    timeout=_number(opts.get("timeout", DEFAULT_TIMEOUT), "barge_in timeout", where))
    if kind == "play":
        _keys(opts, (), "play", where)
        path = Path(_text(value, "play", where))
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise where.error(f"play: no such audio file: {path}")
        return Step("play", line, path=path)
    if kind == "dtmf":
        _keys(opts, ("inband",), "dtmf", where)
        digits = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(digits, str) or not _DIGITS.fullmatch(digits):
            raise where.error(f"dtmf: expected keys 0-9 * # A-D, got {value!r}")
        return Step("dtmf", line, digits=digits.upper(), inband=bool(opts.get("inband", False)))
    if kind == "wait":
        _keys(opts, ("timeout", "silence_ms"), "wait", where)
        timeout = _number(opts.get("timeout", DEFAULT_TIMEOUT), "wait timeout", where)
        silence = _number(opts.get("silence_ms", DEFAULT_SILENCE_MS), "wait silence_ms", where)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Step("wait", line, seconds=_number(value, "wait", where))
        return Step("wait", line, until=_event(value, where), timeout=timeout, silence_ms=silence)
    raise where.error(f"hangup takes no value, got {value!r}")  # kind == "hangup" with a value


def _compose(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{source}:{mark.line + 1}" if mark is not None else source
        raise CallerScriptError(f"{at}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key and isinstance(v, yaml.Node):
                return v
    return None


def _steps(data: Any, node: yaml.Node | None, source: str, base: Path | None) -> tuple[Step, ...]:
    if not isinstance(data, list):
        raise _Where(source, _line(node)).error(f"steps must be a list, got {type(data).__name__}")
    items = node.value if isinstance(node, yaml.SequenceNode) else [None] * len(data)
    return tuple(_step(item, _Where(source, _line(n)), base) for item, n in zip(data, items))


def parse_script(text: str, source: str = "<script>", base: Path | None = None) -> CallerScript:
    """Parse a caller script (YAML text); ``base`` resolves relative ``play`` files.

    Raises:
        CallerScriptError: naming ``source`` and the line of the faulty step.
    """
    data, node = _compose(text, source)
    if data is None:
        raise CallerScriptError(f"{source}: empty caller script (expected a list of steps)")
    if isinstance(data, list):
        return CallerScript(_steps(data, node, source, base), source=source)
    where = _Where(source, _line(node))
    if not isinstance(data, Mapping):
        raise where.error(f"expected a list of steps or a mapping with steps, got {type(data).__name__}")
    _keys(data, ("steps", "caller", "to", "hangup_after_silence", "callees"), "caller script", where)
    steps = _steps(data.get("steps", []), _child(node, "steps"), source, base)
    silence = data.get("hangup_after_silence", 5.0)
    if silence is not None:
        silence = _number(silence, "hangup_after_silence", _Where(source, _line(_child(node, "hangup_after_silence"))))
    callees: dict[str, Mapping[str, Any]] = {}
    raw_callees = data.get("callees") or {}
    callees_node = _child(node, "callees")
    if not isinstance(raw_callees, Mapping):
        raise _Where(source, _line(callees_node)).error("callees must map numbers to callee behaviours")
    for number, spec in raw_callees.items():
        spec_node = _child(callees_node, number)
        if isinstance(spec, list):
            spec = {"steps": spec}
        if not isinstance(spec, Mapping):
            raise _Where(source, _line(spec_node)).error(f"callee {number}: expected steps or a mapping, got {spec!r}")
        spec = dict(spec)
        if "steps" in spec:
            steps_node = _child(spec_node, "steps") if isinstance(spec_node, yaml.MappingNode) else spec_node
            spec["script"] = CallerScript(_steps(spec.pop("steps"), steps_node, source, base),
                                          hangup_after_silence=None, source=source)
        callees[str(number)] = spec
    return CallerScript(steps, hangup_after_silence=silence,
                        caller=None if data.get("caller") is None else str(data["caller"]),
                        to=None if data.get("to") is None else str(data["to"]), callees=callees, source=source)


def load_script(path: str | Path) -> CallerScript:
    """Read and parse a caller script file (relative ``play`` files are next to it)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CallerScriptError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_script(text, str(path), base=path.parent)


def steps_from(value: Any, source: str = "<script>") -> CallerScript:
    """A script from what a network ``script`` key holds: a CallerScript, a list of step mappings, or YAML text."""
    if isinstance(value, CallerScript):
        return value
    if isinstance(value, str):
        return parse_script(value, source)
    if isinstance(value, Mapping):
        return parse_script(yaml.safe_dump(dict(value)), source)
    if isinstance(value, (list, tuple)):
        return CallerScript(tuple(_step(item, _Where(source, None), None) for item in value), source=source)
    raise CallerScriptError(f"{source}: expected a list of steps, got {type(value).__name__}")


# --- running ----------------------------------------------------------------------------------------------------------


class ScriptRunner:
    """Runs a script for one call's far end: ``party`` is its ``SimulatedParty`` (mouth and ear), ``call`` the Call.

    The ear is watched through ``party.on_voiced``; agent turns are told apart by ``silence_ms`` of quiet.
    """

    def __init__(self, session: Any, call: Any, party: Any, script: CallerScript) -> None:
        self.session, self.call, self.party, self.script = session, call, party, script
        self.clock = session.clock
        self.speaking = False
        self.started = self.clock.now()
        # Silence is counted from the start of the script (the call's connect), never from the session's start:
        # on real time the session may have been up for seconds before the call connected.
        self.voiced_at: float = float(self.started)
        self.turns = 0  # agent turns that started
        self._replied_to = False  # the caller spoke last: agent.silent means the end of the agent's answer
        self._waiters: list[tuple[str, asyncio.Future[None]]] = []
        party.voiced_level = _VOICED_RMS
        party.on_voiced.append(self._voiced)
        session.trace.add_listener(self._record)
        self.task: asyncio.Task[None] = self.clock.loop.create_task(self._run())
        for name in ("Call.Disconnected", "Call.Failed"):
            call.events.on(name, lambda payload: self.stop())
        # A terminating session drops its calls silently (no Disconnected): the script must end with it, or its
        # waits would keep the session's objects alive (and its task running) until they time out.
        session.add_closer(self.stop)

    def _voiced(self, now: float) -> None:
        # the party's ear heard a voiced frame at ``now``: a new agent turn after a gap, else the same one goes on
        if not self.speaking or now - self.voiced_at > _TURN_GAP:
            self.speaking = True
            self.turns += 1
            self._fire("agent.speaking")
        self.voiced_at = now

    def stop(self) -> None:
        """The call ended: stop the script."""
        self.session.trace.remove_listener(self._record)
        if not self.task.done():
            self.task.cancel()

    def _record(self, record: Any) -> None:
        if record.type == "event" and self._waiters:
            self._fire(record.get("name"))

    def _fire(self, name: str | None) -> None:
        for event, fut in list(self._waiters):
            if event == name and not fut.done():
                fut.set_result(None)

    async def _event(self, name: str, timeout: float) -> bool:
        fut: asyncio.Future[None] = self.clock.loop.create_future()
        entry = (name, fut)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self._waiters.remove(entry)

    def _quiet_for(self) -> float:
        return float(self.clock.now()) - self.voiced_at

    async def _silent(self, seconds: float, deadline: float | None) -> bool:
        """Wait until nothing voiced has reached the ear for ``seconds`` (False at ``deadline``)."""
        while True:
            left = seconds - self._quiet_for()
            if left <= 1e-9:
                self.speaking = False
                return True
            if deadline is not None and self.clock.now() + left > deadline:
                await self.clock.sleep(max(0.0, deadline - self.clock.now()))
                return False
            await self.clock.sleep(left)

    async def _end_of_turn(self, step: Step) -> bool:
        deadline = self.clock.now() + step.timeout
        gap = step.silence_ms / 1000
        waiting_for_answer, self._replied_to = self._replied_to, False
        if waiting_for_answer or not (self.speaking and self._quiet_for() < gap):  # the turn we want is the next
            turns = self.turns
            while self.turns == turns:
                if not await self._event("agent.speaking", max(0.0, deadline - self.clock.now())):
                    return False
        return await self._silent(gap, deadline)

    async def _speak(self, step: Step) -> None:
        if step.kind == "play":
            self.party.play_file(step.path)
        else:
            self.party.say(step.text, step.voice)
        while self.party.pending:  # done when the last frame has gone out
            await self.clock.sleep(max(0.02, len(self.party.mouth) * 0.02))
        self._replied_to = True

    def _warn(self, step: Step, message: str) -> None:
        at = f"{self.script.source}:{step.line}" if step.line else self.script.source
        self.session.warn(f"caller script {at}: {message}", target=self.call.trace_id)

    async def run_step(self, step: Step) -> None:
        """Do one step now (``voxsim call`` feeds typed lines through here)."""
        if step.kind in ("say", "play"):
            await self._speak(step)
        elif step.kind == "dtmf":
            if step.inband:
                self.party.press(step.digits, inband=True)
                while self.party.pending:
                    await self.clock.sleep(max(0.02, len(self.party.mouth) * 0.02))
            else:
                for i, digit in enumerate(step.digits):
                    if i:
                        await self.clock.sleep(0.2)
                    self.call.receive_tone(digit)
        elif step.kind == "wait":
            if step.seconds is not None:
                await self.clock.sleep(step.seconds)
            elif step.until == "agent.silent":
                if not await self._end_of_turn(step):
                    self._warn(step, f"the agent did not finish a turn within {step.timeout:g} s; going on")
            elif step.until == "agent.speaking" and self.speaking and self._quiet_for() < step.silence_ms / 1000:
                return
            elif step.until == "Call.Connected" and self.call.state == "CONNECTED":
                return
            elif not await self._event(step.until or "", step.timeout):
                self._warn(step, f"no {step.until} within {step.timeout:g} s; going on")
        elif step.kind == "barge_in":
            if not (self.speaking and self._quiet_for() < DEFAULT_SILENCE_MS / 1000):
                if not await self._event("agent.speaking", step.timeout):
                    self._warn(step, f"the agent did not speak within {step.timeout:g} s; talking anyway")
            await self.clock.sleep(step.after_ms / 1000)
            await self._speak(step)
        elif step.kind == "hangup":
            self.hangup()

    def hangup(self) -> None:
        """The caller hangs up now."""
        if self.call.state == "CONNECTED":
            self.call.remote_hangup()

    async def _run(self) -> None:
        try:
            for step in self.script.steps:
                await self.run_step(step)
                if self.call.state != "CONNECTED":
                    return
            quiet = self.script.hangup_after_silence
            if quiet is not None and not self.script.ends_with_hangup:
                await self.clock.sleep(max(0.0, self.started + self.script.stay_at_least - self.clock.now()))
                await self._silent(quiet, None)
                self.session.log(f"caller: hangs up after {quiet:g} s of silence (end of its script)", source="caller")
                self.hangup()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a script problem must not take the session down
            self.session.warn(f"caller script {self.script.source}: stopped: {type(exc).__name__}: {exc}",
                              target=self.call.trace_id)


def start_script(session: Any, call: Any, party: Any, value: Any) -> ScriptRunner | None:
    """Start the far-end script in ``value`` (see :func:`steps_from`) on a connected call; warn if it is invalid."""
    try:
        script = steps_from(value, source=f"{call.trace_id} script")
    except CallerScriptError as exc:
        session.warn(f"{call.trace_id}: caller script ignored: {exc}", target=call.trace_id)
        return None
    runner = ScriptRunner(session, call, party, replace(script))
    session.extensions.setdefault("callers", {})[call.trace_id] = runner  # live control (voxsim call)
    return runner
