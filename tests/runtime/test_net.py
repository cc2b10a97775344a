"""Net: options, result shape and negative codes against an aiohttp test server; the fake transport; limits."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from aiohttp import web
from aiohttp.test_utils import TestServer

from voxsim.runtime.net import (
    CODE_CONNECTION_ERROR,
    CODE_HOST_NOT_FOUND,
    CODE_MALFORMED_URL,
    CODE_TIMEOUT,
    CODE_TOO_LARGE,
    CODE_TOO_MANY_REDIRECTS,
    LIMIT_MESSAGE,
    AiohttpTransport,
    HttpRequest,
    Net,
    NetError,
    NetLimitError,
    parse_options,
)
from voxsim.runtime.net_fake import FakeResponse, FakeRouteError, FakeTransport


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": {k: v for k, v in request.headers.items() if k.lower().startswith("x-") or k in ("User-Agent", "Content-Type")},
            "body": body.decode("latin-1"),
        },
        headers={"X-Reply": "yes"},
    )


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("s", "10")))
    return web.Response(text="late")


async def big(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * (2 * 1024 * 1024 + 1), content_type="text/plain")


async def missing(request: web.Request) -> web.Response:
    return web.Response(status=404, text="no such thing")


async def loop_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


async def binary(request: web.Request) -> web.Response:
    return web.Response(body=bytes([0, 1, 2, 255]), content_type="application/octet-stream")


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/slow", slow)
    app.router.add_get("/big", big)
    app.router.add_get("/missing", missing)
    app.router.add_get("/loop", loop_redirect)
    app.router.add_get("/binary", binary)
    srv = TestServer(app, host="127.0.0.1", port=0)
    await srv.start_server()
    yield srv
    await srv.close()


@pytest.fixture
async def net() -> AsyncIterator[Net]:
    n = Net(AiohttpTransport(hosts={"localhost": "127.0.0.1"}, hold_clock=False))  # the test server is in this loop
    yield n
    await n.aclose()


async def test_get_result_shape(server: TestServer, net: Net) -> None:
    result = await net.request(str(server.make_url("/echo?a=1")))
    assert result["code"] == 200
    assert "error" not in result and "data" not in result
    body = __import__("json").loads(result["text"])
    assert body["method"] == "GET" and body["query"] == {"a": "1"}
    assert body["headers"]["User-Agent"] == "VoxEngine/1.0"
    assert {"key": "X-Reply", "value": "yes"} in result["headers"]
    assert result["raw_headers"].startswith("HTTP/1.1 200 OK\r\n")
    assert "X-Reply: yes\r\n" in result["raw_headers"]


@pytest.mark.parametrize(
    "headers",
    [{"X-Token": "abc", "Content-Type": "application/json"}, ["X-Token: abc", "Content-Type:application/json"]],
    ids=["object-map", "legacy-array"],
)
async def test_post_with_headers_in_both_forms(server: TestServer, net: Net, headers: object) -> None:
    result = await net.request(
        str(server.make_url("/echo")),
        {"method": "post", "postData": '{"a":1}', "headers": headers, "params": {"n": 5.0, "q": "x y"}},
    )
    body = __import__("json").loads(result["text"])
    assert body["method"] == "POST"
    assert body["body"] == '{"a":1}'
    assert body["headers"]["X-Token"] == "abc" and body["headers"]["Content-Type"] == "application/json"
    assert body["query"] == {"n": "5", "q": "x y"}


async def test_post_bytes_and_raw_output(server: TestServer, net: Net) -> None:
    result = await net.request(str(server.make_url("/echo")), {"method": "PUT", "postData": [104, 105, 255], "rawOutput": True})
    assert __import__("json").loads(result["text"])["body"] == "hi\xff"
    assert result["data"] == list(result["text"].encode())
    binary_result = await net.request(str(server.make_url("/binary")), {"rawOutput": True})
    assert binary_result["data"] == [0, 1, 2, 255] and "text" not in binary_result


async def test_http_error_resolves_with_its_code(server: TestServer, net: Net) -> None:
    result = await net.request(str(server.make_url("/missing")))
    assert result["code"] == 404 and result["text"] == "no such thing"


@pytest.mark.looptime
async def test_timeout_is_minus_7_on_the_loop_clock(server: TestServer, net: Net) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await net.request(str(server.make_url("/slow?s=30")), {"timeout": 5})
    assert result["code"] == CODE_TIMEOUT and result["error"] == "Timeout"
    assert loop.time() - start == pytest.approx(5, abs=0.5)
    # the timeout can only be lowered: 500 s means the default 90 s
    start = loop.time()
    result = await net.request(str(server.make_url("/slow?s=100")), {"timeout": 500})
    assert result["code"] == CODE_TIMEOUT
    assert loop.time() - start == pytest.approx(90, abs=0.5)


async def test_response_over_2mb_is_minus_9(server: TestServer, net: Net) -> None:
    assert (await net.request(str(server.make_url("/big"))))["code"] == CODE_TOO_LARGE


async def test_too_many_redirects_is_minus_5(server: TestServer, net: Net) -> None:
    assert (await net.request(str(server.make_url("/loop"))))["code"] == CODE_TOO_MANY_REDIRECTS


async def test_malformed_url_host_not_found_and_connection_error(net: Net) -> None:
    for url in ("not a url", "ftp://example.com/x", "http://"):
        assert (await net.request(url))["code"] == CODE_MALFORMED_URL, url
    assert (await net.request("http://no-such-host.invalid/"))["code"] == CODE_HOST_NOT_FOUND
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await net.request(f"http://127.0.0.1:{port}/")
    assert result["code"] == CODE_CONNECTION_ERROR and result["error"].startswith("Connection error")


def test_parse_options_defaults_and_limits() -> None:
    req = parse_options("http://example.com/a", None)
    assert (req.method, req.timeout, req.connect_timeout, req.body) == ("GET", 90.0, 6.0, None)
    assert req.header("user-agent") == "VoxEngine/1.0"
    req = parse_options("http://example.com/a", {"timeout": 3, "connectionTimeout": 60, "headers": {"User-Agent": "me"}})
    assert (req.timeout, req.connect_timeout, req.header("User-Agent")) == (3.0, 6.0, "me")
    req = parse_options("http://example.com/a", {"headers": [{"key": "X-A", "value": "1"}], "postData": 5.0})
    assert req.header("x-a") == "1" and req.body == b"5"
    with pytest.raises(NetError) as info:
        parse_options("example.com", None)
    assert info.value.code == CODE_MALFORMED_URL


async def test_fake_transport_routes() -> None:
    async def create_user(request: HttpRequest) -> dict:
        return {"id": 7, "name": request.json()["name"]}

    fake = (
        FakeTransport()
        .route("https://api.example.com/users", create_user, method="POST")
        .route("https://api.example.com/users/*", {"id": 1})
        .route(re.compile(r"/down$"), lambda request: NetError(CODE_CONNECTION_ERROR))
        .route("https://api.example.com/teapot", 418)
        .route("https://api.example.com/text", FakeResponse(body="plain", headers={"X-A": "b"}))
    )
    net = Net(fake)
    created = await net.request("https://api.example.com/users", {"method": "POST", "postData": '{"name": "Ann"}'})
    assert (created["code"], __import__("json").loads(created["text"])) == (200, {"id": 7, "name": "Ann"})
    assert (await net.request("https://api.example.com/users/1?x=1"))["text"] == '{"id": 1}'
    assert (await net.request("https://api.example.com/users"))["code"] == CODE_HOST_NOT_FOUND  # GET: no route
    assert (await net.request("https://status.example.com/down"))["code"] == CODE_CONNECTION_ERROR
    assert (await net.request("https://api.example.com/teapot"))["code"] == 418
    text = await net.request("https://api.example.com/text")
    assert text["text"] == "plain" and {"key": "X-A", "value": "b"} in text["headers"]
    assert [r.method for r in fake.requests] == ["POST", "GET", "GET", "GET", "GET", "GET"]


async def test_fake_transport_falls_back(server: TestServer) -> None:
    fake = FakeTransport(fallback=AiohttpTransport()).route("https://api.example.com/*", "faked")
    net = Net(fake)
    assert (await net.request("https://api.example.com/x"))["text"] == "faked"
    assert (await net.request(str(server.make_url("/missing"))))["code"] == 404
    await net.aclose()


@pytest.mark.looptime
async def test_at_most_three_in_flight_and_the_36th_throws() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: HttpRequest) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(1)
        in_flight -= 1
        return "ok"

    net = Net(FakeTransport().route("http://svc/*", handler))
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = [net.request(f"http://svc/{i}") for i in range(35)]
    assert net.outstanding == 35
    with pytest.raises(NetLimitError, match=re.escape(LIMIT_MESSAGE)):
        net.request("http://svc/36")
    results = await asyncio.gather(*tasks)
    assert all(r["code"] == 200 for r in results)
    assert peak == 3
    assert loop.time() - start == pytest.approx(12, abs=0.1)  # 35 requests, 3 at a time, 1 s each
    assert net.outstanding == 0
    net.request("http://svc/again")  # room again
    await net.aclose()


async def test_on_result_hook_sees_every_request() -> None:
    seen: list[tuple[str, int]] = []
    net = Net(FakeTransport().route("http://svc/*", 201), on_result=lambda req, res: seen.append((req.url, res["code"])))
    await net.request("http://svc/a")
    await net.request("bad url")
    assert seen == [("http://svc/a", 201), ("bad url", CODE_MALFORMED_URL)]


_names = st.from_regex(r"X-[A-Za-z0-9-]{1,12}", fullmatch=True)
_values = st.from_regex(r"[A-Za-z0-9 ._/=-]{0,20}", fullmatch=True).map(str.strip)


@given(st.dictionaries(_names, _values, max_size=6))
def test_header_forms_agree(headers: dict[str, str]) -> None:
    as_map = parse_options("http://example.com/", {"headers": headers}).headers
    as_lines = parse_options("http://example.com/", {"headers": [f"{k}: {v}" for k, v in headers.items()]}).headers
    as_pairs = parse_options("http://example.com/", {"headers": [{"key": k, "value": v} for k, v in headers.items()]}).headers
    assert as_map == as_lines == as_pairs
    assert as_map[:-1] == list(headers.items()) and as_map[-1] == ("User-Agent", "VoxEngine/1.0")


async def test_routes_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fake_services_for_test.py").write_text(
        "def echo(request):\n    return request.method + ' ' + request.url\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    routes = tmp_path / "routes.yaml"
    routes.write_text("""
