"""`voxsim run`: run scenario files in one simulated session and stream its log.

Exit status: 0 the session ended without an uncaught JS error, 1 a handler threw, 2 a SyntaxError or bad usage,
70 voxsim itself failed (a short bug-report message, not a traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from . import EXIT_INTERNAL, EXIT_OK, EXIT_SCENARIO_ERROR, EXIT_USAGE

__all__ = ["command", "run_scenarios", "format_record", "style_for", "caller_script", "parse_dtmf", "media_options",
           "media_flags"]


def parse_dtmf(spec: str) -> tuple[float, str]:
    """``--dtmf 12#@3.5`` → ``(3.5, "12#")``; a bad spec is a usage error (exit 2)."""
    import re

    match = re.fullmatch(r"([0-9*#A-Da-d]+)@(\d+(?:\.\d*)?)", spec.strip())
    if match is None:
        raise click.BadParameter(f"expected DIGITS@SECONDS like 12#@3.5, got {spec!r}", param_hint="--dtmf")
    return float(match.group(2)), match.group(1).upper()


def caller_script(says: tuple[str, ...], dtmf_specs: tuple[str, ...], path: Path | None,
                  hangup_after_silence: float, default: bool = True) -> Any:
    """The inbound caller's script from --caller-script, or from --say lines (each when the agent's turn ends);
    without either, a caller that listens and hangs up on silence (``default``), else None."""
    from dataclasses import replace

    from voxsim.runtime.callers import CallerScript, CallerScriptError, Step, load_script

    if path is not None and says:
        raise click.UsageError("give the caller's lines with --say or with --caller-script, not both")
    stay = max((parse_dtmf(spec)[0] + 1.0 for spec in dtmf_specs), default=0.0)
    if path is not None:
        try:
            script = load_script(path)
        except CallerScriptError as exc:
            raise click.BadParameter(str(exc), param_hint="--caller-script") from None
        return replace(script, stay_at_least=stay)
    if not says and not default:
        return None
    steps: list[Step] = []
    for text in says:
        if not text.strip():
            raise click.BadParameter("empty caller line", param_hint="--say")
        steps += [Step("wait", until="agent.silent"), Step("say", text=text)]
    return CallerScript(tuple(steps), hangup_after_silence=hangup_after_silence, source="--say",
                        stay_at_least=stay)


def format_record(record: Any) -> str | None:
    """One readable terminal line for a trace record (``None`` for records not worth a line)."""
    t = f"[{record.t:9.3f}]"
    kind = record.type
    if kind == "log":
        return f"{t} {record['text']}"
    if kind == "event":
        data = record.get("data") or {}
        detail = ""
        for key in ("code", "internalCode", "reason", "duration", "newState", "tone", "callerid"):
            if key in data:
                detail += f" {key}={data[key]}"
        return f"{t} {record['name']} ({record['target']}){detail}"
    if kind == "warning":
        where = record.get("where")
        return f"{t} warning: {record['message']}" + (f" ({where})" if where else "")
    if kind == "error":
        stack = record.get("stack")
        frames = "".join(f"\n{' ' * 16}{line.strip()}" for line in stack.splitlines()) if stack else ""
        return f"{t} error: {record['message']}{frames}"
    if kind == "media" and record.get("action") == "start" and record.get("text"):  # who says what to whom
        to = f" -> {record['target']}" if record.get("target") else ""
        return f"{t} {record.get('source')}{to} says: {record['text']}"
    if kind == "media" and record.get("reason") == "clear":
        return f"{t} {record.get('source')} cut off (barge-in: Clear)"
    if kind == "http":
        line = f"{t} http {record.get('direction')} {record.get('method', '')} {record.get('url', record.get('path', ''))}"
        return line + (f" -> {record.get('status')}" if record.get("phase") == "response" else "")
    return None


