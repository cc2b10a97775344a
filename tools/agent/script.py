"""Scripted agents: an introduction, replies keyed on what the caller said (regex) or taken in sequence, actions.

A script is a plain mapping (from YAML, JSON or Python)::

    introduction: "Hi, this is the booking line. How can I help?"
    replies:
      - match: "\\b(bye|goodbye)\\b"         # regex, case-insensitive, searched in the caller's words
        say: "Thank you for calling. Goodbye!"
        do: [{end_call: true}]
      - match: "operator|human"
        say: "Let me transfer you."
        do: [{http: {action: call_transfer, reason: "{text}"}}]
      - say: "For how many people?"          # no match: used in sequence, each once
    fallback: {say: "You said {text}."}     # when nothing else applies
    on_dtmf: {"1": {say: "You pressed one."}, any: {say: "You pressed {digit}."}}
    on_custom: {say: "Got it.", do: [{custom: {echo: "{custom.stage}"}}]}

Actions in ``do``: ``say``, ``dtmf`` (one or more digits), ``custom`` (object), ``end_call`` (true or a reason),
``transfer`` (E.164 number), ``http`` (JSON body POSTed to ``metadata.vox_session_control_url``, or ``{url, body}``).
Templates ``{text}``, ``{digit}``, ``{metadata.KEY}``, ``{custom.KEY}`` are filled in every string.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .faults import Fault, FaultError, parse_faults
from .brain import (
    Act,
    Action,
    Brain,
    CallStarted,
    EndCall,
    HttpTool,
    InputEvent,
    SendCustom,
    SendDtmf,
    Speak,
    Transfer,
    UserCustom,
    UserDtmf,
    UserTurnEnded,
)

__all__ = ["ScriptError", "Step", "Script", "ScriptedAgent", "DEFAULT_SCRIPT", "load_script", "load_brain_factory"]

ACTIONS = ("say", "dtmf", "custom", "end_call", "transfer", "http")
_TEMPLATE = re.compile(r"\{(text|digit|metadata\.[\w-]+|custom\.[\w-]+)\}")

DEFAULT_SCRIPT: dict[str, Any] = {
    "introduction": "Hello, this is the voxsim agent. How can I help you?",
    "replies": [
        {"match": r"\b(good ?bye|bye|hang up)\b", "say": "Thank you for calling. Goodbye!", "do": [{"end_call": True}]},
    ],
    "fallback": {"say": "I heard: {text}."},
    "silent_fallback": {"say": "Sorry, I did not catch that."},
    "on_dtmf": {"any": {"say": "You pressed {digit}."}},
}
"""The zero-configuration agent: introduces itself, confirms what it heard, says goodbye when the caller does."""


class ScriptError(ValueError):
    """A script that does not follow the schema; the message names the place (``replies[2].do[0]``)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One reply: optional regex, what to say, then actions."""

    actions: tuple[tuple[str, Any], ...]
    match: re.Pattern[str] | None = None
    interruptible: bool = True


@dataclass(frozen=True, slots=True)
class Script:
    """A validated script."""

    introduction: Step | None = None
    replies: tuple[Step, ...] = ()
    fallback: Step | None = None
    silent_fallback: Step | None = None
    on_dtmf: dict[str, Step] = field(default_factory=dict)
    on_custom: Step | None = None
    faults: tuple[Fault, ...] = ()  # injected by the emulator (tools/agent/faults.py), not by the brain

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Script:
        """Validate ``data`` (see the module docstring)."""
        if not isinstance(data, Mapping):
            raise ScriptError(f"a script must be a mapping, got {type(data).__name__}")
        known = {"introduction", "replies", "fallback", "silent_fallback", "on_dtmf", "on_custom", "name", "faults"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScriptError(f"unknown script keys {unknown}; expected some of {sorted(known)}")
        replies = data.get("replies") or []
        if not isinstance(replies, list):
            raise ScriptError("replies: expected a list of steps")
        on_dtmf = data.get("on_dtmf") or {}
        if not isinstance(on_dtmf, Mapping):
            raise ScriptError("on_dtmf: expected a mapping of digit (or 'any') to a step")
        return cls(
            introduction=_step(data.get("introduction"), "introduction"),
            replies=tuple(_step(r, f"replies[{i}]", allow_match=True) for i, r in enumerate(replies)),  # type: ignore[misc]
            fallback=_step(data.get("fallback"), "fallback"),
            silent_fallback=_step(data.get("silent_fallback"), "silent_fallback"),
            on_dtmf={str(k): _step(v, f"on_dtmf[{k!r}]") for k, v in on_dtmf.items()},  # type: ignore[misc]
            on_custom=_step(data.get("on_custom"), "on_custom"),
            faults=_faults(data.get("faults")),
        )


def _faults(raw: Any) -> tuple[Fault, ...]:
    try:
        return parse_faults(raw)
    except FaultError as exc:
        raise ScriptError(str(exc)) from None


class _ScriptFactory:
    """Brains for one script; ``faults`` tells the emulator what to inject on their streams."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.faults = script.faults

    def __call__(self) -> Brain:
        return ScriptedAgent(self.script)


