"""Fake external HTTP services for ``Net``: URL patterns → canned responses or Python handlers.

Give a :class:`FakeTransport` to a session as ``SessionOptions.settings["net_transport"]`` (the pytest fixture:
``voxsim(..., settings={"net_transport": fake})``; ``voxsim run --http-fake routes.yaml``). Routes come from Python
(:meth:`FakeTransport.route`) or from a YAML/JSON list (:meth:`FakeTransport.from_file`).
"""

from __future__ import annotations

import asyncio
import fnmatch
import importlib
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from .net import HttpRequest, HttpResponse, NetError, Transport, CODE_HOST_NOT_FOUND

__all__ = ["FakeResponse", "FakeTransport", "FakeRouteError"]


class FakeRouteError(ValueError):
    """A route in a routes file is malformed; the message names the route and the field."""


@dataclass(slots=True)
class FakeResponse:
    """A canned response for :class:`FakeTransport`; ``json`` sets the body and the content type; ``delay`` is seconds."""

    status: int = 200
    body: str | bytes = ""
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = field(default_factory=dict)
    json: Any = None
    delay: float = 0.0

    def to_response(self) -> HttpResponse:
        """The transport-level response."""
        headers = list(self.headers.items()) if isinstance(self.headers, Mapping) else list(self.headers)
        body = self.body
        if self.json is not None:
            body = json.dumps(self.json)
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", "application/json"))
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Length", str(len(raw))))
        return HttpResponse(self.status, headers, raw)


Reply = Union[FakeResponse, HttpResponse, str, bytes, dict[str, Any], list[Any], int, NetError]
Handler = Callable[[HttpRequest], Union[Reply, Awaitable[Reply]]]