def style_for(record: Any) -> dict[str, Any]:
    """click.style arguments for a record's line (click drops them when stdout is not a terminal)."""
    kind = record.type
    if kind == "error":
        return {"fg": "red", "bold": True}
    if kind == "warning":
        return {"fg": "magenta"}
    if kind == "media":
        if record.get("reason") == "clear":
            return {"fg": "red"}
        return {"fg": "green"} if str(record.get("source", "")).startswith("call") else {"fg": "cyan"}
    if kind == "event":
        return {"fg": "yellow"} if "Cartesia" in str(record.get("name")) else {}
    if kind == "http":
        return {"fg": "blue"}
    return {}


async def run_scenarios(
    files: list[Path],
    *,
    caller: str | None,
    destination: str | None,
    custom_data: str,
    network_file: Path | None,
    max_seconds: float | None,
    trace_path: Path | None,
    storage_path: Path | None,
    secrets_path: Path | None,
    echo: bool = True,
    as_json: bool = False,
    cartesia: dict[str, Any] | None = None,
    http_fake: Path | None = None,
    caller_script: Any = None,
    dtmf: tuple[tuple[float, str], ...] = (),
    record_dir: Path | None = None,
    listeners: tuple[Any, ...] = (),
    media: dict[str, Any] | None = None,
) -> int:
    """Run the files in one session (in order, one realm) and return the exit status.

    ``caller_script`` (a ``runtime.callers.CallerScript``) is what the inbound caller does; ``listeners`` get every
    trace record as it is made (``voxsim demo`` prints the conversation with one); ``media`` are the media-map
    settings (``media_options``)."""
    from voxsim.engine.errors import JSSyntaxError
    from voxsim.runtime.network import Network
    from voxsim.runtime.session import Session, SessionOptions

    network = Network.from_file(network_file) if network_file else Network()
    inbound = None
    if caller_script is not None:
        for number, spec in caller_script.callees.items():
            network.add(number, spec)
        caller = caller if caller is not None else caller_script.caller
        destination = destination if destination is not None else caller_script.to
    if caller is not None or destination is not None or caller_script is not None:
        changes: dict[str, Any] = {}
        if caller is not None:
            changes["callerid"] = caller
        if destination is not None:
            changes["destination"] = destination
        if dtmf:
            changes["dtmf"] = network.caller.dtmf + dtmf
        if caller_script is not None:
            changes["extra"] = {**network.caller.extra, "script": caller_script}
        network = network.with_caller(**changes)
        inbound = network.caller
    settings: dict[str, Any] = {"cartesia": cartesia or {}, **(media or {})}
    if record_dir is not None:
        settings["recordings_dir"] = str(record_dir)
    if http_fake is not None:  # Net requests answered from a routes file (docs/runtime-services.md)
        from voxsim.runtime.net_fake import FakeTransport

        settings["net_transport"] = FakeTransport.from_file(http_fake)
    # Built in pieces (a loop turn after the realm, each installer and each compile) on real time, where other
    # sessions' media may share the loop; on virtual time this is the same session as Session(...) + load().
    session = await Session.create(SessionOptions(network=network, custom_data=custom_data, trace_path=trace_path,
                                                  storage_path=storage_path, secrets_path=secrets_path,
                                                  settings=settings))
    if echo:
        closed: list[bool] = []

        def show(record: Any) -> None:
            line = record.to_json() if as_json else format_record(record)
            if line is not None and not closed:
                # A JS string may hold a lone surrogate (no UTF-8 form): print it as its escape, as the trace does.
                line = line.encode("utf-8", "backslashreplace").decode("utf-8")
                try:
                    style = {} if as_json else style_for(record)
                    click.echo(click.style(line, **style) if style else line,
                               err=not as_json and record.type in ("error", "warning"))
                except BrokenPipeError:  # the reader went away (`| head`): stop printing, let the run finish
                    closed.append(True)
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

        session.trace.add_listener(show)
    for listener in listeners:
        session.trace.add_listener(listener)
    try:
        for path in files:
            try:
                await session.load_async(Path(path).read_text(encoding="utf-8"), filename=str(path))
            except JSSyntaxError as exc:
                click.echo(str(exc), err=True)
                return EXIT_USAGE
            except (OSError, UnicodeDecodeError) as exc:
                click.echo(f"voxsim run: cannot read {path}: {exc}", err=True)
                return EXIT_USAGE
        await session.start(inbound=inbound)
        await session.wait(max_seconds=max_seconds)
    finally:
        session.close()
    if session.internal_errors:
        _bug_report(session.internal_errors[0])
        return EXIT_INTERNAL
    return EXIT_SCENARIO_ERROR if session.errors else EXIT_OK


