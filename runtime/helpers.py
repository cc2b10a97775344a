"""VoxEngine's global helper functions, the session Logger and the secret store, as plain Python.

The functions take and return Python values (``str``, ``list[int]``, ``int``); the JS binding converts at the boundary.
Byte arrays are JS arrays of numbers 0..255, so they are ``list[int]`` here.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import os
import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voxsim.engine.errors import JSTypeError
from voxsim.engine.host import to_py
from voxsim.engine.operations import to_string
from voxsim.engine.values import UNDEFINED, JSObject

__all__ = [
    "HelperError",
    "base64_encode",
    "base64_decode",
    "str2bytes",
    "bytes2str",
    "bytes2hex",
    "hex2bytes",
    "uuidgen",
    "get_local_time",
    "levenshtein_distance",
    "LOG_MESSAGE_LIMIT",
    "Logger",
    "SecretStore",
    "install",
]

LOG_MESSAGE_LIMIT = 15000


class HelperError(ValueError):
    """A helper got an argument it cannot use; the JS binding raises it as a JS TypeError."""


def _to_bytes(data: str | Sequence[int], what: str) -> bytes:
    if isinstance(data, str):
        return _utf8(data)
    try:
        return bytes(int(b) & 0xFF for b in data)
    except (TypeError, ValueError) as exc:
        raise HelperError(f"{what}: expected a string or an array of numbers 0..255") from exc


def _utf8(text: str) -> bytes:
    # Strings may hold UTF-16 surrogate pairs (the engine's string model); join them before encoding.
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined.encode("utf-8")


def base64_encode(data: str | Sequence[int]) -> str:
    """Base64 of a string (its UTF-8 bytes) or of an array of bytes."""
    return base64.b64encode(_to_bytes(data, "base64_encode")).decode("ascii")


def base64_decode(data: str) -> list[int]:
    """The bytes of a Base64 string (standard or URL-safe alphabet, padding optional)."""
    text = "".join(str(data).split())
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HelperError(f"base64_decode: not valid Base64: {data[:40]!r}") from exc
    return list(raw)


def _codec(encoding: str | None) -> str:
    name = "utf-8" if encoding is None or encoding == "" else str(encoding)
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise HelperError(f"unknown encoding {name!r}") from exc


def str2bytes(data: str, encoding: str | None = None) -> list[int]:
    """The bytes of ``data`` in ``encoding`` (default utf-8); characters the codepage lacks become '?'."""
    codec = _codec(encoding)
    joined = str(data).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return list(joined.encode(codec, "replace"))


def bytes2str(data: Sequence[int], encoding: str | None = None) -> str:
    """Decode an array of bytes in ``encoding`` (default utf-8); invalid sequences become U+FFFD."""
    return _to_bytes(list(data), "bytes2str").decode(_codec(encoding), "replace")


def bytes2hex(data: Sequence[int], to_upper_case: bool = False) -> str:
    """Hex string of an array of bytes, lowercase unless asked."""
    text = _to_bytes(list(data), "bytes2hex").hex()
    return text.upper() if to_upper_case else text


def hex2bytes(data: str) -> list[int]:
    """The bytes of a hex string like ``"cafec0de"``."""
    try:
        return list(bytes.fromhex(str(data)))
    except ValueError as exc:
        raise HelperError(f"hex2bytes: not a hex string: {str(data)[:40]!r}") from exc


def uuidgen(rng: random.Random | None = None) -> str:
    """A random (version 4) UUID; a seeded ``rng`` makes a session's ids reproducible."""
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def get_local_time(tz_name: str, epoch_ms: float) -> float:
    """``getLocalTime(tz, date)``: the instant shifted so that its UTC fields read as local time in ``tz_name``.

    VoxEngine's ``new Date()`` is always UTC, so ``getLocalTime`` returns a Date whose ``getUTCHours()`` etc. show the
    wall-clock time of the zone. Takes and returns milliseconds since the epoch (a JS Date's time value).
    """
    try:
        zone = ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HelperError(f"getLocalTime: unknown time zone {tz_name!r}") from exc
    instant = datetime.fromtimestamp(epoch_ms / 1000.0, tz=timezone.utc)
    offset = instant.astimezone(zone).utcoffset()
    return epoch_ms + (offset.total_seconds() * 1000.0 if offset is not None else 0.0)


