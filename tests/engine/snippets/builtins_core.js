// Object, Function, Array core, Symbol, globals.
const o = Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } });
print(o.inherited, o.own, Object.keys(o).join(), o.hasOwnProperty("inherited")); // expect: 1 2 own false
const frozen = Object.freeze({ a: 1 }); frozen.a = 2; print(frozen.a, Object.isFrozen(frozen)); // expect: 1 true
"use strict";
const desc = Object.getOwnPropertyDescriptor({ get x() { return 1; } }, "x");
print(typeof desc.get, desc.enumerable, desc.configurable); // expect: function true true
const target = Object.assign({}, { a: 1 }, null, { b: 2 }); print(JSON.stringify(target)); // expect: {"a":1,"b":2}
print(JSON.stringify(Object.entries({ x: 1, y: [2] })), JSON.stringify(Object.fromEntries([["k", "v"]]))); // expect: [["x",1],["y",[2]]] {"k":"v"}
const def = {}; Object.defineProperty(def, "hidden", { value: 1 }); print(Object.keys(def).length, def.hidden, JSON.stringify(Object.getOwnPropertyNames(def))); // expect: 0 1 ["hidden"]
function add(a, b) { return a + b; }
print(add.call(null, 1, 2), add.apply(null, [3, 4]), add.bind(null, 10)(5), add.bind(null).name, add.length); // expect: 3 7 15 bound add 2
print(add.toString()); // expect: function add(a, b) { return a + b; }
print(Math.max.toString()); // expect: function max() { [native code] }
print(Function("a", "b", "return a * b")(6, 7)); // expect: 42
const s1 = Symbol("desc"), s2 = Symbol.for("shared");
print(s1.toString(), s1.description, Symbol.for("shared") === s2, Symbol.keyFor(s2)); // expect: Symbol(desc) desc true shared
const withSym = { [s1]: 1, str: 2 }; print(Object.keys(withSym).join(), Object.getOwnPropertySymbols(withSym).length); // expect: str 1
const a = [1, 2, 3, 4];
print(a.filter(x => x % 2).join(), a.reduce((s, x) => s + x, 0), a.some(x => x > 3), a.every(x => x > 0), a.find(x => x > 2), a.findIndex(x => x > 2)); // expect: 1,3 10 true true 3 2
print(a.slice(-2).join(), [1, 2, 3, 4, 5].splice(1, 2).join(), a.concat([5], 6).length, a.join("-")); // expect: 3,4 2,3 6 1-2-3-4
const b = [1, 2]; b.push(3, 4); b.unshift(0); print(b.pop(), b.shift(), b.join(), b.length); // expect: 4 0 1,2,3 3
print(Array.from({ length: 3 }, (_, i) => i * 2).join(), Array.of(7, 8).join(), Array.isArray([]), [3, 4].includes(4)); // expect: 0,2,4 7,8 true true
print([...[1, 2].entries()].join(";"), [...["a", "b"].keys()].join()); // expect: 0,1;1,2 0,1
const holes = [1, , 3]; print(holes.length, 1 in holes, holes.map(x => x * 2).join()); // expect: 3 false 2,,6
const arr = []; arr[5] = 1; print(arr.length); arr.length = 2; print(arr.length, arr[5]); // expect: 6
// expect: 2 undefined
print(parseInt("42px"), parseInt("0x1f"), parseInt("101", 2), parseFloat("3.14abc"), isNaN("abc"), isFinite("12")); // expect: 42 31 5 3.14 true true
print(encodeURIComponent("a b&c/é"), decodeURIComponent("%F0%9F%93%9E").length, encodeURI("http://x.y/a b?q=1")); // expect: a%20b%26c%2F%C3%A9 2 http://x.y/a%20b?q=1
print(globalThis === this, typeof globalThis.print, NaN, Infinity, undefined); // expect: true function NaN Infinity undefined
print(new Boolean(false) ? "obj truthy" : "no", Boolean(""), true.toString()); // expect: obj truthy false true
print(Object.getPrototypeOf([]) === Array.prototype, [] instanceof Object, Object.prototype.toString.call(null)); // expect: true true [object Null]
print(eval("1 + 2"), typeof eval("(function(){})")); // expect: 3 function
