"""Records behave as ``@dataclass(frozen=True, slots=True)`` does, in what modelsync uses.

Each behaviour is checked differentially: the same class body is built once as a real
frozen, slotted dataclass and once as a record, and both must answer alike.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from typing import ClassVar

import pytest

from modelsync import records
from modelsync.records import FrozenRecordError, field, record


def both(body: str, *, order: bool = False) -> tuple[type, type]:
    """The class ``C`` defined by ``body``, as a dataclass and as a record."""
    made = []
    for decorator in (
        f"dataclasses.dataclass(frozen=True, slots=True, order={order})",
        f"records.record(order={order})",
    ):
        field_function = "dataclasses.field" if decorator.startswith("dataclasses") else "rfield"
        scope = {"dataclasses": dataclasses, "records": records, "rfield": records.field}
        source = f"@{decorator}\nclass C:\n" + body.replace("FIELD", field_function)
        exec(source, scope)
        made.append(scope["C"])
    return made[0], made[1]


BODY = """
    '''A record.'''
    name: str
    size: int = 0
    line: int = FIELD(default=0, compare=False)
    tags: tuple = ()

    def shout(self):
        return self.name.upper()
"""


def test_equality_hash_and_repr_match_dataclasses() -> None:
    dc, rc = both(BODY)
    for make in (dc, rc):
        a, b, c = make("x", 1, line=3), make("x", 1, line=9), make("x", 2)
        assert a == b and hash(a) == hash(b)  # the line is not compared
        assert a != c and len({a, b, c}) == 2
        assert a.shout() == "X"
        assert a != ("x", 1, 0, ()) and (a == object()) is False
    assert repr(rc("x", 1, line=3)) == repr(dc("x", 1, line=3)).replace(dc.__qualname__, "C")
    assert rc.__doc__ == "A record."
    assert rc.__match_args__ == dc.__match_args__


def test_a_record_of_another_class_is_never_equal() -> None:
    first = record(type("First", (), {"__annotations__": {"a": "int"}}))
    second = record(type("Second", (), {"__annotations__": {"a": "int"}}))
    assert first(1) != second(1)
    assert first(1) == first(1)


def test_frozen_and_slotted() -> None:
    _, rc = both(BODY)
    item = rc("x")
    with pytest.raises(FrozenRecordError):
        item.name = "y"
    with pytest.raises(FrozenRecordError):
        del item.name
    with pytest.raises(AttributeError):
        item.other = 1
    assert isinstance(FrozenRecordError("x"), AttributeError)
    assert not hasattr(item, "__dict__")
    assert rc.__slots__ == ("name", "size", "line", "tags")


def test_init_errors_match_dataclasses() -> None:
    dc, rc = both(BODY)
    for call in (lambda c: c(), lambda c: c("x", 1, 2, (), 5), lambda c: c("x", nope=1)):
        with pytest.raises(TypeError) as expected:
            call(dc)
        with pytest.raises(TypeError) as got:
            call(rc)
        # The same complaint, naming the same argument.
        assert str(got.value).split("() ", 1)[1] == str(expected.value).split("() ", 1)[1]


def test_default_factory_init_false_and_post_init() -> None:
    body = """
    items: tuple
    seen: list = FIELD(default_factory=list, compare=False)
    count: int = FIELD(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "count", len(self.items))
