"""`voxsim bench engine [--json]`: the JS engine against the same algorithm written in plain CPython, same run.

Cases: fib(25), a tight numeric loop, string building with `+=` (100k appends), object and array churn, a JSON round
trip of a ~1 MB document, 100k awaited promises, a regex-heavy loop. Each JS case is compiled once and its run timed
(CPU time, best of ``--repeat``, interleaved with the Python version); ratio = voxsim time / CPython time.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any, Callable

import click

__all__ = ["command", "CASES", "run_benchmarks"]


def _py_fib() -> Any:
    def fib(n: int) -> int:
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    return fib(25)


def _py_loop() -> Any:
    s = 0
    for i in range(1_000_000):
        s += i % 7
    return s


def _py_strings() -> Any:
    s = ""
    for i in range(100_000):
        s += "x" + str(i)
    return len(s)


def _py_objects() -> Any:
    total = 0
    for i in range(100_000):
        o: dict[str, Any] = {"id": i, "name": "n" + str(i), "tags": [i, i + 1]}
        arr = [o["id"], o["tags"][1]]
        total += arr[0] + arr[1] + len(o["name"])
    return total


_DOC = None


def _document() -> Any:
    return [{"id": i, "name": f"item {i}", "price": i * 1.25, "tags": ["a", "b", "c"], "active": i % 2 == 0,
             "nested": {"x": i, "y": [1, 2, 3]}} for i in range(7_000)]


def _py_json() -> Any:
    text = json.dumps(_document())
    return len(json.dumps(json.loads(text)))


def _py_awaits() -> Any:
    async def main() -> int:
        s = 0
        for i in range(100_000):
            s += await _identity(i)
        return s
    return asyncio.run(main())


async def _identity(v: int) -> int:
    return v


def _py_regex() -> Any:
    pat = re.compile(r"(\d+)-(\w+)")
    count = 0
    for i in range(20_000):
        m = pat.search(f"id {i}-abc{i} end")
        if m:
            count += len(m.group(2))
    return count


JS_JSON_SETUP = """
var doc = [];
for (var i = 0; i < 7000; i++) doc.push({id: i, name: 'item ' + i, price: i * 1.25, tags: ['a', 'b', 'c'],
  active: i % 2 === 0, nested: {x: i, y: [1, 2, 3]}});
"""

CASES: list[tuple[str, str, Callable[[], Any]]] = [
    ("fib(25)", "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); } fib(25);", _py_fib),
    ("numeric loop 1e6", "(function () { var s = 0; for (var i = 0; i < 1000000; i++) { s += i % 7; } return s; })();",
     _py_loop),
    ("string += 100k", "(function () { var s = ''; for (var i = 0; i < 100000; i++) { s += 'x' + i; } "
                       "return s.length; })();", _py_strings),
    ("object/array churn 100k", "(function () { var total = 0; for (var i = 0; i < 100000; i++) { "
                                "var o = {id: i, name: 'n' + i, tags: [i, i + 1]}; var arr = [o.id, o.tags[1]]; "
                                "total += arr[0] + arr[1] + o.name.length; } return total; })();", _py_objects),
    ("JSON round trip ~1 MB", JS_JSON_SETUP + "JSON.stringify(JSON.parse(JSON.stringify(doc))).length;", _py_json),
    ("100k awaits", "var done; (async function () { var s = 0; for (var i = 0; i < 100000; i++) { s += await i; } "
                    "done = s; })();", _py_awaits),
    ("regex loop 20k", "(function () { var re = /(\\d+)-(\\w+)/; var count = 0; for (var i = 0; i < 20000; i++) { "
                       "var m = re.exec('id ' + i + '-abc' + i + ' end'); if (m) count += m[2].length; } "
                       "return count; })();", _py_regex),
]


def _time(fn: Callable[[], Any]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def run_benchmarks(repeat: int = 3, only: str | None = None) -> list[dict[str, Any]]:
    from voxsim.engine.budget import Budget
    from voxsim.engine.realm import Realm

    results = []
    for name, js, py in CASES:
        if only and only not in name:
            continue
        best_js = best_py = float("inf")
        error = None
        for _ in range(repeat):
            realm = Realm(Budget(max_steps=10 ** 10))
            try:
                script = realm.compile_script(js, "bench.js")
                best_js = min(best_js, _time(lambda: realm.run_task(script.run)))
            except Exception as exc:  # a case the engine cannot run yet is reported, not fatal
                error = f"{type(exc).__name__}: {exc}"
                break
            best_py = min(best_py, _time(py))
        row: dict[str, Any] = {"name": name, "unit": "s", "peer": "cpython"}
        if error:
            row["error"] = error
        else:
            row.update(voxsim=round(best_js, 5), peer_time=round(best_py, 5), ratio=round(best_js / best_py, 2))
        results.append(row)
    return results


@click.command(name="engine")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--repeat", default=3, show_default=True, help="Repetitions (the best CPU time is kept).")
@click.option("--only", default=None, help="Only cases whose name contains this text.")
def command(as_json: bool, repeat: int, only: str | None) -> None:
    """JS engine speed against plain CPython (ratio = voxsim time / CPython time)."""
    results = run_benchmarks(repeat, only)
    if as_json:
        click.echo(json.dumps({"benchmarks": results}))
        return
    for r in results:
        if "error" in r:
            click.echo(f"{r['name']:26} cannot run: {r['error']}")
            continue
        click.echo(f"{r['name']:26} voxsim {r['voxsim'] * 1000:9.1f} ms   cpython {r['peer_time'] * 1000:8.1f} ms"
                   f"   ratio {r['ratio']:6.1f}")
