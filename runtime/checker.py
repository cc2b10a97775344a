"""``voxsim check``: a static check of a scenario against the VoxEngine API surface.

It reports, with file:line:column, what would silently be ``undefined`` on the platform:

* ``unknown-member``: a read of a member that an API object does not have, on a global (``PlayerEvents.PlaybackError``,
  ``VoxEngine.transfer``, ``Cartesia.AgentsEvents.Foo``) or on a value the scenario got from the API (``call.transfer``
  where ``call`` came from ``e.call`` or ``VoxEngine.callPSTN(...)``);
* ``undefined-event``: ``addEventListener`` whose event argument is ``undefined`` or evaluates to it;
* ``unknown-event``: ``addEventListener`` with a string that is no VoxEngine event name (``'Call.Conected'``);
* ``wrong-target``: a listener for an event its target never fires (``call.addEventListener(AppEvents.Started, …)``).

The walk is over the ESTree dict of the program (``Node.to_estree(positions=True)``, or esprima's ``toDict()``), so
it depends only on the AST contract. Variable types are inferred by name, file-wide and conservatively: a name that is
ever assigned anything else is not checked, and payload fields (``e.call``, ``{call}``) count only on the parameters
of event listeners (functions given to ``addEventListener`` or assigned to an ``on*`` property).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union

from .events import GLOBAL_ENUMS
from .modules import MODULES
from .modules.amd import EVENTS as AMD_EVENTS
from .modules.amd import MODELS as AMD_MODELS
from .modules.amd import RESULT_CLASSES as AMD_RESULT_CLASSES
from .modules.amd import RESULT_SUBTYPES as AMD_RESULT_SUBTYPES
from .modules.calllist import METHODS as CALLLIST_METHODS

__all__ = ["Finding", "check_program", "check_source", "format_finding", "API_GLOBALS", "INSTANCE_TYPES", "EVENT_NAMES"]

Surface = Mapping[str, Union["Surface", None]]  # member name → nested table, or None for a leaf (function, value)


def _leaves(*names: str) -> dict[str, None]:
    return dict.fromkeys(names)


_CARTESIA_AGENTS_EVENTS = {
    "ACK": "Cartesia.Agents.ACK",
    "Clear": "Cartesia.Agents.Clear",
    "DTMF": "Cartesia.Agents.DTMF",
    "Custom": "Cartesia.Agents.Custom",
    "HTTPResponse": "Cartesia.Agents.HTTPResponse",
    "WebSocketError": "Cartesia.Agents.WebSocketError",
    "ConnectorInformation": "Cartesia.Agents.ConnectorInformation",
    "Unknown": "Cartesia.Agents.Unknown",
}
_CARTESIA_EVENTS = {
    "WebSocketMediaStarted": "Cartesia.Events.WebSocketMediaStarted",
    "WebSocketMediaEnded": "Cartesia.Events.WebSocketMediaEnded",
}

#: Members every object has through Object.prototype; never reported.
_OBJECT_MEMBERS = frozenset(
    ("constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString", "valueOf")
)

def _connector_surfaces() -> dict[str, Surface]:
    """The AI connector namespaces (``OpenAI``, ``Gemini``, …): their enums and factories (modules/connectors.py)."""
    from .modules.connector_enums import CONNECTOR_ENUMS
    from .modules.connectors import CONNECTORS

    def surface(name: str) -> dict[str, Surface | None]:
        table: dict[str, Surface | None] = {enum: _leaves(*members) for enum, members in CONNECTOR_ENUMS[name].items()}
        table.update(_leaves(*(factory for factory, _ in CONNECTORS.get(name, []))))
        return table

    out: dict[str, Surface] = {}
    for name in CONNECTOR_ENUMS:
        if "." in name:
            continue
        ns = surface(name)
        if f"{name}.Beta" in CONNECTOR_ENUMS:
            ns["Beta"] = surface(f"{name}.Beta")
        out[name] = ns
    return out


_VOXENGINE = _leaves(
    "addEventListener", "removeEventListener", "allowWebSocketConnections", "callConference", "callPSTN", "callSIP",
    "callUser", "callUserDirect", "callWhatsappUser", "createASR", "createConference", "createRecorder",
    "createSequencePlayer", "createStreamingAgent", "createTTSPlayer", "createToneScriptPlayer", "createURLPlayer",
    "createWebSocket", "customData", "destroyConference", "disableStatisticsForIncomingWebsockets",
    "disableTraceForIncomingWebsockets", "easyProcess", "enableStatisticsForIncomingWebsockets",
    "enableTraceForIncomingWebsockets", "enqueueACDRequest", "enqueueTask", "forwardCallToPSTN", "forwardCallToSIP",
    "forwardCallToUser", "forwardCallToUserDirect", "getSecretValue", "playSoundAndHangup", "sendMediaBetween",
    "stopMediaBetween", "terminate",
)

#: The checked globals: VoxEngine namespaces and every enum of the runtime (exact member names).
API_GLOBALS: dict[str, Surface] = {
    "VoxEngine": _VOXENGINE,
    "Net": _leaves("httpRequest", "httpRequestAsync", "sendMail", "sendMailAsync", "HttpRequestOptions"),
    "Logger": _leaves("write", "hideTones"),
    "ApplicationStorage": _leaves("get", "put", "remove", "keys"),
    "PhoneNumber": _leaves("getInfo"),
    "AMD": {
        **_leaves("create", "AnsweringMachineDetector"),
        "Events": _leaves(*AMD_EVENTS), "Model": _leaves(*AMD_MODELS),
        "ResultClass": _leaves(*AMD_RESULT_CLASSES), "ResultSubtype": _leaves(*AMD_RESULT_SUBTYPES),
    },
    "CallList": _leaves(*(m + s for m in CALLLIST_METHODS for s in ("", "Async"))),
    "Modules": _leaves(*MODULES),
    "Cartesia": {
        **_leaves("createAgentsClient", "createRealtimeTTSPlayer", "AgentsClient", "RealtimeTTSPlayer"),
        "AgentsEvents": _leaves(*_CARTESIA_AGENTS_EVENTS),
        "Events": _leaves(*_CARTESIA_EVENTS),
    },
    **{name: _leaves(*table) for name, table in GLOBAL_ENUMS.items()},
    **_connector_surfaces(),
}

_MEDIA_UNIT = ("id", "addEventListener", "removeEventListener", "sendMediaTo", "stopMediaTo")

#: Members of objects the scenario gets from the API.
INSTANCE_TYPES: dict[str, Surface] = {
    "Call": _leaves(
        *_MEDIA_UNIT, "answer", "answerDirect", "callerid", "clientType", "customData", "decline", "disableBeepDetection",
        "displayName", "enableBeepDetection", "handleBlindTransfer", "handleMicStatus", "handleTones", "hangup",
        "incoming", "notifyBlindTransferFailed", "notifyBlindTransferSuccess", "number", "playProgressTone", "record",
        "reject", "ring", "say", "sendDigits", "sendInfo", "sendMessage", "startEarlyMedia", "startPlayback", "state",
        "stopPlayback", "transferTo", "vad",
    ),
    "WebSocket": _leaves(
        *_MEDIA_UNIT, "readyState", "url", "send", "close", "clearMediaBuffer", "onopen", "onmessage", "onclose",
        "onerror", "oncreated", "onmediastarted", "onmediaended",
    ),
    "Player": _leaves(
        *_MEDIA_UNIT, "pause", "resume", "stop", "addMarker", "generationRequest", "cancelContextRequest", "clearBuffer",
    ),
    "ASR": _leaves("id", "addEventListener", "removeEventListener", "language", "dictionary", "stop"),
    "AgentsClient": _leaves(
        *_MEDIA_UNIT, "webSocketId", "start", "dtmf", "custom", "clearMediaBuffer", "close",
    ),
    "Conference": _leaves(*_MEDIA_UNIT, "add", "get", "getList", "stop"),
    "Endpoint": _leaves("id", "getCall", "getDirection", "getMode", "setDisplayName", "manageEndpoint"),
    "ACDRequest": _leaves("id", "getStatus", "cancel", "addEventListener", "removeEventListener"),
    "AnsweringMachineDetector": _leaves("id", "call", "model", "timeout", "detect", "addEventListener",
                                        "removeEventListener"),
}

#: ``VoxEngine.x(...)`` / ``Cartesia.x(...)`` calls that return an API object.
_PRODUCERS: dict[tuple[str, str], str] = {
    **{("VoxEngine", m): "Call" for m in ("callPSTN", "callSIP", "callUser", "callUserDirect", "callConference", "callWhatsappUser")},
    ("VoxEngine", "createWebSocket"): "WebSocket",
    **{("VoxEngine", m): "Player" for m in ("createTTSPlayer", "createURLPlayer", "createToneScriptPlayer", "createSequencePlayer")},
    ("VoxEngine", "createASR"): "ASR",
    ("Cartesia", "createRealtimeTTSPlayer"): "Player",
    ("Cartesia", "createAgentsClient"): "AgentsClient",
    ("VoxEngine", "createConference"): "Conference",
    ("VoxEngine", "enqueueACDRequest"): "ACDRequest",
    ("AMD", "create"): "AnsweringMachineDetector",
}

#: Event payload fields that hold an API object (``e.call``, ``e.websocket``…).
_PAYLOAD_FIELDS = {"call": "Call", "websocket": "WebSocket", "player": "Player", "asr": "ASR", "client": "AgentsClient",
                   "conference": "Conference", "endpoint": "Endpoint", "operatorCall": "Call",
                   "amd": "AnsweringMachineDetector"}

EVENT_NAMES: frozenset[str] = frozenset(
    [str(v) for name, table in GLOBAL_ENUMS.items() if name.endswith("Events") for v in table.values()]
    + list(_CARTESIA_AGENTS_EVENTS.values())
    + list(_CARTESIA_EVENTS.values())
)


#: ``("CallEvents", "Connected")`` → ``"Call.Connected"``: the event enums' values, to know what a listener listens to.
_EVENT_VALUES: dict[tuple[str, ...], str] = {
    **{(name, member): str(value) for name, table in GLOBAL_ENUMS.items() if name.endswith("Events")
       for member, value in table.items()},
    **{("Cartesia", "AgentsEvents", member): value for member, value in _CARTESIA_AGENTS_EVENTS.items()},
    **{("Cartesia", "Events", member): value for member, value in _CARTESIA_EVENTS.items()},
}

#: Which event values each target fires (by prefix); a listener for anything else never runs.
_TARGET_EVENTS: dict[str, tuple[str, ...]] = {
    "VoxEngine": ("Application.", "AppEvents."),
    "Call": ("Call.",),
    "WebSocket": ("WebSocket.",),
    "Player": ("Player.", "SequencePlayer."),
    "ASR": ("ASR.",),
    "AgentsClient": ("Cartesia.",),
    "Conference": ("Conference.",),
    "Endpoint": ("Endpoint.",),
    "ACDRequest": ("ACD.",),
    "AnsweringMachineDetector": ("AMD.",),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (1-based line, 1-based column), a kind code and a readable message."""

    filename: str
    line: int
    column: int
    code: str
    message: str


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def format_finding(finding: Finding) -> str:
    """``file:line:col: warning: message [code]`` — the form editors and CI logs link."""
    return f"{finding.filename}:{finding.line}:{finding.column}: warning: {finding.message} [{finding.code}]"