def _step(raw: Any, where: str, *, allow_match: bool = False) -> Step | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"say": raw}
    if not isinstance(raw, Mapping):
        raise ScriptError(f"{where}: expected a mapping or a string, got {type(raw).__name__}")
    allowed = {"say", "do", "interruptible"} | ({"match"} if allow_match else set())
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ScriptError(f"{where}: unknown keys {unknown}; expected some of {sorted(allowed)}")
    actions: list[tuple[str, Any]] = []
    says = raw.get("say")
    if says is not None and not isinstance(says, str | list):
        raise ScriptError(f"{where}.say: say expects a string (or a list of strings)")
    for text in [says] if isinstance(says, str) else (says or []):
        actions.append(("say", _checked("say", text, f"{where}.say")))
    for i, item in enumerate(raw.get("do") or []):
        if not isinstance(item, Mapping) or len(item) != 1:
            raise ScriptError(f"{where}.do[{i}]: expected a one-key mapping such as {{say: ...}}")
        ((name, value),) = item.items()
        if name not in ACTIONS:
            raise ScriptError(f"{where}.do[{i}]: unknown action {name!r}; expected one of {', '.join(ACTIONS)}")
        actions.append((name, _checked(name, value, f"{where}.do[{i}]")))
    match = None
    if raw.get("match") is not None:
        try:
            match = re.compile(str(raw["match"]), re.IGNORECASE)
        except re.error as exc:
            raise ScriptError(f"{where}.match: invalid regex: {exc}") from None
    return Step(tuple(actions), match, bool(raw.get("interruptible", True)))


def _checked(name: str, value: Any, where: str) -> Any:
    if name in ("say", "transfer") and not isinstance(value, str):
        raise ScriptError(f"{where}: {name} expects a string")
    if name == "dtmf" and not (isinstance(value, str | int) and re.fullmatch(r"[0-9*#]+", str(value))):
        raise ScriptError(f"{where}: dtmf expects digits 0-9 * #, got {value!r}")
    if name == "custom" and not isinstance(value, Mapping):
        raise ScriptError(f"{where}: custom expects a mapping")
    if name == "http" and not isinstance(value, Mapping):
        raise ScriptError(f"{where}: http expects a JSON body mapping (or {{url, body}})")
    return str(value) if name == "dtmf" else value


