// Generators, iterators, spread, for-of over custom iterables.
function* nums(n) { for (let i = 0; i < n; i++) yield i; return "done"; }
print([...nums(4)].join()); // expect: 0,1,2,3
const g = nums(2);
print(JSON.stringify([g.next(), g.next(), g.next(), g.next()]));
// expect: [{"value":0,"done":false},{"value":1,"done":false},{"value":"done","done":true},{"done":true}]
function* talk() { const x = yield "q"; print("got " + x); try { yield 1; } finally { print("cleanup"); } }
const t = talk(); t.next(); t.next("answer"); // expect: got answer
print(JSON.stringify(t.return(5))); // expect: cleanup
// expect: {"value":5,"done":true}
function* inner() { yield 1; yield 2; return 3; }
function* outer() { const r = yield* inner(); yield r; }
print([...outer()].join()); // expect: 1,2,3
const iterable = { from: 1, to: 3, [Symbol.iterator]() { let c = this.from, t = this.to; return { next: () => c <= t ? { value: c++, done: false } : { value: undefined, done: true } }; } };
print(Array.from(iterable).join(), Math.max(...iterable)); // expect: 1,2,3 3
const m = new Map([["a", 1], ["b", 2]]);
for (const [k, v] of m) print(k, v);
// expect: a 1
// expect: b 2
function* fib() { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } }
const out = []; for (const v of fib()) { if (v > 20) break; out.push(v); }
print(out.join()); // expect: 0,1,1,2,3,5,8,13
const it = [1, 2][Symbol.iterator]();
print(typeof it.next, it.next().value, Object.prototype.toString.call(it)); // expect: function 1 [object Array Iterator]
const gen = nums(1); print(gen[Symbol.iterator]() === gen); // expect: true
try { const bad = nums(1); bad.throw(new Error("thrown")); } catch (e) { print(e.message); } // expect: thrown