class FakeTransport:
    """Fake external services: URL patterns → canned responses or Python handlers; every request is recorded.

    A pattern is a glob over the URL (``"https://api.example.com/users/*"``; the query string is ignored unless the
    pattern has a ``?``), or a compiled regular expression matched with ``search``. The first matching route wins.
    A handler gets the :class:`HttpRequest` and may return a ``FakeResponse``, a string (text/plain), a dict or list
    (JSON), an int (status only), or raise/return ``NetError(code)``; it may be async. An unmatched URL is "host not
    found" (-3) unless a ``fallback`` transport is given.
    """

    def __init__(self, fallback: Transport | None = None) -> None:
        self.routes: list[tuple[str | None, str | re.Pattern[str], FakeResponse | Handler]] = []
        self.requests: list[HttpRequest] = []
        self._fallback = fallback

    @classmethod
    def from_routes(cls, routes: Sequence[Mapping[str, Any]], fallback: Transport | None = None) -> FakeTransport:
        """Routes as data: each has ``url`` (a glob) or ``regex``, optional ``method``, and a reply: ``status``,
        ``json`` or ``body``, ``headers``, ``delay`` (seconds); or ``error`` (a negative Net code such as -7);
        or ``handler`` (``"module:function"``, called with the :class:`HttpRequest`)."""
        fake = cls(fallback)
        for index, spec in enumerate(routes):
            where = f"route {index + 1}"
            if not isinstance(spec, Mapping):
                raise FakeRouteError(f"{where}: expected a mapping, got {spec!r}")
            unknown = set(spec) - {"url", "regex", "method", "status", "json", "body", "headers", "delay", "error", "handler"}
            if unknown:
                raise FakeRouteError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
            if ("url" in spec) == ("regex" in spec):
                raise FakeRouteError(f"{where}: give exactly one of 'url' (a glob) or 'regex'")
            pattern: str | re.Pattern[str] = str(spec["url"]) if "url" in spec else re.compile(str(spec["regex"]))
            reply: FakeResponse | Handler
            if "handler" in spec:
                reply = _load_handler(str(spec["handler"]), where)
            elif "error" in spec:
                code = int(spec["error"])
                reply = _error_handler(code, float(spec.get("delay", 0) or 0))
            else:
                reply = FakeResponse(status=int(spec.get("status", 200)), body=str(spec.get("body", "")),
                                     headers=dict(spec.get("headers") or {}), json=spec.get("json"),
                                     delay=float(spec.get("delay", 0) or 0))
            fake.route(pattern, reply, method=spec.get("method"))
        return fake

    @classmethod
    def from_file(cls, path: str | Path, fallback: Transport | None = None) -> FakeTransport:
        """Routes from a YAML or JSON file holding a list (or ``{routes: [...]}``); see :meth:`from_routes`."""
        import yaml

        path = Path(path)
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise FakeRouteError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}") from exc
        if isinstance(data, Mapping):
            data = data.get("routes")
        if not isinstance(data, list):
            raise FakeRouteError(f"{path}: expected a list of routes (or a mapping with 'routes')")
        return cls.from_routes(data, fallback)

    def route(self, pattern: str | re.Pattern[str], reply: FakeResponse | Handler | str | dict[str, Any] | list[Any] | int,
              *, method: str | None = None) -> FakeTransport:
        """Add a route; returns ``self`` so routes chain."""
        if not callable(reply) and not isinstance(reply, FakeResponse):
            reply = _as_fake(reply)
        self.routes.append((method.upper() if method else None, pattern, reply))
        return self

    def _match(self, request: HttpRequest) -> FakeResponse | Handler | None:
        without_query = request.url.split("?", 1)[0]
        for method, pattern, reply in self.routes:
            if method is not None and method != request.method:
                continue
            if isinstance(pattern, re.Pattern):
                if pattern.search(request.url):
                    return reply
            elif fnmatch.fnmatchcase(request.url if "?" in pattern else without_query, pattern):
                return reply
        return None

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Answer from the first matching route."""
        self.requests.append(request)
        reply = self._match(request)
        if reply is None:
            if self._fallback is not None:
                return await self._fallback.send(request)
            raise NetError(CODE_HOST_NOT_FOUND, f"Host not found (no fake route for {request.url})")
        if isinstance(reply, FakeResponse):
            if reply.delay > 0:
                await asyncio.sleep(reply.delay)
            return reply.to_response()
        produced = reply(request)
        if inspect.isawaitable(produced):
            produced = await produced
        if isinstance(produced, NetError):
            raise produced
        if isinstance(produced, HttpResponse):
            return produced
        fake = produced if isinstance(produced, FakeResponse) else _as_fake(produced)
        if fake.delay > 0:
            await asyncio.sleep(fake.delay)
        return fake.to_response()

    async def aclose(self) -> None:
        """Close the fallback transport, if any."""
        if self._fallback is not None:
            await self._fallback.aclose()


def _as_fake(value: Any) -> FakeResponse:
    if isinstance(value, FakeResponse):
        return value
    if isinstance(value, bool):
        raise TypeError(f"a fake reply cannot be a bool: {value!r}")
    if isinstance(value, int):
        return FakeResponse(status=value)
    if isinstance(value, (str, bytes)):
        return FakeResponse(body=value)
    if isinstance(value, (dict, list)):
        return FakeResponse(json=value)
    raise TypeError(f"unsupported fake reply {value!r}: use FakeResponse, str, bytes, dict, list or int")


def _load_handler(spec: str, where: str) -> Handler:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise FakeRouteError(f"{where}: handler must be 'module:function', got {spec!r}")
    try:
        handler = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise FakeRouteError(f"{where}: cannot load handler {spec!r}: {exc}") from exc
    if not callable(handler):
        raise FakeRouteError(f"{where}: handler {spec!r} is not callable")
    return handler  # type: ignore[no-any-return]


def _error_handler(code: int, delay: float) -> Handler:
    async def fail(request: HttpRequest) -> NetError:
        if delay > 0:
            await asyncio.sleep(delay)
        return NetError(code)

    return fail