def media_options(media_map: Path | None, media_dir: Path | None, strict: bool) -> dict[str, Any]:
    """Session settings for ``--media-map/--media-dir/--strict-media`` (docs/media.md); a bad map is a usage error."""
    from voxsim.runtime.media.media_map import MediaMap, MediaMapError

    settings: dict[str, Any] = {}
    if media_dir is not None:
        settings["media_dir"] = str(media_dir.resolve())
    if strict:
        settings["strict_media"] = True
    if media_map is not None:
        try:
            MediaMap.load(media_map)  # checked now; each session reads it again (plain strings cross processes)
        except MediaMapError as exc:
            raise click.BadParameter(str(exc), param_hint="--media-map") from None
        settings["media_map"] = str(media_map.resolve())
    return settings


def media_flags(fn: Any) -> Any:
    """The ``--media-map``, ``--media-dir`` and ``--strict-media`` options (run, call, serve, load share them)."""
    fn = click.option("--strict-media", is_flag=True,
                      help="An unmapped remote media URL fails with Player.Error instead of a stand-in.")(fn)
    fn = click.option("--media-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                      help="Play a remote media URL from the file of the same name here (and relative paths).")(fn)
    return click.option("--media-map", "media_map", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="YAML/JSON map of media URL or glob → local file, tone:<spec> or silence:<s>.")(fn)


def _bug_report(exc: BaseException) -> None:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    click.echo(f"voxsim: internal error: {type(exc).__name__}: {exc}{where}", err=True)
    click.echo("This is a bug in voxsim, not in your scenario; please report it with the scenario and this message.",
               err=True)


@click.command(name="run", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--call", "caller", metavar="NUMBER", help="Place an inbound call from NUMBER (CallAlerting).")
@click.option("--to", "destination", metavar="DEST", help="The number the inbound caller dialled.")
@click.option("--custom-data", default="", metavar="STRING", help="VoxEngine.customData() (≤ 200 bytes).")
@click.option("--network", "network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML/JSON network description (callees, default, caller).")
@click.option("--virtual-time/--real-time", default=True, help="Virtual time (default) or real time.")
@click.option("--max-seconds", type=click.FloatRange(min=0), default=3600.0, show_default=True,
              help="Terminate the session after this much session time.")
@click.option("--trace", "trace_path", type=click.Path(dir_okay=False, path_type=Path), help="Write a JSONL trace.")
@click.option("--storage", "storage_path", type=click.Path(dir_okay=False, path_type=Path),
              help="ApplicationStorage sqlite file (kept across runs).")
@click.option("--secrets", "secrets_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Secrets for VoxEngine.getSecretValue (JSON, YAML or NAME=value lines).")
@click.option("--cartesia", "cartesia_mode", type=click.Choice(["emulator", "local", "live"]), default="emulator",
              show_default=True,
              help="Cartesia agents: the local emulator ('local' is an alias), or the real service (wss://api.cartesia.ai).")
@click.option("--agent", "agent_spec", metavar="FILE|MODULE:ATTR",
              help="The local emulator's agent (default: agents/<scenario>.yaml, else the built-in script).")
@click.option("--line", "line_app", metavar="MODULE:APP|URL", help="Drive your own cartesia-line VoiceAgentApp.")
@click.option("--http-fake", "http_fake", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Answer Net requests from a YAML/JSON routes file instead of the network.")
@click.option("--say", "says", multiple=True, metavar="TEXT",
              help="A caller line, said when the agent's turn ends (repeatable, in order). Implies --call.")
@click.option("--dtmf", "dtmf_specs", multiple=True, metavar="DIGITS@SECONDS",
              help="The caller presses DIGITS that many seconds after the call connects (repeatable).")
@click.option("--caller-script", "caller_script_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML caller script: say/play/dtmf/wait/barge_in/hangup steps (README: Caller scripts).")
@click.option("--record", "record_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for call recordings (call.record(), recorders); default ./recordings.")
@click.option("--json", "as_json", is_flag=True,
              help="Print every trace record as a JSON line on stdout (docs/trace.md) instead of readable lines.")
@click.option("--hangup-after-silence", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="After its last line the caller hangs up once the line has been quiet this long.")
@media_flags
def command(scenarios: tuple[Path, ...], caller: str | None, destination: str | None, custom_data: str,
            network_file: Path | None, virtual_time: bool, max_seconds: float, trace_path: Path | None,
            storage_path: Path | None, secrets_path: Path | None, cartesia_mode: str = "emulator",
            agent_spec: str | None = None, line_app: str | None = None, http_fake: Path | None = None,
            says: tuple[str, ...] = (), dtmf_specs: tuple[str, ...] = (), caller_script_path: Path | None = None,
            record_dir: Path | None = None, hangup_after_silence: float = 5.0, as_json: bool = False,
            media_map: Path | None = None, media_dir: Path | None = None, strict_media: bool = False) -> None:
    """Run SCENARIO files (in order, one session) on a simulated phone network.

    With --call (or --say/--dtmf/--caller-script) the session starts with an inbound call; otherwise it starts like
    a StartScenarios run. The caller hangs up once its lines are said and the line has gone quiet.
    """
    from voxsim.engine.errors import HostJSError
    from voxsim.runtime.clock import run
    from voxsim.runtime.network import NetworkError
    from voxsim.runtime.voxengine import check_custom_data

    try:
        check_custom_data(custom_data)
    except HostJSError as exc:
        raise click.BadParameter(exc.message, param_hint="--custom-data") from None
    if http_fake is not None:
        from voxsim.runtime.net_fake import FakeRouteError, FakeTransport

        try:
            FakeTransport.from_file(http_fake)
        except FakeRouteError as exc:
            raise click.BadParameter(str(exc), param_hint="--http-fake") from None
    media = media_options(media_map, media_dir, strict_media)
    # A network file's caller keeps its own behaviour unless the command line scripts it.
    script = caller_script(says, dtmf_specs, caller_script_path, hangup_after_silence,
                           default=network_file is None and (caller is not None or bool(dtmf_specs)))
    dtmf = tuple(parse_dtmf(spec) for spec in dtmf_specs)
    if script is not None and caller is None and script.caller is None and network_file is None:
        caller = "+15551230000"
    try:
        status = run(
            run_scenarios(list(scenarios), caller=caller, destination=destination, custom_data=custom_data,
                          network_file=network_file, max_seconds=max_seconds, trace_path=trace_path,
                          storage_path=storage_path, secrets_path=secrets_path,
                          cartesia={k: v for k, v in (("mode", "local" if cartesia_mode == "emulator" else cartesia_mode), ("agent", agent_spec),
                                                      ("line", line_app)) if v},
                          http_fake=http_fake, caller_script=script, dtmf=dtmf, record_dir=record_dir,
                          as_json=as_json, media=media),
            virtual=virtual_time,
        )
    except NetworkError as exc:
        click.echo(f"voxsim run: {exc}", err=True)
        status = EXIT_USAGE
    except KeyboardInterrupt:
        status = EXIT_SCENARIO_ERROR
    except Exception as exc:  # voxsim's own failure: a short report, not a traceback
        _bug_report(exc)
        status = EXIT_INTERNAL
    sys.exit(status)
