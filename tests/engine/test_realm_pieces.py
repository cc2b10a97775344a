"""A realm's built-ins installed in pieces (a session starting next to live media) make the same realm."""

from __future__ import annotations

import pytest

from voxsim.engine.builtins import installers
from voxsim.engine.realm import Realm
from voxsim.engine.script import run_snippet

PROGRAM = "print([1, 2, 3].map((x) => x * 2).join(), new Map([[1, 'a']]).get(1), JSON.stringify({a: [1]}), " \
          "/b+/.exec('abbbc')[0], typeof Promise.resolve, new Date(0).toISOString(), Math.max(1, 5))"


@pytest.mark.parametrize("pieces", [1, 2, 3, 100])
def test_built_ins_installed_in_pieces_make_the_same_realm(pieces: int) -> None:
    whole = Realm()
    realm = Realm(builtins=False)
    assert "%Array.prototype%" not in realm.intrinsics
    parts = 1 + sum(1 for _ in realm.install_builtins(pieces))  # a yield between two parts
    assert parts == min(pieces, len(installers()))  # 22 modules: 1, 2, 3 or 22 parts
    assert realm.intrinsics.keys() == whole.intrinsics.keys()
    assert realm.array_prototype is realm.intrinsics["%Array.prototype%"]
    assert run_snippet(PROGRAM, realm) == run_snippet(PROGRAM, whole) == "2,4,6 a {\"a\":[1]} bbb function " \
        "1970-01-01T00:00:00.000Z 5"
