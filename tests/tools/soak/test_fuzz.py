"""voxsim soak fuzz: a small sample of the fuzz run in the normal suite, and the harness catches what it should."""

from __future__ import annotations

import json
import random
import time

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxsim.engine.parser import parse_script
from voxsim.tools.cli import main
from voxsim.tools.soak import fuzz as fuzz_mod
from voxsim.tools.soak.fuzz import check_source, generate_program, mutate, run_fuzz


def test_sample_run_has_no_failures() -> None:
    result = run_fuzz(80, seed=7)
    assert result.cases == 80
    assert [f.as_dict() for f in result.failures] == []
    # The mix reaches every stage: syntax errors, JS throws and clean runs.
    assert {"syntax", "throw", "ok"} <= set(result.stages)


def test_generated_programs_mostly_parse() -> None:
    ok = 0
    for i in range(100):
        try:
            parse_script(generate_program(random.Random(i)))
            ok += 1
        except Exception:  # noqa: BLE001
            pass
    assert ok >= 90


def test_cases_are_reproducible_from_the_seed() -> None:
    a = [src for _, src in fuzz_mod._cases(3, 20, fuzz_mod.bundled_sources())]
    b = [src for _, src in fuzz_mod._cases(3, 20, fuzz_mod.bundled_sources())]
    assert a == b


def test_an_unexpected_exception_is_a_failure(monkeypatch) -> None:
    real = fuzz_mod.check_source

    def broken(src, realm=None, run=True):
        if "function" in src:
            raise IndexError("boom")
        return real(src, realm, run)

    monkeypatch.setattr(fuzz_mod, "check_source", broken)
    result = run_fuzz(12, seed=1)
    assert result.failures and all(f.error == "IndexError: boom" for f in result.failures)
    assert "IndexError" in result.failures[0].trace


def test_a_hang_is_a_failure(monkeypatch) -> None:
    def hang(src, realm=None, run=True):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(fuzz_mod, "check_source", hang)
    result = run_fuzz(1, seed=1, case_timeout_s=0.2)
    assert result.failures[0].stage == "hang"


def test_budget_ends_an_endless_loop() -> None:
    assert check_source("while (true) {}") == "budget"
    assert check_source("function r() { return r() } r()") == "throw"  # RangeError: call stack
    assert check_source("let s = 'x'; for (;;) s += s;") == "throw"  # RangeError: string length


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.integers(0, 8))
def test_mutated_programs_end_in_a_documented_outcome(seed: int, edits: int) -> None:
    rng = random.Random(seed)
    src = mutate(rng, generate_program(rng), edits)
    assert check_source(src) in {"syntax", "throw", "budget", "ok"}


def test_cli_json_shape() -> None:
    res = CliRunner().invoke(main, ["soak", "fuzz", "--cases", "15", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["cases"] == 15 and data["failures"] == 0 and data["examples"] == []


def test_cli_exit_1_on_failure(monkeypatch) -> None:
    monkeypatch.setattr(fuzz_mod, "check_source", lambda *a, **k: (_ for _ in ()).throw(KeyError("k")))
    res = CliRunner().invoke(main, ["soak", "fuzz", "--cases", "2", "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["failures"] == 2 and data["examples"][0]["error"].startswith("KeyError")


def test_found_by_fuzz_infinity_modulo_is_nan() -> None:
    # seed 5 case 8917: the fast `%` path called math.fmod(inf, 0.5), a Python ValueError
    assert check_source("var i = Infinity; y = i % 0.5; if (y === y) throw 1;") == "ok"


def test_generator_reaches_the_language_families() -> None:
    text = "\n".join(generate_program(random.Random(i)) for i in range(300))
    for family in ["yield*", "async function*", "for await", "continue outer", "break outer", "get p()", "set p(v)",
                   "new Proxy", "Reflect.defineProperty", "String.raw`", "tag`", ".matchAll(", "static {", "with (",
                   "eval(", "(0, eval)("]:
        assert family in text, family