def _fill(value: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            key = match.group(1)
            if "." in key:
                head, _, tail = key.partition(".")
                found = (context.get(head) or {}).get(tail, "")
            else:
                found = context.get(key, "")
            return found if isinstance(found, str) else json.dumps(found)

        return _TEMPLATE.sub(sub, value)
    if isinstance(value, Mapping):
        return {k: _fill(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, context) for v in value]
    return value


class ScriptedAgent:
    """A Brain that follows a Script; one instance per stream (it remembers which sequence replies were used)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self._used: set[int] = set()
        self._metadata: dict[str, Any] = {}

    async def handle(self, event: InputEvent, act: Act) -> None:
        context: dict[str, Any] = {"metadata": self._metadata}
        step: Step | None = None
        if isinstance(event, CallStarted):
            self._metadata = dict(event.metadata)
            context["metadata"] = self._metadata
            step = self.script.introduction
        elif isinstance(event, UserTurnEnded):
            context["text"] = event.text
            step = self._reply(event.text)
        elif isinstance(event, UserDtmf):
            context["digit"] = event.digit
            step = self.script.on_dtmf.get(event.digit) or self.script.on_dtmf.get("any")
        elif isinstance(event, UserCustom):
            context["custom"] = event.metadata
            step = self.script.on_custom
        if step is not None:
            for action in self._actions(step, context):
                await act(action)

    def _reply(self, text: str) -> Step | None:
        if not text.strip() and self.script.silent_fallback is not None:
            return self.script.silent_fallback
        for step in self.script.replies:
            if step.match is not None and step.match.search(text):
                return step
        for i, step in enumerate(self.script.replies):
            if step.match is None and i not in self._used:
                self._used.add(i)
                return step
        return self.script.fallback

    def _actions(self, step: Step, context: Mapping[str, Any]) -> list[Action]:
        out: list[Action] = []
        for name, raw in step.actions:
            value = _fill(raw, context)
            if name == "say":
                out.append(Speak(value, step.interruptible))
            elif name == "dtmf":
                out.extend(SendDtmf(d) for d in value)
            elif name == "custom":
                out.append(SendCustom(dict(value)))
            elif name == "transfer":
                out.append(Transfer(value))
            elif name == "end_call":
                out.append(EndCall(value if isinstance(value, str) else None))
            elif name == "http":
                if "body" in value and set(value) <= {"body", "url", "url_key"}:
                    out.append(HttpTool(dict(value["body"]), value.get("url"), value.get("url_key", "vox_session_control_url")))
                else:
                    out.append(HttpTool(dict(value)))
        return out


def load_script(source: str | Path | Mapping[str, Any]) -> Script:
    """A Script from a mapping, or from a .yaml/.yml/.json file."""
    if isinstance(source, Mapping):
        return Script.from_mapping(source)
    path = Path(source)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        cached = _LOADED.get(key)
        if cached is not None:
            return cached
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(f"cannot read agent script {path}: {exc}") from None
    script = _parse_script_text(path, text)
    if len(_LOADED) >= 32:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[key] = script
    return script


#: Scripts already read, by (resolved path, mtime, size): every session of a scenario reads the same agent file, and
#: parsing its YAML cost ~8 ms of the session's start-up. A Script is frozen, so sessions can share one.
_LOADED: dict[tuple[str, int, int], Script] = {}


def _parse_script_text(path: Path, text: str) -> Script:
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ScriptError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    try:
        return Script.from_mapping(data or {})
    except ScriptError as exc:
        raise ScriptError(f"{path}: {exc}") from None


def load_brain_factory(spec: str | Path | Mapping[str, Any] | None) -> Callable[[], Brain]:
    """A factory of brains from an agent spec: None (the default script), a script file or mapping, or
    ``module:attr`` naming a script mapping or a zero-argument callable that returns a Brain."""
    if spec is None:
        script = Script.from_mapping(DEFAULT_SCRIPT)
        return lambda: ScriptedAgent(script)
    if isinstance(spec, Mapping) or Path(spec).suffix in (".yaml", ".yml", ".json"):
        return _ScriptFactory(load_script(spec))
    module_name, _, attr = str(spec).partition(":")
    if not attr:
        raise ScriptError(f"agent {spec!r}: expected a .yaml/.json file or module:attribute")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ScriptError(f"agent {spec!r}: {exc}") from None
    if isinstance(target, Mapping):
        return _ScriptFactory(Script.from_mapping(target))
    if callable(target):
        return target  # type: ignore[no-any-return]
    raise ScriptError(f"agent {spec!r}: expected a script mapping or a brain factory, got {type(target).__name__}")
