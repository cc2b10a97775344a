// `local OP constant` fused into a conditional test or a global call's argument: non-float operands take the full path.
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
print(fib(10), fib("6"), fib(2.5), fib(-1)); // expect: 55 8 2 -1
function up(n) { return n === 3 ? n : up(n + 1); }
print(up(-2), up(0.5 + 2.5)); // expect: 3 3
function cat(s) { return s.length > 3 ? s : cat(s + 1); }
print(cat("a")); // expect: a111
const log = [];
const obj = { valueOf() { log.push("valueOf"); return 1; } };
function once(n) { return n <= 1 ? n : once(n * 1); }
print(once(obj), log.join()); // expect: [object Object] valueOf
function big(n) { return n >= 1e9 ? n : big(n * 10); }
print(big(1)); // expect: 1000000000
function neg(n) { return n !== 0 ? n : neg(n - 1); }
print(neg(-0), neg(0)); // expect: -1 -1
function deep(n) { return n === 0 ? 0 : deep(n - 1); }
try { deep(1e7); } catch (e) { print(e instanceof RangeError, e.message); } // expect: true Maximum call stack size exceeded
print(deep(500)); // expect: 0
function two(a, b) { return a < 1 ? b : two(a - 1); }
print(two(3, "x"), two(0, "y")); // expect: undefined y
