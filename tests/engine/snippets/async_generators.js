// Async generators, for await, and the request queue.
async function* ag() { yield 1; const x = await Promise.resolve(2); yield x; try { yield 3; } finally { print("fin"); } }
async function main() {
  for await (const v of ag()) { print("v", v); if (v === 3) break; }
  // expect: v 1
  // expect: v 2
  // expect: v 3
  // expect: fin
  const g = ag();
  const all = await Promise.all([g.next(), g.next(), g.next(), g.next()]);
  print(all.map(r => r.value + ":" + r.done).join()); // expect: fin
  // expect: 1:false,2:false,3:false,undefined:true
  print(JSON.stringify(await g.return(9))); // expect: {"value":9,"done":true}
  async function* inner() { yield* [10, 20]; return "r"; }
  const got = []; for await (const v of inner()) got.push(v);
  print(got.join()); // expect: 10,20
  for await (const v of [Promise.resolve("a"), "b"]) print(v);
  // expect: a
  // expect: b
  async function* failing() { yield 1; throw new Error("gen failed"); }
  try { for await (const v of failing()) print("before", v); } catch (e) { print(e.message); }
  // expect: before 1
  // expect: gen failed
  print(Object.prototype.toString.call(ag()), typeof ag().next); // expect: [object AsyncGenerator] function
}
main();
