"""The microtask queue: drained after each task, FIFO, re-entrancy safe, unhandled rejections reported."""

from __future__ import annotations

from voxsim.engine.errors import JSThrow
from voxsim.engine.jobs import JobQueue
from voxsim.engine.realm import Realm
from voxsim.engine.values import UNDEFINED


def test_queue_is_fifo_and_drains_jobs_added_while_draining() -> None:
    q = JobQueue()
    seen = []
    q.enqueue(lambda: (seen.append(1), q.enqueue(seen.append, 3)))
    q.enqueue(seen.append, 2)
    q.drain()
    assert seen == [1, 2, 3] and len(q) == 0


def test_jobs_run_after_the_task_not_during() -> None:
    r = Realm()
    log = []
    r.define_global("log", r.new_host_function("log", log.append, 1))
    r.run_task(r.compile_script("Promise.resolve().then(() => log('job')); log('task');", "a.js").run)
    assert log == ["task", "job"]


def test_nested_run_task_drains_only_at_the_outermost_level() -> None:
    r = Realm()
    log = []

    def host_reenters() -> None:
        # a host callback running JS as a task while JS is already running: no drain in the middle
        r.run_task(lambda: r.compile_script("Promise.resolve().then(() => log('inner job'))", "b.js").run())
        log.append("after inner task")
    r.define_global("log", r.new_host_function("log", log.append, 1))
    r.define_global("reenter", r.new_host_function("reenter", host_reenters, 0))
    r.run_task(r.compile_script("Promise.resolve().then(() => log('outer job')); reenter(); log('end');",
                                "c.js").run)
    assert log == ["after inner task", "end", "outer job", "inner job"]


def test_exception_still_drains_and_propagates() -> None:
    r = Realm()
    log = []
    r.define_global("log", r.new_host_function("log", log.append, 1))
    try:
        r.run_task(r.compile_script("Promise.resolve().then(() => log('job')); throw new Error('boom')", "d.js").run)
    except JSThrow as exc:
        assert "boom" in str(exc) and exc.js_stack and "d.js:1" in exc.js_stack[0]
    else:
        raise AssertionError("expected JSThrow")
    assert log == ["job"]


def test_unhandled_rejections_reported_once_per_task() -> None:
    r = Realm()
    reasons = []
    r.on_unhandled_rejection(lambda v: reasons.append(r.display(v) if not hasattr(v, "props") else
                                                      v.get("message")))
    r.run_task(r.compile_script("""
        Promise.reject(new Error('lost'));
        Promise.reject(new Error('caught later')).catch(() => {});
        (async () => { throw new Error('async lost'); })();
    """, "e.js").run)
    assert reasons == ["lost", "async lost"]


def test_host_resolves_promise_from_a_later_task() -> None:
    r = Realm()
    p, resolve, _ = r.new_promise()
    r.define_global("hostPromise", p)
    out = []
    r.define_global("report", r.new_host_function("report", out.append, 1))
    r.run_task(r.compile_script("(async () => report('got ' + await hostPromise))()", "f.js").run)
    assert out == []
    r.run_task(lambda: resolve("value"))
    assert out == ["got value"]
    assert r.global_object.get("missing") is UNDEFINED