def levenshtein_distance(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions) between two strings, by code unit."""
    a, b = str(a), str(b)
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class Logger:
    """``Logger.write``: append a message to the session log, cut at 15000 characters as VoxEngine does."""

    def __init__(self, sink: Callable[[str], None], limit: int = LOG_MESSAGE_LIMIT) -> None:
        self._sink = sink
        self.limit = limit

    def write(self, message: str) -> str:
        """Send ``message`` (truncated to the limit) to the sink; returns what was logged."""
        text = str(message)
        if len(text) > self.limit:
            text = text[: self.limit]
        self._sink(text)
        return text


class SecretStore:
    """The application's secrets for ``VoxEngine.getSecretValue(name)``.

    Secrets come from a file the user names (JSON object, YAML mapping, or ``NAME=value`` lines) and/or from environment
    variables with a prefix (default ``VOXSIM_SECRET_``: ``VOXSIM_SECRET_CARTESIA_API_KEY`` → ``CARTESIA_API_KEY``).
    Explicit values win over the file, the file wins over the environment.
    """

    ENV_PREFIX = "VOXSIM_SECRET_"

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values: dict[str, str] = {str(k): str(v) for k, v in (values or {}).items()}

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        env_prefix: str | None = ENV_PREFIX,
        values: Mapping[str, str] | None = None,
    ) -> SecretStore:
        """Build a store from the environment (prefix), then a file, then explicit ``values``."""
        merged: dict[str, str] = {}
        if env_prefix:
            source = os.environ if env is None else env
            merged.update({k[len(env_prefix):]: v for k, v in source.items() if k.startswith(env_prefix) and len(k) > len(env_prefix)})
        if path is not None:
            merged.update(cls._read_file(Path(path)))
        if values:
            merged.update({str(k): str(v) for k, v in values.items()})
        return cls(merged)

    @staticmethod
    def _read_file(path: Path) -> dict[str, str]:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = dict(_dotenv_pairs(text.splitlines()))
        if not isinstance(data, dict):
            raise HelperError(f"{path}: a secrets file must hold a mapping of names to values")
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}

    def get(self, name: str) -> str | None:
        """The secret's value, or ``None`` (JS ``undefined``) when it is not configured."""
        return self._values.get(str(name))

    def names(self) -> list[str]:
        """The configured secret names (never their values)."""
        return sorted(self._values)


def _dotenv_pairs(lines: Iterable[str]) -> Iterable[tuple[str, str]]:
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        yield name.strip(), value


# -- the JS binding ---------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(to_py(to_string(value)))


def _data(value: Any) -> str | list[int]:
    converted = to_py(value)
    if isinstance(converted, (str, list)):
        return converted
    return _text(value)


def _optional_text(value: Any) -> str | None:
    return None if value is UNDEFINED or value is None else _text(value)


class _Guarded:
    """``fn`` with a HelperError raised as a JS TypeError naming the helper. An object, not a closure: the shared
    ones outlive every session, and a load worker's teardown cuts the cells of closures it finds in a session."""

    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        self.name = name
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        try:
            return self.fn(*args)
        except HelperError as exc:
            message, name = str(exc), self.name
            raise JSTypeError(message if message.startswith(name) else f"{name}: {message}") from None


def _js_str2bytes(d: Any, enc: Any = None) -> list[int]:
    return str2bytes(_text(d), _optional_text(enc))


def _js_bytes2str(d: Any, enc: Any = None) -> str:
    return bytes2str(_byte_list(to_py(d)), _optional_text(enc))


def _js_bytes2hex(d: Any, upper: Any = None) -> str:
    return bytes2hex(_byte_list(to_py(d)), upper is True)


