"""Classes: super references (delete super.x), class element names, and the spec's evaluation order."""

from __future__ import annotations

import pytest

from voxsim.engine.script import run_snippet

CASES = [
    # delete of a super reference is a ReferenceError, even with a null home prototype
    ("class C { static m() { delete super.x; } } Object.setPrototypeOf(C, null);"
     "try { C.m(); } catch (e) { print(e.name); }", "ReferenceError"),
    # ... without ToPropertyKey on the key
    ("var key = { toString() { throw new Error('ToPropertyKey'); } }; var o = { m() { delete super[key]; } };"
     "try { o.m(); } catch (e) { print(e.name); }", "ReferenceError"),
    # ... and `this` is read before the key expression runs
    ("class B { constructor() { print('base'); } } class D extends B { constructor() { delete super[(super(), 0)]; } }"
     "try { new D(); } catch (e) { print(e.name); }", "ReferenceError"),
    ("var o = { m() { var n = 0; try { delete super[n++]; } catch (e) { return e.name + n; } } }; print(o.m());",
     "ReferenceError1"),
]


@pytest.mark.parametrize("src, want", CASES)
def test_classes(src: str, want: str) -> None:
    assert run_snippet(src) == want
