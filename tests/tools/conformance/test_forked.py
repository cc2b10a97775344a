"""The forking test262 runner: same outcomes as a fresh realm, runs isolated from each other, hung runs killed."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxsim.tools.conformance.forked import CAN_FORK, execute_forked
from voxsim.tools.conformance.test262_exec import execute
from voxsim.tools.conformance.test262_suite import Test262Case, runs_for

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="os.fork is not available on this platform")

ASSERT_JS = """
function Test262Error(message) { this.message = message || ""; }
Test262Error.prototype.toString = function () { return "Test262Error: " + this.message; };
var assert = function (ok, message) { if (ok !== true) throw new Test262Error(message); };
assert.sameValue = function (a, b, message) { if (a !== b) throw new Test262Error(message || (a + " !== " + b)); };
"""


def make_suite(root: Path, tests: dict[str, str]) -> Path:
    (root / "harness").mkdir(parents=True)
    (root / "harness" / "assert.js").write_text(ASSERT_JS)
    (root / "harness" / "sta.js").write_text("var $ERROR = function (m) { throw new Test262Error(m); };\n")
    for name, text in tests.items():
        path = root / "test" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def case(path: str, flags: frozenset[str] = frozenset(), phase: str = "", type_: str = "") -> Test262Case:
    return Test262Case(f"test/{path}", "T1", flags, phase, type_, (), ())


def test_outcomes_match_a_fresh_realm(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, {
        "pass.js": "assert.sameValue(1 + 1, 2);\n",
        "fail.js": "assert.sameValue(1 + 1, 3, 'arithmetic');\n",
        "neg.js": "var = ;\n",
        "strict.js": "assert.sameValue(this, undefined);\n",
    })
    cases = [case("pass.js"), case("fail.js"), case("neg.js", phase="parse", type_="SyntaxError"),
             case("strict.js")]
    for c in cases:
        for run in runs_for(c):
            forked, fresh = execute_forked(suite, run, 10.0), execute(suite, run)
            assert (forked.passed, forked.detail) == (fresh.passed, fresh.detail), run.label
    fail_run = runs_for(cases[1])[0]
    assert not execute_forked(suite, fail_run, 10.0).passed
    assert "arithmetic" in execute_forked(suite, fail_run, 10.0).detail


def test_a_run_cannot_change_the_next_ones_realm(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, {
        "taint.js": "assert.sameValue = function () {}; Array.prototype.push = null; var leaked = 1;\n",
        "check.js": "assert.sameValue(typeof leaked, 'undefined'); assert.sameValue(typeof [].push, 'function');\n"
                    "var threw = false; try { assert.sameValue(1, 2); } catch (e) { threw = true; }\n"
                    "if (!threw) throw new Test262Error('assert.sameValue was replaced');\n",
    })
    taint, check = runs_for(case("taint.js", frozenset({"noStrict"})))[0], runs_for(case("check.js", frozenset({"noStrict"})))[0]
    assert execute_forked(suite, taint, 10.0).passed
    outcome = execute_forked(suite, check, 10.0)
    assert outcome.passed, outcome.detail


def test_a_hung_run_is_killed_and_reported(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, {"hang.js": "for (;;) {}\n", "after.js": "assert.sameValue(2, 2);\n"})
    hang = runs_for(case("hang.js", frozenset({"noStrict"})))[0]
    outcome = execute_forked(suite, hang, 1.0)
    assert not outcome.passed and "timed out" in outcome.detail
    after = runs_for(case("after.js", frozenset({"noStrict"})))[0]
    assert execute_forked(suite, after, 10.0).passed