#: The helpers that need nothing of a session: their Python side is made once per process (shared by every
#: session's JS functions; nothing of it is reachable from JS), ``(name, callable, length)``.
_HELPER_BODIES: list[tuple[str, Callable[..., Any] | None, int]] = [
    ("base64_encode", lambda d: base64_encode(_data(d)), 1),
    ("base64_decode", lambda d: base64_decode(_text(d)), 1),
    ("str2bytes", _js_str2bytes, 2),
    ("bytes2str", _js_bytes2str, 2),
    ("bytes2hex", _js_bytes2hex, 2),
    ("hex2bytes", lambda d: hex2bytes(_text(d)), 1),
    ("uuidgen", lambda: uuidgen(None), 0),
    ("getLocalTime", None, 2),  # made per session (its realm's Date)
    ("levenshtein_distance", lambda a, b: float(levenshtein_distance(_text(a), _text(b))), 2),
]
_SHARED_HELPERS: list[tuple[str, Callable[..., Any] | None, int]] = [
    (name, _Guarded(name, fn) if fn is not None else None, length) for name, fn, length in _HELPER_BODIES]


def _hide_tones(flag: Any = None) -> Any:  # DTMF digits are not written to voxsim's log anyway
    return UNDEFINED


def install(session: Any) -> None:
    """Define the helper globals, ``Logger`` and ``VoxEngine.getSecretValue`` in a session's realm."""
    realm = session.realm

    def local_time(tz: Any, date: Any) -> Any:
        if not isinstance(date, JSObject):
            raise HelperError("the second argument must be a Date")
        get_time = date.get("getTime", date)
        millis = realm.call(get_time, date, []) if get_time is not UNDEFINED else UNDEFINED
        if not isinstance(millis, float):
            raise HelperError("the second argument must be a Date")
        ctor = realm.intrinsics.get("%Date%")
        if ctor is None:
            raise HelperError("Date is not available")
        return realm.construct(ctor, [get_local_time(_text(tz), millis)])

    seed = session.options.settings.get("seed")
    rng = random.Random(seed) if seed is not None else None
    for name, fn, length in _SHARED_HELPERS:
        if fn is None:
            fn = _Guarded(name, local_time)
        elif name == "uuidgen" and rng is not None:
            fn = _Guarded(name, lambda: uuidgen(rng))  # a seeded session's ids are its own
        realm.define_global(name, realm.new_host_function(name, fn, length))

    logger = Logger(lambda message: session.log(message, source="Logger.write"))
    log_obj = realm.new_object()

    def write(message: Any = UNDEFINED) -> Any:
        logger.write(_text(message))
        return UNDEFINED

    log_obj.define("write", realm.new_host_function("write", write, 1))
    log_obj.define("hideTones", realm.new_host_function("hideTones", _hide_tones, 1))
    session.define_global("Logger", log_obj)

    from .modules import amd, calllist, phonenumber

    # PhoneNumber, CallList and AMD are globals without a require, as in the typings
    phonenumber.install(session)
    calllist.install(session)
    amd.install(session)

    options = session.options
    # A secrets file is read (and checked) now; without one the store is built on the first getSecretValue, so a
    # session that never asks does not scan the environment.
    stores: list[SecretStore] = []
    if options.secrets_path is not None:
        stores.append(SecretStore.load(options.secrets_path, values=options.secrets))

    def get_secret_value(name: Any = UNDEFINED) -> Any:
        if not stores:
            stores.append(SecretStore.load(None, values=options.secrets))
        value = stores[0].get(_text(name))
        return UNDEFINED if value is None else value

    try:
        from .voxengine import extend
    except ImportError:  # the VoxEngine global is not built yet in this tree
        return
    if "voxengine" in session.extensions:
        extend(session, "getSecretValue", get_secret_value, 1)


def _byte_list(value: Any) -> list[int]:
    if isinstance(value, str):
        return list(_utf8(value))
    if not isinstance(value, list):
        raise HelperError("expected an array of numbers 0..255")
    try:
        return [int(v) & 0xFF for v in value]
    except (TypeError, ValueError) as exc:
        raise HelperError("expected an array of numbers 0..255") from exc
