// The sloppy-mode with statement: object environments, @@unscopables, references resolved once.
var o = { x: 1, y: 2 };
var x = "global";
with (o) { print(x, y); x = 10; z = 5; }
// expect: 1 2
print(o.x, x, typeof z, z); // expect: 10 global number 5
function f() { var q = { a: 1 }; with (q) { return function () { return a; }; } }
print(f()()); // expect: 1
with ([1, 2]) { print(length, typeof values); } // expect: 2 undefined
var counter = { n: 1 };
with (counter) { n += 1; n++; }
print(counter.n); // expect: 3
