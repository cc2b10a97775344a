"""`voxsim agent`: run the local Cartesia Line agent emulator alone (Calls API on ws://HOST:PORT/agents/stream/ID)."""

from __future__ import annotations

import asyncio

import click

__all__ = ["command"]


@click.command(name="agent")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--agent", "agent_spec", default=None, metavar="FILE|MODULE:ATTR",
              help="Scripted agent (.yaml/.json) or a Python brain factory; default: the built-in script.")
@click.option("--line", "line_app", default=None, metavar="MODULE:APP",
              help="Drive your own cartesia-line VoiceAgentApp (needs the 'line' extra).")
@click.option("--api-key", default=None, help="Accept only this API key (default: accept any credentials).")
@click.option("--agent-id", "agent_ids", multiple=True, help="Accept only these agent ids (repeatable).")
@click.option("--idle-timeout", default=180.0, show_default=True, type=float, help="Seconds without client frames.")
@click.option("--delivery", type=click.Choice(["speaking_pace", "as_available"]), default="speaking_pace",
              show_default=True, help="How media_output is sent.")
def command(host: str, port: int, agent_spec: str | None, line_app: str | None, api_key: str | None,
            agent_ids: tuple[str, ...], idle_timeout: float, delivery: str) -> None:
    """Run the local Cartesia Line agent emulator until interrupted."""
    from voxsim.tools.agent import AgentEmulator, EmulatorConfig, ScriptError, StreamConfig, load_brain_factory

    try:
        if line_app is not None:
            from voxsim.tools.agent.line_driver import line_brain_factory

            factory = line_brain_factory(line_app)
        else:
            factory = load_brain_factory(agent_spec)
    except (ScriptError, ImportError) as exc:
        raise click.UsageError(str(exc)) from None
    config = EmulatorConfig(
        api_key=api_key,
        agents=frozenset(agent_ids) or None,
        stream=StreamConfig(idle_timeout=idle_timeout, output_delivery=delivery),
    )

    async def serve() -> None:
        emulator = AgentEmulator(config, default_brain=factory)
        base = await emulator.start(host, port)
        click.echo(f"Cartesia agent emulator on {base}  (WebSocket {base.replace('http', 'ws', 1)}/agents/stream/<agent_id>)")
        try:
            await asyncio.Event().wait()
        finally:
            await emulator.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
