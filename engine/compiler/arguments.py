"""Arguments objects: unmapped (strict code, non-simple parameter lists) and mapped, where ``arguments[i]`` and the
i-th named parameter of a sloppy function alias each other
(https://tc39.es/ecma262/#sec-arguments-exotic-objects).

The mapped object reads and writes the parameter's slot in the activation list, so neither side has to copy the
other; deleting an index, or redefining it as an accessor or as non-writable, ends the aliasing of that index.
Only functions that mention ``arguments`` (or contain a direct eval) build one.
"""

from __future__ import annotations

from typing import Any

from ..values import (
    MISSING, SYM_ITERATOR, JSArgumentsObject, JSObject, PropertyDescriptor, ordinary_set, validate_and_apply,
)

__all__ = ["MappedArguments", "make_arguments", "make_mapped_arguments", "parameter_map"]


class MappedArguments(JSArgumentsObject):
    """A sloppy function's arguments object: ``mapped`` is index key → slot of the parameter in ``env``."""

    __slots__ = ("env", "mapped")
    exotic = True
    env: list[Any]
    mapped: dict[str, int]

    def get_own_property(self, key: Any) -> PropertyDescriptor | None:
        d = JSObject.get_own_property(self, key)
        if d is None:
            return None
        slot = self.mapped.get(key) if type(key) is str else None
        if slot is None:
            return d
        return PropertyDescriptor(value=self.env[slot], writable=d.writable, enumerable=d.enumerable,
                                  configurable=d.configurable)

    def define_own_property(self, key: Any, desc: PropertyDescriptor) -> bool:
        mapped = self.mapped
        slot = mapped.get(key) if type(key) is str else None
        new = desc
        if slot is not None and desc.is_data() and desc.value is MISSING and desc.writable is False:
            new = PropertyDescriptor(value=self.env[slot], writable=False, enumerable=desc.enumerable,
                                     configurable=desc.configurable)
        if not validate_and_apply(self, key, self.extensible, new, JSObject.get_own_property(self, key)):
            return False
        if slot is not None:
            if desc.is_accessor():
                del mapped[key]
            else:
                if desc.value is not MISSING:
                    self.env[slot] = desc.value
                if desc.writable is False:
                    del mapped[key]
        return True

    def get(self, key: Any, receiver: Any = MISSING) -> Any:
        slot = self.mapped.get(key) if type(key) is str else None
        if slot is not None:
            return self.env[slot]
        return JSObject.get(self, key, receiver)

    def set(self, key: Any, value: Any, receiver: Any = MISSING) -> bool:
        if receiver is MISSING or receiver is self:
            receiver = self
            slot = self.mapped.get(key) if type(key) is str else None
            if slot is not None:
                self.env[slot] = value
        return ordinary_set(self, key, value, receiver)

    def delete(self, key: Any) -> bool:
        ok = JSObject.delete(self, key)
        if ok and type(key) is str:
            self.mapped.pop(key, None)
        return ok


def _fill(realm: Any, o: JSArgumentsObject, f: Any, args: list, strict: bool) -> None:
    props = o.props
    for i, v in enumerate(args):
        props[str(i)] = v
    props["length"] = PropertyDescriptor(value=float(len(args)), writable=True, enumerable=False, configurable=True)
    props[SYM_ITERATOR] = PropertyDescriptor(value=realm.intrinsics["%Array.prototype.values%"], writable=True,
                                             enumerable=False, configurable=True)
    if strict:
        thrower = realm.intrinsics["%ThrowTypeError%"]
        props["callee"] = PropertyDescriptor(get=thrower, set=thrower, enumerable=False, configurable=False)
    else:
        props["callee"] = PropertyDescriptor(value=f, writable=True, enumerable=False, configurable=True)


def make_arguments(realm: Any, f: Any, args: list) -> JSArgumentsObject:
    """CreateUnmappedArgumentsObject (strict code, or non-simple parameters): ``callee`` is the %ThrowTypeError%
    accessor."""
    o = JSArgumentsObject(realm.object_prototype)
    _fill(realm, o, f, args, True)
    return o


def parameter_map(names: list[str], slots: dict[str, int]) -> list[tuple[str, int]]:
    """(index key, slot) pairs for CreateMappedArgumentsObject: a repeated name maps its last position only."""
    seen: set[str] = set()
    out: list[tuple[str, int]] = []
    for i in range(len(names) - 1, -1, -1):
        n = names[i]
        if n not in seen:
            seen.add(n)
            out.append((str(i), slots[n]))
    out.reverse()
    return out


def make_mapped_arguments(realm: Any, f: Any, args: list, env: list, pmap: list[tuple[str, int]]
                          ) -> MappedArguments:
    """CreateMappedArgumentsObject: indices below both the argument count and the parameter count alias the
    parameters' slots in ``env``."""
    o = MappedArguments(realm.object_prototype)
    _fill(realm, o, f, args, False)
    n = len(args)
    o.env = env
    o.mapped = {key: slot for key, slot in pmap if int(key) < n}
    return o
