"""The simulated phone network: who calls the scenario, and how the numbers it dials behave.

A :class:`Network` maps addresses (a PSTN number, ``user:NAME``, ``sip:URI``, ``whatsapp:NUMBER``,
``conference:ID``) to a :class:`Callee` behaviour; anything unlisted uses the default (answer after 1 s). It also holds
the default inbound :class:`Caller` used by ``voxsim run --call``. Build it in Python or load it from YAML/JSON::

    default: {answer_after: 1}
    callees:
      "+15550001111": busy                       # 486 at once
      "+15550002222": {answer_after: 3, hangup_after: 20, dtmf: [{at: 5, digits: "1#"}]}
      "user:alice": no_answer                    # rings; 408 at 60 s
      "sip:bob@example.com": {reject: 603, after: 2}
    caller: {callerid: "+15551234567", destination: "+18005550000", headers: {X-Foo: bar}}

Keys the runtime does not know are kept in ``extra`` for other layers (media reads e.g. what a party says; the AMD
detector reads ``amd: human|voicemail|mimic|timeout``, ``amd_after`` seconds and ``amd_confidence``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "NetworkError",
    "Callee",
    "Caller",
    "Network",
    "REASONS",
    "NO_ANSWER_TIMEOUT",
    "normalize_number",
]

#: SIP reason phrases for the codes the network produces.
REASONS: dict[int, str] = {
    200: "OK",
    402: "Payment Required",
    404: "Not Found",
    408: "Request Timeout",
    480: "Temporarily Unavailable",
    486: "Busy Here",
    487: "Request Terminated",
    603: "Decline",
}

#: Seconds an unanswered call rings before the network gives up (408), as VoxEngine.
NO_ANSWER_TIMEOUT = 60.0

# Behaviour shorthands: name -> (failure code or None for "answer", seconds before it happens).
_SHORTHANDS: dict[str, dict[str, Any]] = {
    "answer": {},
    "busy": {"fail": 486, "after": 0.5, "ring": False},
    "reject": {"fail": 603, "after": 2.0},
    "decline": {"fail": 603, "after": 2.0},
    "not_found": {"fail": 404, "after": 0.3, "ring": False},
    "unavailable": {"fail": 480, "after": 0.5, "ring": False},
    "no_funds": {"fail": 402, "after": 0.3, "ring": False},
    "no_answer": {"answer_after": None},
    "ring_forever": {"answer_after": None},
}


class NetworkError(ValueError):
    """A network description that cannot be understood; says which key and what was expected."""


@dataclass(frozen=True)
class Callee:
    """How a dialled party behaves (times in seconds from the dial, or from connect for ``hangup_after``/``dtmf``).

    ``fail`` set: the call rings (unless ``ring`` is false) and fails with that SIP code after ``after`` seconds.
    Otherwise it rings after ``ring_after`` and answers after ``answer_after``; ``answer_after=None`` rings until the
    network's 60 s no-answer timeout (408).
    """

    answer_after: float | None = 1.0
    ring_after: float = 0.2
    ring: bool = True
    early_media: bool = False
    fail: int | None = None
    after: float = 0.5
    hangup_after: float | None = None
    dtmf: tuple[tuple[float, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: object, where: str = "callee") -> Callee:
        """A callee from a shorthand string (``busy``) or a mapping of the fields (``reject: 603`` = ``fail: 603``)."""
        if spec is None:
            return cls()
        if isinstance(spec, str):
            key = spec.strip().lower().replace("-", "_").replace(" ", "_")
            if key not in _SHORTHANDS:
                raise NetworkError(f"{where}: unknown behaviour {spec!r}; expected one of {', '.join(_SHORTHANDS)}")
            return cls(**_SHORTHANDS[key])
        if not isinstance(spec, Mapping):
            raise NetworkError(f"{where}: expected a behaviour name or a mapping, got {type(spec).__name__}")
        data = dict(spec)
        kwargs: dict[str, Any] = {}
        behaviour = data.pop("behaviour", data.pop("behavior", None))
        if behaviour is not None:
            kwargs.update(cls.from_spec(behaviour, where).__dict__)
        for alias in ("reject", "busy_code", "code"):
            if alias in data:
                data["fail"] = data.pop(alias)
        for name in ("answer_after", "ring_after", "after", "hangup_after"):
            if name in data:
                kwargs[name] = _seconds(data.pop(name), f"{where}.{name}", allow_none=name in ("answer_after", "hangup_after"))
        if "fail" in data:
            code = data.pop("fail")
            if not isinstance(code, int) or not 300 <= code <= 699:
                raise NetworkError(f"{where}.fail: expected a SIP failure code (300-699), got {code!r}")
            kwargs["fail"] = code
        for name in ("ring", "early_media"):
            if name in data:
                kwargs[name] = bool(data.pop(name))
        if "dtmf" in data:
            kwargs["dtmf"] = _dtmf(data.pop("dtmf"), f"{where}.dtmf")
        if "headers" in data:
            kwargs["headers"] = _headers(data.pop("headers"), f"{where}.headers")
        kwargs["extra"] = {**kwargs.get("extra", {}), **data}
        return cls(**kwargs)


@dataclass(frozen=True)
class Caller:
    """An inbound caller: what ``AppEvents.CallAlerting`` reports, and what the caller does once connected."""

    callerid: str = "+15551230000"
    destination: str = "+18005550100"
    display_name: str = ""
    scheme: str = "pstn"
    headers: Mapping[str, str] = field(default_factory=dict)
    custom_data: str | None = None
    hangup_after: float | None = None
    abandon_after: float | None = None
    dtmf: tuple[tuple[float, str], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: object, where: str = "caller") -> Caller:
        """A caller from a number string or a mapping of the fields (``displayName`` is accepted too)."""
        if spec is None:
            return cls()
        if isinstance(spec, str):
            return cls(callerid=spec)
        if not isinstance(spec, Mapping):
            raise NetworkError(f"{where}: expected a number or a mapping, got {type(spec).__name__}")
        data = dict(spec)
        kwargs: dict[str, Any] = {}
        for src, dst in (("callerid", "callerid"), ("number", "callerid"), ("from", "callerid"),
                         ("destination", "destination"), ("to", "destination"),
                         ("display_name", "display_name"), ("displayName", "display_name"),
                         ("scheme", "scheme"), ("custom_data", "custom_data"), ("customData", "custom_data")):
            if src in data:
                kwargs[dst] = str(data.pop(src))
        for name in ("hangup_after", "abandon_after"):
            if name in data:
                kwargs[name] = _seconds(data.pop(name), f"{where}.{name}", allow_none=True)
        if "dtmf" in data:
            kwargs["dtmf"] = _dtmf(data.pop("dtmf"), f"{where}.dtmf")
        if "headers" in data:
            kwargs["headers"] = _headers(data.pop("headers"), f"{where}.headers")
        kwargs["extra"] = data
        return cls(**kwargs)


def normalize_number(address: str) -> str:
    """The lookup key of an address: phone numbers lose spaces, dashes, dots, brackets and a leading ``+``."""
    address = address.strip()
    if ":" in address:
        scheme, _, rest = address.partition(":")
        return f"{scheme.lower()}:{normalize_number(rest) if ':' not in rest else rest}"
    if re.fullmatch(r"[+0-9\s\-().]+", address):
        return re.sub(r"[\s\-().]", "", address).lstrip("+")
    return address


_INVALID_NUMBER = Callee(fail=404, after=0.3, ring=False)


class Network:
    """Callees by address, a default callee, and the default inbound caller."""

    def __init__(
        self,
        callees: Mapping[str, Callee | str | Mapping[str, Any]] | None = None,
        default: Callee | None = None,
        caller: Caller | None = None,
    ) -> None:
        self.default = default or Callee()
        self.caller = caller or Caller()
        self._callees: dict[str, Callee] = {}
        for address, spec in (callees or {}).items():
            self.add(address, spec)

    def add(self, address: str, spec: Callee | str | Mapping[str, Any]) -> Callee:
        """Set how ``address`` behaves; returns the callee."""
        callee = spec if isinstance(spec, Callee) else Callee.from_spec(spec, f"callees[{address!r}]")
        self._callees[normalize_number(str(address))] = callee
        return callee

    def lookup(self, address: str, kind: str = "pstn") -> Callee:
        """The behaviour of a dialled address; ``kind`` (pstn/user/sip/whatsapp/conference) prefixes bare names."""
        key = normalize_number(address)
        candidates = [key]
        if ":" not in key and kind != "pstn":
            candidates.insert(0, f"{kind}:{key}")
        if kind == "sip" and not key.startswith("sip:"):
            candidates.insert(0, f"sip:{key}")
        for candidate in candidates:
            if candidate in self._callees:
                return self._callees[candidate]
        if kind in ("pstn", "whatsapp") and not re.fullmatch(r"[0-9]{3,15}", key.partition(":")[2] or key):
            return _INVALID_NUMBER  # not a phone number: the PSTN answers 404 [inferred]
        return self.default

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Network:
        """A network from the parsed YAML/JSON document (keys ``default``, ``callees``, ``caller``)."""
        if not isinstance(data, Mapping):
            raise NetworkError("network file: expected a mapping at the top level")
        unknown = set(data) - {"default", "callees", "caller", "inbound"}
        if unknown:
            raise NetworkError(f"network file: unknown keys {sorted(unknown)}; expected default, callees, caller")
        callees = data.get("callees") or {}
        if not isinstance(callees, Mapping):
            raise NetworkError("network file: 'callees' must map addresses to behaviours")
        return cls(
            callees={str(k): v for k, v in callees.items()},
            default=Callee.from_spec(data.get("default"), "default"),
            caller=Caller.from_spec(data.get("caller", data.get("inbound")), "caller"),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Network:
        """Load a ``.yaml``/``.yml`` or ``.json`` network description."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise NetworkError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}") from None
        return cls.from_dict(data or {})

    def with_caller(self, **changes: Any) -> Network:
        """A copy whose inbound caller has ``changes`` applied (used by ``--call``/``--to``)."""
        net = Network(default=self.default, caller=replace(self.caller, **changes))
        net._callees = dict(self._callees)
        return net


def _seconds(value: object, where: str, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise NetworkError(f"{where}: expected a number of seconds >= 0, got {value!r}")
    return float(value)


def _dtmf(value: object, where: str) -> tuple[tuple[float, str], ...]:
    if not isinstance(value, list):
        raise NetworkError(f"{where}: expected a list of {{at: seconds, digits: '12#'}}")
    out: list[tuple[float, str]] = []
    for i, item in enumerate(value):
        if isinstance(item, Mapping) and "digits" in item:
            at, digits = item.get("at", 0), str(item["digits"])
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            at, digits = item[0], str(item[1])
        else:
            raise NetworkError(f"{where}[{i}]: expected {{at: seconds, digits: '12#'}}")
        if not re.fullmatch(r"[0-9*#A-Da-d]+", digits):
            raise NetworkError(f"{where}[{i}].digits: expected DTMF digits 0-9 * # A-D, got {digits!r}")
        seconds = _seconds(at, f"{where}[{i}].at")
        assert seconds is not None
        out.append((seconds, digits.upper()))
    return tuple(sorted(out, key=lambda pair: pair[0]))


def _headers(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise NetworkError(f"{where}: expected a mapping of header names to values")
    return {str(k): str(v) for k, v in value.items()}
