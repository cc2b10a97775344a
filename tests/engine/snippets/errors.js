// Exceptions: try/catch/finally, error types, stacks, rethrow, finally overriding.
function thrower() { throw new RangeError("out of range"); }
try { thrower(); } catch (e) { print(e.name, e.message, e instanceof RangeError, e instanceof Error); } // expect: RangeError out of range true true
try { thrower(); } catch (e) { print(e.stack.split("\n")[1].trim()); } // expect: at thrower (snippet.js:2:28)
function fin() { try { return "try"; } finally { print("finally runs"); } }
print(fin());
// expect: finally runs
// expect: try
function override() { try { throw 1; } finally { return "finally wins"; } }
print(override()); // expect: finally wins
try { try { throw new Error("inner"); } finally { print("cleanup"); } } catch (e) { print("outer caught " + e.message); }
// expect: cleanup
// expect: outer caught inner
try { throw { custom: 42 }; } catch ({ custom }) { print(custom); } // expect: 42
try { undefined.foo; } catch (e) { print(e.constructor === TypeError, e.message); } // expect: true Cannot read properties of undefined (reading 'foo')
try { let o = {}; o.method(); } catch (e) { print(e.message); } // expect: o.method is not a function
try { new (function () {}).x(); } catch (e) { print(e.name); } // expect: TypeError
try { null(); } catch (e) { print(e.name); } // expect: TypeError
function deep(n) { return deep(n + 1); }
try { deep(0); } catch (e) { print(e.name, e.message); } // expect: RangeError Maximum call stack size exceeded
const err = new Error("with cause", { cause: "why" }); print(err.cause); // expect: why
print(String(new TypeError("t")), Object.prototype.toString.call(new Error())); // expect: TypeError: t [object Error]
try { [].reduce((a, b) => a); } catch (e) { print(e.name); } // expect: TypeError
print((() => { try { return 1; } catch { return 2; } })()); // expect: 1
try { throw "plain"; } catch (e) { print(typeof e, e); } // expect: string plain
try { decodeURIComponent("%"); } catch (e) { print(e.name); } // expect: URIError
