"""Scenario-level (JavaScript) tests of the runtime services on virtual time: storage ttl, Net with a fake service,
the HttpRequest control flow, helpers, getSecretValue."""

from __future__ import annotations

import json

import aiohttp
import pytest

from voxsim.runtime.net import HttpRequest
from voxsim.runtime.net_fake import FakeTransport
from voxsim.runtime.session import Session, SessionOptions, run_scenario

from voxsim.engine.script import compile_script  # noqa: F401 - the compiler is what these tests need


def logs(session: Session) -> list[tuple[float, str]]:
    return [(round(r.t, 3), r["text"]) for r in session.trace.find("log")]


def test_storage_put_get_and_ttl_on_virtual_time() -> None:
    session = run_scenario("""
        require(Modules.ApplicationStorage);
        VoxEngine.addEventListener(AppEvents.Started, async function () {
          const put = await ApplicationStorage.put('greeting', 'hello', 30);
          Logger.write('put ' + put.key + ' ' + put.expireAt);
          Logger.write('get ' + (await ApplicationStorage.get('greeting')).value);
          Logger.write('keys ' + JSON.stringify((await ApplicationStorage.keys()).keys));
          setTimeout(async function () {
            Logger.write('later ' + (await ApplicationStorage.get('greeting')));
            try { await ApplicationStorage.put('k', 'x'.repeat(2001), 1); } catch (e) { Logger.write('rejected ' + (e instanceof Error)); }
            VoxEngine.terminate();
          }, 31000);
        });
    """, options=SessionOptions(epoch=1_700_000_000.0))
    assert logs(session) == [(0.0, "put greeting 1700000030"), (0.0, "get hello"), (0.0, 'keys ["greeting"]'),
                             (31.0, "later null"), (31.0, "rejected true")]
    assert session.errors == []


def test_net_against_a_fake_service() -> None:
    async def create(request: HttpRequest) -> dict:
        return {"id": 7, "name": request.json()["name"], "auth": request.header("Authorization")}

    fake = FakeTransport().route("https://crm.example.com/users", create, method="POST")
    session = run_scenario("""
        VoxEngine.addEventListener(AppEvents.Started, async function () {
          const opts = new Net.HttpRequestOptions();
          opts.method = 'POST';
          opts.headers = ['Authorization: Bearer t', 'Content-Type: application/json'];
          opts.postData = JSON.stringify({name: 'Ann'});
          const res = await Net.httpRequestAsync('https://crm.example.com/users', opts);
          Logger.write(res.code + ' ' + JSON.parse(res.text).name + ' ' + JSON.parse(res.text).auth);
          Net.httpRequest('https://crm.example.com/missing', function (r) {
            Logger.write('callback ' + r.code + ' ' + r.error);
            VoxEngine.terminate();
          });
        });
    """, options=SessionOptions(settings={"net_transport": fake}))
    assert logs(session) == [(0.0, "200 Ann Bearer t"), (0.0, "callback -3 Host not found (no fake route for https://crm.example.com/missing)")]


def test_helpers_and_secrets() -> None:
    session = run_scenario("""
        Logger.write(base64_encode('hi') + ' ' + bytes2str(base64_decode('aGk=')) + ' ' + bytes2hex(str2bytes('A')));
        Logger.write(levenshtein_distance('kitten', 'sitting') + ' ' + typeof uuidgen() + ' ' + uuidgen().length);
        Logger.write(VoxEngine.getSecretValue('API_KEY') + ' ' + VoxEngine.getSecretValue('NOPE'));
        VoxEngine.terminate();
    """, options=SessionOptions(secrets={"API_KEY": "sk-1"}))
    assert [text for _, text in logs(session)] == ["aGk= hi 41", "3 string 36", "sk-1 undefined"]
    assert session.errors == []


def test_get_local_time() -> None:
    session = run_scenario("""
        Logger.write(getLocalTime('Europe/Moscow', new Date(Date.UTC(2026, 0, 15, 12))).getUTCHours());
        Logger.write(getLocalTime('America/New_York', new Date(Date.UTC(2026, 6, 1, 12))).getUTCHours());
        VoxEngine.terminate();
    """)
    assert [text for _, text in logs(session)] == ["15", "8"]


def test_http_request_flow_post_json_to_the_handler() -> None:
    from voxsim.runtime.clock import run

    async def main() -> tuple[Session, list[tuple[int, str]]]:
        session = Session(SessionOptions())
        session.load("""
            let url;
            VoxEngine.addEventListener(AppEvents.Started, function (e) { url = e.accessSecureURL; });
            require(Modules.ApplicationStorage);
            VoxEngine.addEventListener(AppEvents.HttpRequest, async function (e) {
              const cmd = JSON.parse(e.content);
              Logger.write(e.method + ' ' + cmd.action + ' ' + (url.indexOf('https://') === 0));
              await ApplicationStorage.put('last_action', cmd.action, 0);
              if (cmd.action === 'end_call') setTimeout(function () { VoxEngine.terminate(); }, 1000);
              return {ok: true, action: (await ApplicationStorage.get('last_action')).value};
            });
        """)
        await session.start()
        ssl = session.extensions["http"].server.client_ssl_context()
        answers = []
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl)) as client:
            for action in ("call_transfer", "end_call"):
                async with client.post(session.access_secure_url, json={"action": action}) as resp:
                    answers.append((resp.status, await resp.text()))
        await session.wait(max_seconds=60)
        session.close()
        return session, answers

    session, answers = run(main(), virtual=True)
    assert [(s, json.loads(t)) for s, t in answers] == [(200, {"ok": True, "action": "call_transfer"}),
                                                       (200, {"ok": True, "action": "end_call"})]
    assert [text for _, text in logs(session)] == ["POST call_transfer true", "POST end_call true"]


def test_voxsim_run_http_fake(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from voxsim.tools.cli import main

    routes = tmp_path / "routes.yaml"
    routes.write_text("- url: https://crm.example.com/*\n  json: {name: Ann}\n")
    scenario = tmp_path / "net.js"
    scenario.write_text("""
        VoxEngine.addEventListener(AppEvents.Started, async function () {
          const r = await Net.httpRequestAsync('https://crm.example.com/customer/1');
          Logger.write('crm ' + r.code + ' ' + JSON.parse(r.text).name);
          VoxEngine.terminate();
        });
    """)
    result = CliRunner().invoke(main, ["run", str(scenario), "--http-fake", str(routes)])
    assert result.exit_code == 0, result.output
    assert "crm 200 Ann" in result.output
    routes.write_text("- colour: red\n")
    result = CliRunner().invoke(main, ["run", str(scenario), "--http-fake", str(routes)])
    assert result.exit_code == 2 and "unknown field" in result.output