def _position(node: Mapping[str, Any]) -> tuple[int, int]:
    loc = node.get("loc") or {}
    start = loc.get("start") or {}
    return int(start.get("line", 0) or 0), int(start.get("column", 0) or 0) + 1


def _children(node: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if key in ("loc", "range", "type"):
            continue
        if isinstance(value, dict) and "type" in value:
            yield key, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and "type" in item:
                    yield key, item


def _walk(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for _, child in reversed(list(_children(current))))


def _unwrap(node: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    while node is not None and node.get("type") in ("AwaitExpression", "ChainExpression", "ParenthesizedExpression"):
        node = node.get("argument") or node.get("expression")
    return node


def _member_chain(node: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]] | None:
    """``a.b.c`` → [("a", id), ("b", member), ("c", member)]; None when computed or not rooted at an identifier."""
    chain: list[tuple[str, Mapping[str, Any]]] = []
    current: Mapping[str, Any] | None = node
    while current is not None and current.get("type") == "MemberExpression":
        prop = current.get("property") or {}
        if current.get("computed") or prop.get("type") != "Identifier":
            return None
        chain.append((prop["name"], current))
        current = _unwrap(current.get("object"))
    if current is None or current.get("type") != "Identifier":
        return None
    chain.append((current["name"], current))
    chain.reverse()
    return chain


class _Checker:
    def __init__(self, program: Mapping[str, Any], filename: str) -> None:
        self.program = program
        self.filename = filename
        self.findings: dict[tuple[int, int, str], Finding] = {}
        self.declared: set[str] = set()
        self.types: dict[str, set[str]] = {}
        self.poisoned: set[str] = set()
        self.skip: set[int] = set()  # ids of MemberExpressions that are written, deleted or typeof'd
        # Payload fields (`e.call`, `{call}`) are typed only on the parameters of event listeners: elsewhere `.call`
        # or `.client` is as likely to be the scenario's own data.
        self.listener_functions: set[int] = set()
        self.event_params: set[str] = set()

    # -- pass 1: declarations, types, write targets --------------------------------------------------------------

    def _produced_type(self, expr: Mapping[str, Any] | None) -> str | None:
        expr = _unwrap(expr)
        if expr is None:
            return None
        if expr.get("type") == "CallExpression":
            chain = _member_chain(_unwrap(expr.get("callee")) or {})
            if chain and len(chain) == 2:
                return _PRODUCERS.get((chain[0][0], chain[1][0]))
            return None
        if expr.get("type") == "MemberExpression" and not expr.get("computed"):
            prop = expr.get("property") or {}
            obj = _unwrap(expr.get("object")) or {}
            if prop.get("type") != "Identifier" or obj.get("type") != "Identifier" or obj["name"] not in self.event_params:
                return None
            return _PAYLOAD_FIELDS.get(prop.get("name", ""))
        return None

    def _bind(self, name: str, expr: Mapping[str, Any] | None) -> None:
        expr = _unwrap(expr)
        if expr is None or (expr.get("type") == "Literal" and expr.get("value") is None) or (
            expr.get("type") == "Identifier" and expr.get("name") == "undefined"
        ):
            return  # `let call;` / `call = null` keep whatever type the name has
        kind = self._produced_type(expr)
        if kind is None:
            self.poisoned.add(name)
        else:
            self.types.setdefault(name, set()).add(kind)

    def _bind_pattern(self, pattern: Mapping[str, Any] | None, init: Mapping[str, Any] | None,
                      payload: bool = False) -> None:
        """Declare the names of ``pattern``; ``payload`` says it destructures an event payload."""
        if pattern is None:
            return
        kind = pattern.get("type")
        init = _unwrap(init)
        if init is not None and init.get("type") == "Identifier" and init.get("name") in self.event_params:
            payload = True
        if kind == "Identifier":
            self.declared.add(pattern["name"])
            self._bind(pattern["name"], init)
        elif kind == "ObjectPattern":
            for prop in pattern.get("properties", []):
                if prop.get("type") == "RestElement":
                    self._declare_names(prop)
                    continue
                key = prop.get("key") or {}
                value = prop.get("value") or {}
                target = value.get("left") if value.get("type") == "AssignmentPattern" else value
                field_kind = _PAYLOAD_FIELDS.get(key.get("name", "")) if payload and not prop.get("computed") else None
                if target and target.get("type") == "Identifier":
                    self.declared.add(target["name"])
                    if field_kind:
                        self.types.setdefault(target["name"], set()).add(field_kind)
                    else:
                        self.poisoned.add(target["name"])
                else:
                    self._declare_names(target)
        else:
            self._declare_names(pattern)

    def _declare_names(self, pattern: Mapping[str, Any] | None) -> None:
        for node in _walk(pattern or {}):
            if node.get("type") == "Identifier":
                self.declared.add(node["name"])
                self.poisoned.add(node["name"])

    def _find_listeners(self) -> None:
        functions: dict[str, Mapping[str, Any]] = {}
        handlers: list[Mapping[str, Any]] = []
        for node in _walk(self.program):
            kind = node.get("type")
            if kind == "FunctionDeclaration" and node.get("id"):
                functions[node["id"]["name"]] = node
            elif kind == "CallExpression":
                callee = _unwrap(node.get("callee")) or {}
                prop = callee.get("property") or {}
                args = node.get("arguments") or []
                if callee.get("type") == "MemberExpression" and prop.get("name") == "addEventListener" and len(args) > 1:
                    handlers.append(_unwrap(args[1]) or {})
            elif kind == "AssignmentExpression":  # ws.onmessage = function (e) {…}
                left = node.get("left") or {}
                prop = left.get("property") or {}
                if left.get("type") == "MemberExpression" and str(prop.get("name", "")).startswith("on"):
                    handlers.append(_unwrap(node.get("right")) or {})
        for handler in handlers:
            if handler.get("type") == "Identifier":
                handler = functions.get(handler["name"], {})
            if handler.get("type") in ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"):
                self.listener_functions.add(id(handler))
                params = handler.get("params") or []
                if params and params[0].get("type") == "Identifier":
                    self.event_params.add(params[0]["name"])

    def _collect(self) -> None:
        self._find_listeners()
        for node in _walk(self.program):
            kind = node.get("type")
            if kind == "VariableDeclarator":
                self._bind_pattern(node.get("id"), node.get("init"))
            elif kind == "AssignmentExpression":
                left = node.get("left") or {}
                if left.get("type") == "Identifier" and node.get("operator") == "=":
                    self._bind(left["name"], node.get("right"))
                elif left.get("type") == "MemberExpression":
                    self.skip.add(id(left))
                else:
                    self._bind_pattern(left, None)
            if kind in ("FunctionDeclaration", "ClassDeclaration") and node.get("id"):
                self.declared.add(node["id"]["name"])
                self.poisoned.add(node["id"]["name"])
            if kind in ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"):
                for param in node.get("params", []):
                    if param.get("type") == "ObjectPattern":
                        self._bind_pattern(param, None, payload=id(node) in self.listener_functions)
                    elif param.get("type") == "Identifier":
                        self.declared.add(param["name"])  # a parameter keeps the type its name has elsewhere
            elif kind == "CatchClause" and node.get("param"):
                self._declare_names(node["param"])
            elif kind == "UpdateExpression" or (kind == "UnaryExpression" and node.get("operator") in ("delete", "typeof")):
                argument = node.get("argument") or {}
                if argument.get("type") == "MemberExpression":
                    self.skip.add(id(argument))

    # -- pass 2: reads and listeners -------------------------------------------------------------------------------

    def _report(self, node: Mapping[str, Any], code: str, message: str) -> None:
        line, column = _position(node)
        self.findings.setdefault((line, column, message), Finding(self.filename, line, column, code, message))

    def _surface_of_root(self, name: str) -> tuple[str, Surface] | None:
        if name in API_GLOBALS and name not in self.declared:
            return name, API_GLOBALS[name]
        kinds = self.types.get(name)
        if kinds and len(kinds) == 1 and name not in self.poisoned:
            kind = next(iter(kinds))
            return f"{name} ({_article(kind)} {kind})", INSTANCE_TYPES[kind]
        return None

    def _missing(self, chain: list[tuple[str, Mapping[str, Any]]]) -> tuple[str, str, Surface, Mapping[str, Any]] | None:
        """The first member of ``chain`` its table lacks: (owner text, member, owner table, node)."""
        root = self._surface_of_root(chain[0][0])
        rest = chain[1:]
        if root is None and len(chain) >= 3 and chain[1][0] in _PAYLOAD_FIELDS and chain[0][0] in self.event_params:
            if chain[2][0] in ("apply", "bind", "call"):  # fn.call.bind(…): Function.prototype, not a payload
                return None
            kind = _PAYLOAD_FIELDS[chain[1][0]]
            root = f"{chain[0][0]}.{chain[1][0]} ({_article(kind)} {kind})", INSTANCE_TYPES[kind]
            rest = chain[2:]
        if root is None:
            return None
        owner, table = root
        for name, node in rest:
            if name in _OBJECT_MEMBERS:
                return None
            if name not in table:
                return owner, name, table, node
            sub = table[name]
            if sub is None:
                return None
            owner, table = f"{owner}.{name}", sub
        return None

    @staticmethod
    def _suggest(name: str, table: Surface) -> str:
        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.6)
        return f" (did you mean {' or '.join(close)}?)" if close else ""

    def _check_member(self, node: Mapping[str, Any]) -> None:
        if id(node) in self.skip:
            return
        chain = _member_chain(node)
        if not chain:
            return
        missing = self._missing(chain)
        if missing:
            owner, name, table, where = missing
            self._report(where.get("property") or where, "unknown-member",
                         f"{owner} has no member {name!r}; it is undefined in VoxEngine{self._suggest(name, table)}")

    def _check_listener(self, call: Mapping[str, Any]) -> None:
        callee = _unwrap(call.get("callee")) or {}
        prop = callee.get("property") or {}
        if callee.get("type") != "MemberExpression" or callee.get("computed") or prop.get("name") != "addEventListener":
            return
        args = call.get("arguments") or []
        if not args:
            return
        event = _unwrap(args[0]) or {}
        kind = event.get("type")
        if kind == "Identifier" and event.get("name") == "undefined":
            self._report(event, "undefined-event", "addEventListener(undefined, …): the listener is registered for no event")
        elif kind == "MemberExpression":
            chain = _member_chain(event)
            missing = self._missing(chain) if chain else None
            if missing and chain:
                text = ".".join(name for name, _ in chain)
                self._report(event, "undefined-event",
                             f"addEventListener({text}, …): {text} is undefined, so the listener never fires")
            elif chain:
                self._check_target(callee, event, _EVENT_VALUES.get(tuple(name for name, _ in chain)), ".".join(n for n, _ in chain))
        elif kind == "Literal" and isinstance(event.get("value"), str) and event["value"] not in EVENT_NAMES:
            close = difflib.get_close_matches(event["value"], sorted(EVENT_NAMES), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self._report(event, "unknown-event", f"addEventListener({event['value']!r}, …): no VoxEngine event has this name{hint}")
        elif kind == "Literal" and isinstance(event.get("value"), str):
            self._check_target(callee, event, event["value"], repr(event["value"]))

    def _target_type(self, obj: Mapping[str, Any] | None) -> tuple[str, str] | None:
        """(kind, text) of the object a listener is added to, when it is known."""
        chain = _member_chain(_unwrap(obj) or {})
        if not chain:
            return None
        names = [name for name, _ in chain]
        text = ".".join(names)
        if names == ["VoxEngine"] and "VoxEngine" not in self.declared:
            return "VoxEngine", text
        if len(names) == 1:
            kinds = self.types.get(names[0])
            if kinds and len(kinds) == 1 and names[0] not in self.poisoned:
                return next(iter(kinds)), text
        if len(names) == 2 and names[0] in self.event_params and names[1] in _PAYLOAD_FIELDS:
            return _PAYLOAD_FIELDS[names[1]], text
        return None

    def _check_target(self, callee: Mapping[str, Any], event: Mapping[str, Any], value: str | None, text: str) -> None:
        target = self._target_type(callee.get("object"))
        if value is None or target is None:
            return
        kind, where = target
        if not value.startswith(_TARGET_EVENTS[kind]):
            owner = "VoxEngine" if kind == "VoxEngine" else f"{_article(kind)} {kind}"
            self._report(event, "wrong-target", f"{where}.addEventListener({text}, …): {value} is not an event of "
                                                f"{owner}, so the listener never fires")

    def run(self) -> list[Finding]:
        self._collect()
        for node in _walk(self.program):
            kind = node.get("type")
            if kind == "MemberExpression":
                self._check_member(node)
            elif kind == "CallExpression":
                self._check_listener(node)
        return sorted(self.findings.values(), key=lambda f: (f.line, f.column, f.code))


def check_program(program: Any, filename: str = "scenario.js") -> list[Finding]:
    """Check a parsed program: an ``engine.ast.Program`` or an ESTree dict with ``loc``."""
    tree = program.to_estree(positions=True) if hasattr(program, "to_estree") else program
    return _Checker(tree, filename).run()


def check_source(text: str, filename: str = "scenario.js") -> list[Finding]:
    """Parse with the engine's parser and check; raises ``JSSyntaxError`` when the file does not parse."""
    from voxsim.engine.parser import parse_script  # the engine's parser; imported late so the table loads without it

    return check_program(parse_script(text, filename), filename)
