"""`voxsim bench parse [--json]`: parse speed of voxsim's parser against esprima-fork, measured in the same run.

Inputs: the scenarios in `scenarios/` and a generated 2,000-line scenario-style script (classes, async/await,
arrows, templates, destructuring, spread, `?.`, `??`, regex, switch, try/finally, some lines without semicolons).
Each parser gets the same inputs; runs are interleaved and the best CPU time of each is kept. ratio = voxsim time / esprima-fork time.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Any, Callable

import click

__all__ = ["command", "generate_scenario", "run_benchmarks"]

_BLOCK = """\
// section {i}: a call flow with helpers
const CONFIG_{i} = {{ retries: {i} % 3 + 1, greeting: `Hello #{i}`, numbers: [1, 2, 3, ...extra{i}] }};
class Flow{i} extends BaseFlow {{
  #state = "idle";
  static count = 0;
  constructor(call, {{ language = "en", voice }} = {{}}) {{
    super(call);
    this.language = language ?? "en";
    this.voice = voice?.name || VoiceList.Default;
  }}
  get state() {{ return this.#state }}
  async start(e) {{
    const {{ call, headers: {{ "X-Id": id = null }} = {{}} }} = e;
    try {{
      await this.say(`Welcome ${{e.callerid}}, attempt ${{CONFIG_{i}.retries}}`);
      for (const [key, value] of Object.entries(e.headers ?? {{}})) {{
        if (/^x-/i.test(key) && value.length > 0) Logger.write(`header ${{key}}=${{value}}`);
      }}
    }} catch (err) {{
      Logger.write("failed: " + err.message)
    }} finally {{
      Flow{i}.count += 1
    }}
    switch (this.#state) {{
      case "idle": this.#state = "talking"; break;
      case "talking": return;
      default: throw new Error(`bad state ${{this.#state}}`);
    }}
  }}
}}
function handler{i}(e, ...rest) {{
  let total = 0, i = 0
  while (i < rest.length) {{ total += rest[i++] * 2 / 3 - (i % 2 ? 1 : 0); }}
  const pick = rest.filter(x => x > total).map((x, j) => ({{ x, j, sq: x ** 2 }}));
  return pick.length ? pick : null
}}
VoxEngine.addEventListener(AppEvents.CallAlerting, async (e) => {{
  const flow = new Flow{i}(e.call, {{ voice: {{ name: "en-US" }} }});
  e.call.addEventListener(CallEvents.Connected, () => flow.start(e));
  setTimeout(() => {{ e.call.hangup(); }}, 1000 * {i});
}});
"""


def generate_scenario(lines: int = 2000) -> str:
    """A scenario-style script of at least ``lines`` lines, whole sections only (the same text every run)."""
    out: list[str] = []
    i = 0
    while sum(chunk.count("\n") for chunk in out) < lines:
        out.append(_BLOCK.format(i=i))
        i += 1
    return "".join(out)


def _best_pair(ours: Callable[[], Any], peer: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best CPU time of each, runs interleaved (the machine may be shared: CPU time and interleaving keep the
    ratio fair when the load changes during the run)."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for i, fn in enumerate((ours, peer)):
            t0 = time.process_time()
            fn()
            best[i] = min(best[i], time.process_time() - t0)
    return best[0], best[1]


def _inputs() -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    root = resources.files("voxsim.scenarios")
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".js"):
            items.append((entry.name, entry.read_text(encoding="utf-8")))
    return items


def run_benchmarks(repeat: int = 5) -> list[dict[str, Any]]:
    from voxsim.engine.parser import load_tables, parse_script

    try:
        import esprima  # type: ignore[import-untyped]  # esprima-fork (the `bench` extra)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise click.ClickException("esprima-fork is not installed: pip install -e '.[bench]'") from exc

    load_tables()
    results = []
    scenarios = _inputs()
    cases = [("parse-generated-2000-lines", [generate_scenario(2000)], repeat),
             ("parse-scenarios", [text for _, text in scenarios], repeat * 4)]
    for name, texts, rep in cases:
        if not texts:
            continue
        for text in texts:  # warm-up, and a check that both parse
            parse_script(text)
            esprima.parseScript(text)
        ours, peer = _best_pair(lambda: [parse_script(t) for t in texts],
                                lambda: [esprima.parseScript(t) for t in texts], rep)
        lines = sum(t.count("\n") + 1 for t in texts)
        results.append({
            "name": name, "ratio": round(ours / peer, 3), "peer": "esprima-fork", "unit": "s",
            "voxsim": round(ours, 5), "peer_time": round(peer, 5), "lines": lines,
            "lines_per_second": round(lines / ours), "peer_lines_per_second": round(lines / peer),
            "files": len(texts),
        })
    return results


@click.command(name="parse")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--repeat", default=5, show_default=True, help="Repetitions (the best is kept).")
def command(as_json: bool, repeat: int) -> None:
    """Parse speed against esprima-fork (ratio = voxsim time / esprima-fork time)."""
    results = run_benchmarks(repeat)
    if as_json:
        click.echo(json.dumps({"benchmarks": results}))
        return
    for r in results:
        click.echo(f"{r['name']:28} voxsim {r['voxsim'] * 1000:8.1f} ms ({r['lines_per_second']:>7} lines/s)  "
                   f"esprima-fork {r['peer_time'] * 1000:8.1f} ms  ratio {r['ratio']:.2f}")