- url: https://crm.example.com/customers/*
  json: {name: Ann}
- regex: "/orders$"
  method: POST
  status: 201
  body: created
  headers: {X-Order: "7"}
- url: https://slow.example.com/*
  error: -7
- url: https://echo.example.com/*
  handler: fake_services_for_test:echo
""")
    net = Net(FakeTransport.from_file(routes))
    customer = await net.request("https://crm.example.com/customers/1")
    assert customer["code"] == 200 and __import__("json").loads(customer["text"]) == {"name": "Ann"}
    order = await net.request("https://shop.example.com/orders", {"method": "POST"})
    assert (order["code"], order["text"]) == (201, "created") and {"key": "X-Order", "value": "7"} in order["headers"]
    assert (await net.request("https://shop.example.com/orders"))["code"] == CODE_HOST_NOT_FOUND  # GET: no route
    assert (await net.request("https://slow.example.com/x"))["code"] == CODE_TIMEOUT
    assert (await net.request("https://echo.example.com/a?b=1"))["text"] == "GET https://echo.example.com/a?b=1"


@pytest.mark.parametrize(
    ("routes", "message"),
    [([{"json": {}}], "exactly one of 'url'"), ([{"url": "x", "colour": 1}], "unknown field"), (["x"], "expected a mapping"),
     ([{"url": "x", "handler": "nosuchmodule:f"}], "cannot load handler")],
)
def test_bad_routes(routes: list, message: str) -> None:
    with pytest.raises(FakeRouteError, match=message):
        FakeTransport.from_routes(routes)


@pytest.mark.looptime
async def test_virtual_time_waits_for_a_server_outside_the_loop() -> None:
    import http.server
    import threading
    import time

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(0.3)  # a real server taking real time
            body = b"late but here"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client that gave up (the no-hold case) leaves a broken pipe behind

    server = Server(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    loop = asyncio.get_running_loop()
    fired: list[float] = []
    loop.call_later(60, lambda: fired.append(loop.time()))  # a session timer that must not overtake the request
    net = Net(AiohttpTransport())
    try:
        start = loop.time()
        result = await net.request(f"http://127.0.0.1:{server.server_address[1]}/")
        assert (result["code"], result["text"]) == (200, "late but here")
        assert loop.time() - start < 10 and fired == []  # the clock waited (it moves only in real-time steps)
        without_hold = Net(AiohttpTransport(hold_clock=False))
        result = await without_hold.request(f"http://127.0.0.1:{server.server_address[1]}/", {"timeout": 30})
        assert result["code"] == CODE_TIMEOUT  # virtual time jumped past the real server: what the hold prevents
        await without_hold.aclose()
    finally:
        await net.aclose()
        server.shutdown()
        server.server_close()
