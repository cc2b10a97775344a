"""Error types, messages, causes, stacks, and errors the engine raises itself."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    ("print(new Error('m').message, Error('n').message, new Error().message === '')", "m n true"),
    ("print(String(new RangeError('r')), new TypeError('t') instanceof Error)", "RangeError: r true"),
    ("print(Object.getPrototypeOf(TypeError) === Error, TypeError.prototype.name)", "true TypeError"),
    ("print(new Error('x', {cause: 1}).cause, 'cause' in new Error('y'))", "1 false"),
    ("var e = new Error('s'); print(e.stack.split('\\n')[0], e.stack.split('\\n')[1].trim())",
     "Error: s at snippet.js:1:9"),
    ("function f() { return new Error('in f'); }\nprint(f().stack.split('\\n')[1].trim())", "at f (snippet.js:1:23)"),
    ("try { undefinedFunction(); } catch (e) { print(e.name + ': ' + e.message); }",
     "ReferenceError: undefinedFunction is not defined"),
    ("try { (void 0).x; } catch (e) { print(e.message); }", "Cannot read properties of undefined (reading 'x')"),
    ("try { null.x = 1; } catch (e) { print(e.message); }", "Cannot set properties of null (setting 'x')"),
    ("try { ({}).f(); } catch (e) { print(e.message); }", "(intermediate value).f is not a function"),
    ("try { new 1; } catch (e) { print(e.name); }", "TypeError"),
    ("try { Symbol() + ''; } catch (e) { print(e.name); }", "TypeError"),
    ("print(Object.prototype.toString.call(new SyntaxError()), new URIError().name, new EvalError().name)",
     "[object Error] URIError EvalError"),
    ("var e = new AggregateError([1, 2], 'agg'); print(e.errors.join(), e.message)", "1,2 agg"),
    ("class MyErr extends Error { constructor(m) { super(m); this.name = 'MyErr'; } }\n"
     "var e = new MyErr('mine'); print(String(e), e instanceof MyErr, e.stack.startsWith('MyErr: mine'))",
     "MyErr: mine true false"),
    ("print(Error.prototype.toString.call({name: 'N', message: 'M'}))", "N: M"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_error(src: str, want: str) -> None:
    assert run_snippet(src) == want
