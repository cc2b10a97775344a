// Closures, per-iteration let bindings, hoisting, TDZ.
function counter() { let n = 0; return { inc: function () { return ++n; }, get: () => n }; }
const c = counter(); c.inc(); c.inc();
print(c.get()); // expect: 2
const fns = [];
for (let i = 0; i < 3; i++) fns.push(() => i);
print(fns.map(f => f()).join()); // expect: 0,1,2
const fns2 = [];
for (var j = 0; j < 3; j++) fns2.push(() => j);
print(fns2.map(f => f()).join()); // expect: 3,3,3
const fns3 = [];
for (const k of ["a", "b"]) fns3.push(() => k);
print(fns3.map(f => f()).join()); // expect: a,b
print(hoisted()); // expect: hoisted
function hoisted() { return "hoisted"; }
print(typeof v1, v1); // expect: undefined undefined
var v1 = 1;
try { tdz; } catch (e) { print(e.name, e.message); } // expect: ReferenceError Cannot access 'tdz' before initialization
let tdz = 1;
const K = 1;
try { K = 2; } catch (e) { print(e.name, e.message); } // expect: TypeError Assignment to constant variable.
(function () { var x = 1; { let x = 2; print(x); } print(x); })();
// expect: 2
// expect: 1
const adders = [1, 2, 3].map(n => m => n + m);
print(adders[2](10)); // expect: 13
let shadow = "outer";
{ let shadow = "inner"; print(shadow); } // expect: inner
print(shadow); // expect: outer
var f = function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); };
print(f(5)); // expect: 120
try { undeclared; } catch (e) { print(e.message); } // expect: undeclared is not defined
