"""`runtime._frozen.dataclass` makes the same records as `dataclasses.dataclass`, only faster."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from runtime import ir
from runtime._frozen import dataclass as fast

IR_RECORDS = sorted((c for c in vars(ir).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
                     and c.__module__ == "runtime.ir"), key=lambda c: c.__name__)


def _filled(cls: type, offset: int = 0) -> Any:
    """An instance with every field set to a distinct small integer (the IR's types are not checked at run time)."""
    record: Any = object.__new__(cls)
    for i, f in enumerate(dataclasses.fields(cls)):
        object.__setattr__(record, f.name, i + offset)
    return record


def test_the_ir_has_its_records() -> None:
    assert len(IR_RECORDS) > 30
    assert ir.RuleSet in IR_RECORDS and ir.Loc in IR_RECORDS


@pytest.mark.parametrize("cls", IR_RECORDS, ids=lambda c: c.__name__)
def test_an_ir_record_is_a_frozen_slotted_dataclass(cls: type) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert (params.init, params.repr, params.eq, params.frozen, params.order) == (True, True, True, True, False)
    assert "__slots__" in cls.__dict__
    record = _filled(cls)
    assert not hasattr(record, "__dict__")
    name = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(record, name)


@pytest.mark.parametrize("cls", IR_RECORDS, ids=lambda c: c.__name__)
def test_an_ir_record_compares_hashes_and_prints_by_its_fields(cls: type) -> None:
    fields = dataclasses.fields(cls)
    record, twin, other = _filled(cls), _filled(cls), _filled(cls, offset=100)
    compared = tuple(getattr(record, f.name) for f in fields if f.compare)
    assert record == twin and not record != twin and hash(record) == hash(twin) == hash(compared)
    assert (record == other) == (compared == ())
    if "__repr__" not in vars(cls) or cls.__repr__.__qualname__.endswith("_repr_fn.<locals>.__repr__"):
        shown = ", ".join(f"{f.name}={getattr(record, f.name)!r}" for f in fields if f.repr)
        assert repr(record) == f"{cls.__qualname__}({shown})"
    uncompared = [f.name for f in fields if not f.compare]
    for name in uncompared:  # e.g. `at`: where a node was written is not part of what it is
        moved = dataclasses.replace(record, **{name: 999}) if name in inspect.signature(cls).parameters else None
        if moved is not None:
            assert moved == record


# --- the same records as the standard decorator ----------------------------------------------------------------


def _shapes(decorate: Any) -> dict[str, type]:
    @decorate(frozen=True, slots=True)
    class Empty:
        pass

    @decorate(frozen=True, slots=True)
    class One:
        value: int

    @decorate(frozen=True, slots=True)
    class Base:
        at: str | None = dataclasses.field(default=None, kw_only=True, compare=False, repr=False)

    @decorate(frozen=True, slots=True)
    class Node(Base):
        op: str
        items: tuple[Any, ...] = ()

    @decorate(frozen=True, slots=True)
    class Named:
        name: str

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Named) and self.name.lower() == other.name.lower()

        def __hash__(self) -> int:
            return hash(self.name.lower())

    @decorate(frozen=True)
    class Unslotted:
        x: int
        y: list[int] = dataclasses.field(default_factory=list)

    return {"Empty": Empty, "One": One, "Node": Node, "Named": Named, "Unslotted": Unslotted}


STANDARD = _shapes(dataclasses.dataclass)
FAST = _shapes(fast)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("Empty", (), {}), ("One", (1,), {}), ("One", ("a",), {}), ("Node", ("+",), {}),
    ("Node", ("+", (1, 2)), {"at": "f:1:2"}), ("Node", ("-", (1, 2)), {"at": "f:1:2"}),
    ("Named", ("Ab",), {}), ("Named", ("aB",), {}), ("Unslotted", (1,), {}), ("Unslotted", (1, [2]), {}),
]


def _hash(record: Any) -> int | str:
    try:
        return hash(record)
    except TypeError as exc:  # a field holds a list, as with the standard decorator
        return str(exc)


def _behaviour(shapes: dict[str, type]) -> list[Any]:
    made = [shapes[name](*args, **kwargs) for name, args, kwargs in CASES]
    seen: list[Any] = []
    for a in made:
        seen.append(repr(a))
        seen.append(_hash(a))
        seen.append([a == b for b in made])
        seen.append(dataclasses.astuple(a))
        seen.append(type(a).__match_args__)
        seen.append(str(inspect.signature(type(a))))
        seen.append(type(a).__doc__)
    return seen


def test_the_records_behave_as_the_standard_decorators() -> None:
    assert _behaviour(FAST) == _behaviour(STANDARD)


def test_a_record_that_contains_itself_prints_an_ellipsis() -> None:
    for shapes in (STANDARD, FAST):
        holder: list[Any] = []
        node = shapes["Node"]("+", (holder,))
        holder.append(node)
        assert repr(node) == "_shapes.<locals>.Node(op='+', items=([...],))"
