"""Run one test262 run in a fresh realm and decide its outcome (INTERPRETING.md, as the subset's README sums it up)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voxsim.engine.budget import Budget
from voxsim.engine.errors import BudgetExceeded, JSSyntaxError, JSThrow
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED, JSObject

from .test262_suite import Test262Run, scripts_of

__all__ = ["Outcome", "Prepared", "execute", "prepare", "judge"]

ASYNC_DONE = "Test262:AsyncTestComplete"
ASYNC_FAIL = "Test262:AsyncTestFailure:"


@dataclass(frozen=True, slots=True)
class Outcome:
    passed: bool
    detail: str = ""


def _error_name(realm: Realm, value: object) -> str:
    """The constructor name of a thrown value, as test262 compares it (``value.constructor.name``)."""
    if not isinstance(value, JSObject):
        return type(value).__name__
    try:
        ctor = realm.get_v(value, "constructor")
        name = realm.get_v(ctor, "name") if isinstance(ctor, JSObject) else UNDEFINED
    except JSThrow:
        return "?"
    return name if isinstance(name, str) else "?"


def _describe(realm: Realm, value: object) -> str:
    name = _error_name(realm, value)
    message = ""
    if isinstance(value, JSObject):
        try:
            msg = realm.get_v(value, "message")
            message = msg if isinstance(msg, str) else ""
        except JSThrow:
            pass
    else:
        message = realm.display(value)
    return f"{name}: {message}"[:300]


def _install_host(realm: Realm, printed: list[str]) -> None:
    """``print`` and a minimal ``$262`` (global, evalScript), writable/configurable/non-enumerable."""

    def print_(*args: object) -> object:
        printed.append(realm.display(args[0]) if args else "")
        return UNDEFINED

    def eval_script(source: object = UNDEFINED) -> object:
        text = source if isinstance(source, str) else realm.display(source)
        try:
            script = realm.compile_script(text, "<evalScript>")
        except JSSyntaxError as exc:
            raise realm.throw("SyntaxError", exc.message) from None
        return script.run()

    realm.define_global("print", realm.new_host_function("print", print_, 1))
    dollar = realm.new_object()
    dollar.define("global", realm.global_object, writable=True, enumerable=False, configurable=True)
    dollar.define("evalScript", realm.new_host_function("evalScript", eval_script, 1), writable=True,
                  enumerable=False, configurable=True)
    dollar.define("gc", realm.new_host_function("gc", lambda *a: UNDEFINED, 0), writable=True, enumerable=False,
                  configurable=True)
    realm.define_global("$262", dollar)


@dataclass(slots=True)
class Prepared:
    """A realm with the host hooks installed and a run's harness files evaluated: every run with the same harness
    and strictness starts from this state (the forking runner evaluates it once and forks it per run)."""

    realm: Realm
    printed: list[str]
    failure: Outcome | None = None   # the harness itself failed (reported for every run that needs it)


def prepare(suite: Path, run: Test262Run, max_steps: int = 20_000_000) -> Prepared:
    """A fresh realm with ``print``/``$262`` and the run's harness files evaluated, each as its own script."""
    realm = Realm(budget=Budget(max_steps=max_steps))
    printed: list[str] = []
    _install_host(realm, printed)
    realm.on_unhandled_rejection(lambda reason: None)  # test262 does not judge unhandled rejections
    prepared = Prepared(realm, printed)
    try:
        for name, text in scripts_of(suite, run)[:-1]:
            realm.run_task(realm.compile_script(text, name).run)
    except JSThrow as exc:
        prepared.failure = Outcome(False, "harness threw " + _describe(realm, exc.value))
    except (JSSyntaxError, BudgetExceeded, RecursionError) as exc:
        prepared.failure = Outcome(False, f"harness failed: {exc}")
    return prepared


def execute(suite: Path, run: Test262Run, max_steps: int = 20_000_000) -> Outcome:
    """Evaluate one run in a fresh realm and judge it; never raises for a JS-level failure."""
    return judge(prepare(suite, run, max_steps), suite, run)


def judge(prepared: Prepared, suite: Path, run: Test262Run) -> Outcome:
    """Evaluate the test of ``run`` in a prepared realm (which it changes) and decide the outcome."""
    if prepared.failure is not None:
        return prepared.failure
    case = run.case
    realm, printed = prepared.realm, prepared.printed
    uncaught: list[object] = []
    test_name, test_text = scripts_of(suite, run)[-1]
    try:
        test_script = realm.compile_script(test_text, test_name)
    except JSSyntaxError as exc:
        if case.negative_phase in ("parse", "resolution") and case.negative_type == "SyntaxError":
            return Outcome(True)
        return Outcome(False, f"SyntaxError at parse: {exc.message} ({exc.line}:{exc.column})")
    if case.negative_phase in ("parse", "resolution"):
        return Outcome(False, f"expected a {case.negative_type} at parse time; the script parsed")
    try:
        realm.run_task(test_script.run)
    except JSThrow as exc:
        uncaught.append(exc.value)
    except BudgetExceeded as exc:
        return Outcome(False, f"budget: {exc}")
    except RecursionError:
        return Outcome(False, "Python RecursionError escaped the engine")
    if case.negative_phase == "runtime":
        if not uncaught:
            return Outcome(False, f"expected a {case.negative_type} at run time; none was thrown")
        name = _error_name(realm, uncaught[0])
        if name == case.negative_type:
            return Outcome(True)
        return Outcome(False, f"expected {case.negative_type}, got {_describe(realm, uncaught[0])}")
    if uncaught:
        return Outcome(False, "uncaught " + _describe(realm, uncaught[0]))
    if "async" in case.flags:
        for line in printed:
            if line.startswith(ASYNC_FAIL):
                return Outcome(False, line[:300])
            if line == ASYNC_DONE:
                return Outcome(True)
        return Outcome(False, "async test never called $DONE")
    return Outcome(True)


