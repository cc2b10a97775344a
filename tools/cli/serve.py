"""`voxsim serve`: a browser softphone on 127.0.0.1 that places inbound calls into a scenario over WebRTC.

Each call from the page is its own session on real time (docs/softphone.md). Exit status: 0 after Ctrl-C,
2 a SyntaxError or bad usage (a port in use), 70 voxsim itself failed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from . import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from .run import media_flags, media_options

__all__ = ["command"]


@click.command(name="serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--agent", "agent_spec", metavar="FILE|MODULE:ATTR",
              help="The local emulator's agent (default: agents/<scenario>.yaml, else the built-in script).")
@click.option("--cartesia", "cartesia_mode", type=click.Choice(["local", "live"]), default="local", show_default=True,
              help="Cartesia agents: the local emulator, or the real service (wss://api.cartesia.ai).")
@click.option("--call", "caller", default="+15551234567", show_default=True, metavar="NUMBER",
              help="The page's default caller number.")
@click.option("--to", "destination", default="+18005550100", show_default=True, metavar="DEST",
              help="The page's default destination.")
@click.option("--custom-data", default="", metavar="STRING", help="VoxEngine.customData() of every call's session.")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=3600.0, show_default=True,
              help="End a call's session after this many seconds.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep recordings and timeline pictures here (default: a temporary folder).")
@media_flags
def command(scenarios: tuple[Path, ...], port: int, agent_spec: str | None, cartesia_mode: str, caller: str,
            destination: str, custom_data: str, max_seconds: float, work_dir: Path | None,
            media_map: Path | None = None, media_dir: Path | None = None, strict_media: bool = False) -> None:
    """Serve a browser softphone that calls SCENARIO files (one session per call, real time)."""
    from voxsim.engine.errors import HostJSError, JSSyntaxError
    from voxsim.runtime.clock import run
    from voxsim.runtime.voxengine import check_custom_data
    from voxsim.tools.softphone import SoftphoneConfig, serve

    try:
        check_custom_data(custom_data)
    except HostJSError as exc:
        raise click.BadParameter(exc.message, param_hint="--custom-data") from None
    cartesia = {k: v for k, v in (("mode", cartesia_mode), ("agent", agent_spec)) if v}
    config = SoftphoneConfig(scenarios=tuple(p.resolve() for p in scenarios), port=port, callerid=caller,
                             destination=destination, custom_data=custom_data, max_seconds=max_seconds,
                             work_dir=work_dir,
                             settings={"cartesia": cartesia, **media_options(media_map, media_dir, strict_media)})

    handler = logging.StreamHandler()  # one line per call start and end
    handler.setFormatter(logging.Formatter("voxsim softphone: %(message)s"))
    calls_log = logging.getLogger("voxsim.softphone")
    calls_log.addHandler(handler)
    calls_log.setLevel(logging.INFO)

    async def main() -> int:
        from voxsim.runtime.session import Session

        probe = Session()  # compile every file once, so a SyntaxError shows now rather than at the first call
        try:
            for path in config.scenarios:
                probe.load_file(path)
        except JSSyntaxError as exc:
            click.echo(str(exc), err=True)
            return EXIT_USAGE
        finally:
            probe.close()
        started: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        server = asyncio.ensure_future(serve(config, started))
        done, _ = await asyncio.wait({server, started}, return_when=asyncio.FIRST_COMPLETED)
        if server in done:
            server.result()  # raises why it stopped (e.g. the port is in use)
        click.echo(f"voxsim softphone: open {started.result()}  ({', '.join(p.name for p in config.scenarios)}; "
                   "Ctrl-C to stop)")
        try:
            await server
        finally:
            server.cancel()
        return EXIT_OK

    try:
        status = run(main(), virtual=False)
    except KeyboardInterrupt:
        status = EXIT_OK
    except OSError as exc:  # the port is taken, or not ours to bind
        click.echo(f"voxsim serve: {exc}", err=True)
        status = EXIT_USAGE
    except Exception as exc:  # voxsim's own failure: a short report
        from .run import _bug_report

        _bug_report(exc)
        status = EXIT_INTERNAL
    sys.exit(status)