"""
    for make in both(body):
        a, b = make((1, 2)), make((1, 2))
        assert a.count == 2 and a.seen == [] and a.seen is not b.seen
        assert a == b
        with pytest.raises(TypeError):
            make((1,), count=3)
        assert "count" not in repr(a)


def test_replace_and_fields() -> None:
    dc, rc = both(BODY)
    original = rc("x", 1, line=3)
    changed = records.replace(original, size=5)
    assert (changed.name, changed.size, changed.line) == ("x", 5, 3)
    assert original.size == 1
    missing = {id(records.MISSING), id(dataclasses.MISSING)}
    assert [
        (f.name, "-" if id(f.default) in missing else f.default, f.compare)
        for f in records.fields(rc)
    ] == [
        (f.name, "-" if id(f.default) in missing else f.default, f.compare)
        for f in dataclasses.fields(dc)
    ]
    assert records.fields(original) == records.fields(rc)
    assert [f.type for f in records.fields(rc)] == ["str", "int", "int", "tuple"]
    assert records.fields(rc)[0].default is records.MISSING
    with pytest.raises(TypeError):
        records.fields(object())
    with pytest.raises(TypeError):
        records.replace(original, nope=1)

    body = "    a: int\n    b: int = FIELD(init=False, default=0)\n"
    _, not_init = both(body)
    with pytest.raises(ValueError, match="not set by __init__"):
        records.replace(not_init(1), b=2)
    assert records.replace(not_init(1), a=2).b == 0


def test_order() -> None:
    dc, rc = both("    a: int\n    b: str = ''\n", order=True)
    values = [(2, "a"), (1, "z"), (1, "b")]
    assert [(r.a, r.b) for r in sorted(rc(*v) for v in values)] == [
        (d.a, d.b) for d in sorted(dc(*v) for v in values)
    ]
    assert rc(1) < rc(2) <= rc(2) and rc(3) > rc(2) >= rc(2)
    with pytest.raises(TypeError):
        _ = rc(1) < 2


def test_copy_and_pickle_round_trip() -> None:
    item = Picklable("x", (1, 2), line=4)
    for twin in (copy.copy(item), copy.deepcopy(item), pickle.loads(pickle.dumps(item))):
        assert twin == item and twin.line == 4 and twin is not item


@record
class Picklable:
    name: str
    values: tuple[int, ...]
    line: int = field(default=0, compare=False)


def test_inherited_fields_and_methods() -> None:
    @record
    class Base:
        a: int
        b: int = 0

        def total(self) -> int:
            return self.a + self.b

    @record
    class Child(Base):
        c: int = 1

    item = Child(1, 2, 3)
    assert (item.a, item.b, item.c, item.total()) == (1, 2, 3, 3)
    assert [f.name for f in records.fields(Child)] == ["a", "b", "c"]
    assert Child.__slots__ == ("c",)
    assert Child(1) != Base(1)
    assert records.replace(item, c=9).c == 9


def test_what_dataclasses_refuses_is_refused() -> None:
    with pytest.raises(ValueError, match="mutable default"):
        record(type("M", (), {"__annotations__": {"a": "list"}, "a": []}))
    with pytest.raises(TypeError, match="non-default field 'b'"):
        record(type("N", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 0}))
    with pytest.raises(ValueError, match="both a default and a default_factory"):
        field(default=1, default_factory=list)


def test_class_variables_and_own_methods_are_left_alone() -> None:
    @record
    class Kept:
        LIMIT: ClassVar[int] = 3
        a: int

        def __repr__(self) -> str:
            return "mine"

    assert [f.name for f in records.fields(Kept)] == ["a"]
    assert Kept.LIMIT == 3 and repr(Kept(1)) == "mine"


def test_building_a_record_class_compiles_nothing() -> None:
    # The point of records: importing the modules that define them compiles no code, nor
    # do a class's first instances; a class much used gets its own __init__, once.
    # Counted in a fresh interpreter: calls to compile().
    probe = (
        "import builtins\n"
        "from modelsync.records import COMPILE_AFTER, record, field\n"
        "count = 0\n"
        "real = builtins.compile\n"
        "def counting(*a, **k):\n"
        "    global count\n"
        "    count += 1\n"
        "    return real(*a, **k)\n"
        "builtins.compile = counting\n"
        "classes = [record(type(f'C{i}', (), {'__annotations__': {'a': 'int', 'b': 'str'},"
        " 'b': field(default='', compare=False)})) for i in range(50)]\n"
        "print(count)\n"
        "made = [classes[0](n) for n in range(COMPILE_AFTER)]\n"
        "print(count)\n"
        "made += [classes[0](n, b='x') for n in range(COMPILE_AFTER)]\n"
        "print(count)\n"
        "assert [m.a for m in made] == list(range(COMPILE_AFTER)) * 2\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0", "1"]


@pytest.mark.parametrize("made_before", [0, records.COMPILE_AFTER + 1])
def test_the_shared_and_the_compiled_init_agree(made_before: int) -> None:
    # The same calls through the shared __init__ (a fresh class) and through the
    # compiled one (a class past COMPILE_AFTER instances): the same records or the same
    # TypeError as a dataclass gives.
    body = """
    a: int
    b: str = "b"
    c: tuple = FIELD(default_factory=tuple, compare=False)
    d: int = FIELD(init=False, default=4)
"""
    dc, rc = both(body)
    for _ in range(made_before):
        rc(0)
    calls = [((1,), {}), ((1, "x"), {}), ((), {"a": 1, "c": (2,)}), ((1,), {"b": "y"})]
    for args, kwargs in calls:
        got, expected = rc(*args, **kwargs), dc(*args, **kwargs)
        assert [getattr(got, n) for n in "abcd"] == [getattr(expected, n) for n in "abcd"]
    bad = [((), {}), ((1, "x", (), 4), {}), ((1,), {"a": 2}), ((1,), {"d": 5}), ((1,), {"z": 0})]
    for args, kwargs in bad:
        if not made_before:
            _, rc = both(body)  # a fresh class: its shared __init__ meets the bad call
        with pytest.raises(TypeError) as expected_error:
            dc(*args, **kwargs)
        with pytest.raises(TypeError) as got_error:
            rc(*args, **kwargs)
        assert (
            str(got_error.value).split("() ", 1)[1]
            == (str(expected_error.value).split("() ", 1)[1])
        )


def test_a_plain_subclass_keeps_its_own_init() -> None:
    # The base's __init__, called from a subclass's own, compiles for (and replaces) the
    # base's, never the subclass's.
    @record
    class Base:
        a: int

    class Scaled(Base):
        __slots__ = ()

        def __init__(self, a: int) -> None:
            Base.__init__(self, a * 10)

    made = [Scaled(n) for n in range(records.COMPILE_AFTER * 2)]
    assert [m.a for m in made] == [n * 10 for n in range(records.COMPILE_AFTER * 2)]
    assert "__init__" in vars(Scaled) and Scaled.__init__ is not Base.__init__


def test_missing_given_explicitly_and_copied() -> None:
    body = "    a: list = FIELD(default_factory=list)\n"
    dc, rc = both(body)
    for _ in range(records.COMPILE_AFTER + 2):  # the shared __init__, then the compiled one
        assert rc(records.MISSING).a is records.MISSING
    assert dc(dataclasses.MISSING).a is dataclasses.MISSING
    assert pickle.loads(pickle.dumps(records.MISSING)) is records.MISSING
    assert copy.deepcopy(records.MISSING) is records.MISSING


def test_an_unhashable_default_is_refused_as_dataclasses_does() -> None:
    for default in ([], {}, set(), bytearray()):
        with pytest.raises(ValueError, match="mutable default"):
            record(type("M", (), {"__annotations__": {"a": "object"}, "a": default}))
        with pytest.raises(ValueError):
            dataclasses.dataclass(type("M", (), {"__annotations__": {"a": "object"}, "a": default}))
