// Promises, async/await, microtask ordering.
const log = [];
Promise.resolve(1).then(v => log.push("then " + v));
(async () => { log.push("async start"); await null; log.push("after await"); })();
log.push("sync");
Promise.resolve().then(() => { print(log.join(" | ")); });
// expect: async start | sync | then 1 | after await
async function add(a, b) { return (await a) + (await b); }
async function fails() { throw new TypeError("nope"); }
async function tryAwait() { try { await Promise.reject(new Error("x")); } catch (e) { return "handled " + e.message; } finally { print("finally"); } }
async function loop() { let s = 0; for (const p of [1, 2, 3]) s += await p; return s; }
async function main() {
  print("add", await add(Promise.resolve(2), 3)); // expect: add 5
  try { await fails(); } catch (e) { print("caught", e.name, e.message); } // expect: caught TypeError nope
  print(await tryAwait());
  // expect: finally
  // expect: handled x
  print("all", (await Promise.all([1, Promise.resolve(2), new Promise(r => r(3))])).join()); // expect: all 1,2,3
  print((await Promise.allSettled([Promise.reject(1), 2])).map(x => x.status).join()); // expect: rejected,fulfilled
  print("race", await Promise.race([new Promise(() => {}), Promise.resolve("fast")])); // expect: race fast
  print("any", await Promise.any([Promise.reject(1), Promise.resolve(9)])); // expect: any 9
  try { await Promise.any([Promise.reject(1)]); } catch (e) { print(e.name, e.errors.join()); } // expect: AggregateError 1
  await new Promise((_, rej) => rej("r")).then(null, r => print("rejected", r)); // expect: rejected r
  print("kept", await Promise.resolve(7).finally(() => print("fin")));
  // expect: fin
  // expect: kept 7
  print(await { then(res) { res("thenable"); } }); // expect: thenable
  print("loop", await loop()); // expect: loop 6
  const order = [];
  const p = new Promise(r => { order.push("executor"); r(); });
  order.push("after new");
  await p;
  print(order.join()); // expect: executor,after new
  return "main done";
}
main().then(print, e => print("main failed", e)); // expect: main done
