"""Async generators: yield* delegation of next/throw/return to async and sync inner iterators
(%AsyncFromSyncIteratorPrototype%), and the await points of the return path."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

SYNC_INNER = """
var log = [];
var inner = { [Symbol.iterator]() { return this; },
  next(v) { log.push('next:' + v); return { value: Promise.resolve('v'), done: false }; },
  %s };
async function* g() { try { var r = yield* inner; log.push('r:' + r); } finally { log.push('fin'); } }
"""

CASES = [
    # values of a sync inner iterator are awaited (the AsyncFromSyncIterator unwraps promises)
    (SYNC_INNER % "" + "var it = g(); it.next('a').then(function (r) { print(r.value, r.done, log); });",
     "v false next:undefined"),
    # throw forwarded to the sync iterator's throw
    (SYNC_INNER % "throw(e) { log.push('throw:' + e); return { value: 't', done: true }; }" +
     "var it = g(); it.next().then(function () { return it.throw('x'); })"
     ".then(function (r) { print(r.value, r.done, log); });",
     "undefined true next:undefined,throw:x,r:t,fin"),
    # no throw method: return is called, then a TypeError
    (SYNC_INNER % "return() { log.push('ret'); return {}; }" +
     "var it = g(); it.next().then(function () { return it.throw('x'); })"
     ".catch(function (e) { print(e.name, log); });",
     "TypeError next:undefined,ret,fin"),
    # return forwarded to the sync iterator's return; not done -> the generator keeps yielding
    (SYNC_INNER % "return(v) { log.push('ret:' + v); return { value: 'still', done: false }; }" +
     "var it = g(); it.next().then(function () { return it.return('q'); })"
     ".then(function (r) { print(r.value, r.done, log); });",
     "still false next:undefined,ret:q"),
    # return with done: the generator returns the (awaited) value
    (SYNC_INNER % "return(v) { return { value: Promise.resolve(v + '!'), done: true }; }" +
     "var it = g(); it.next().then(function () { return it.return('q'); })"
     ".then(function (r) { print(r.value, r.done, log); });",
     "q! true next:undefined,fin"),
    # no return method on the inner iterator: the generator returns the received value
    (SYNC_INNER % "" +
     "var it = g(); it.next().then(function () { return it.return(Promise.resolve('z')); })"
     ".then(function (r) { print(r.value, r.done, log); });",
     "z true next:undefined,fin"),
    # a rejected value closes the sync iterator
    ("var closed = 0; var inner = { [Symbol.iterator]() { return this; },"
     " next() { return { value: Promise.reject('bad'), done: false }; }, return() { closed++; return {}; } };"
     "async function* g() { yield* inner; }"
     "g().next().catch(function (e) { print(e, closed); });",
     "bad 1"),
    # async inner iterator: throw and return go to its methods
    ("var log = []; var inner = { [Symbol.asyncIterator]() { return this; },"
     " next() { return { value: 1, done: false }; },"
     " throw(e) { log.push('throw:' + e); return Promise.resolve({ value: 2, done: false }); },"
     " return(v) { log.push('ret:' + v); return { value: v, done: true }; } };"
     "async function* g() { return yield* inner; }"
     "var it = g(); it.next().then(function (r) { log.push(r.value); return it.throw('e'); })"
     ".then(function (r) { log.push(r.value); return it.return('end'); })"
     ".then(function (r) { print(r.value, r.done, log); });",
     "end true 1,throw:e,2,ret:end"),
    # an absent argument is not passed to the sync next
    ("var n = -1; var it = { [Symbol.iterator]() { return this; },"
     " next() { n = arguments.length; return { done: true }; } };"
     "(async function () { for await (var x of it); print(n); })();",
     "0"),
    # plain yield: return received at a yield awaits its value
    ("async function* g() { try { yield 1; } finally { print('cleanup'); } }"
     "var it = g(); it.next().then(function () { return it.return(Promise.resolve(5)); })"
     ".then(function (r) { print(r.value, r.done); });",
     "cleanup\n5 true"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_async_generator(src: str, want: str) -> None:
    assert run_snippet(src) == want


def test_for_await_break_with_a_non_callable_return_rejects() -> None:
    src = ("var it = { [Symbol.asyncIterator]() { return { next() { return { done: false, value: 1 }; },"
           " return: Symbol() }; } };"
           "(async function () { for await (var x of it) { break; } })()"
           ".then(function () { print('resolved'); }, function (e) { print(e.name); });")
    assert run_snippet(src) == "TypeError"
