// Destructuring, spread, templates, optional chaining, operators, labels, switch.
const { a, b: { c = 5 } = {}, ...rest } = { a: 1, x: 2, y: 3 };
print(a, c, JSON.stringify(rest)); // expect: 1 5 {"x":2,"y":3}
const [p, , q = 10, ...others] = [1, 2, undefined, 4, 5];
print(p, q, others.join()); // expect: 1 10 4,5
let x1 = 1, y1 = 2; [x1, y1] = [y1, x1]; print(x1, y1); // expect: 2 1
function f({ name = "anon", tags: [first] = [] } = {}) { return name + ":" + first; }
print(f(), f({ name: "n", tags: ["t"] })); // expect: anon:undefined n:t
const o = { u: null, v: { w: 0 } };
print(o.u?.z, o.v?.w, o.missing?.deep.deeper, o.u ?? "dflt", o.v.w || "falsy", o.v.w ?? "zero"); // expect: undefined 0 undefined dflt falsy 0
print(o.nope?.(), typeof o.v?.["w"]); // expect: undefined number
let la = null; la ??= 3; let lb = 1; lb &&= 7; let lc = 0; lc ||= 9; print(la, lb, lc); // expect: 3 7 9
function tag(strings, ...vals) { return strings.raw.join("|") + "#" + vals.join(","); }
print(tag`a${1}b${2}c\n`); // expect: a|b|c\n#1,2
print(`multi ${"ple"} ${1 + 1} ${[1, 2]}`); // expect: multi ple 2 1,2
outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j === 1) continue outer; if (i === 2) break outer; print(i, j); } }
// expect: 0 0
// expect: 1 0
blk: { print("in"); break blk; print("never"); } // expect: in
function sw(v) { switch (v) { case 1: return "one"; case "1": return "string one"; default: return "other"; case 2: return "two"; } }
print(sw(1), sw("1"), sw(2), sw(3)); // expect: one string one two other
print(1 + "2", "3" * "4", 10 / 4, 7 % 3, 2 ** 3 ** 2, -(-0) === 0, 5 & 3, 5 | 3, 5 ^ 3, ~5, -16 >> 2, -16 >>> 28); // expect: 12 12 2.5 1 512 true 1 7 6 -6 -4 15
print(null == undefined, null === undefined, NaN == NaN, "1" == 1, [] + [], [] + {}, 1 < "2", "b" > "a"); // expect: true false false true  [object Object] true true
print(typeof null, typeof [], typeof function () {}, typeof Symbol(), typeof 1n, void 0); // expect: object object function symbol bigint undefined
let i = 0; const arr = [i++, i++, ++i]; print(arr.join(), i); // expect: 0,1,3 3
const obj = { ["k" + 1]: 1, "quoted key": 2, 3: "three", get g() { return "getter"; }, set s(v) { this._s = v; } };
obj.s = 4; print(obj.k1, obj["quoted key"], obj[3], obj.g, obj._s); // expect: 1 2 three getter 4
print(Object.keys({ b: 1, a: 2, 2: 0, 1: 0 }).join()); // expect: 1,2,b,a
const sp = { ...{ a: 1, b: 2 }, b: 3 }; print(sp.a, sp.b); // expect: 1 3
print(Math.max(...[1, 5, 3]), [..."héllo"].length); // expect: 5 5
print("📞".length, "a📞".charCodeAt(1).toString(16)); // expect: 2 d83d
var count = 0; do { count++; } while (count < 5); print(count); // expect: 5
for (var key in { a: 1, b: 2 }) print(key);
// expect: a
// expect: b
print(delete obj.k1, obj.k1, "k1" in obj); // expect: true undefined false
print((function () { return arguments.length; })(1, 2, 3)); // expect: 3
print((function () { return typeof this; })(), (function () { "use strict"; return typeof this; })()); // expect: object undefined
print([1, 2, 3].indexOf(2), 0.1 + 0.2 === 0.3, (123.456).toFixed(1), 1e21, 1 / 3); // expect: 1 false 123.5 1e+21 0.3333333333333333
