"""Inheritance as Python resolves it, in time linear in what it must read (issue 18).

modelsync orders a table class's ancestors by C3, as CPython does: a property compares its
order with ``__mro__`` of the same classes really defined, and its refusal with CPython's
``TypeError``. A diamond of bases many levels deep (2**n paths to its root) is read in
one pass per class: no question about a class is answered by walking every path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelsync.errors import ModelError
from modelsync.modules.source import parse_python
from modelsync.schema.classes import ClassIndex as _ClassIndex
from modelsync.schema.classes import FileSpace
from modelsync.schema.parse import gather
from tests.hardening.harness import SOURCE_PATH, Case, run_case
from tests.oracle import sqlmodel_schemas
from tests.test_differential import differences, modelsync_schema, normalize


@st.composite
def hierarchies(draw) -> list[tuple[str, list[str]]]:
    """Classes C0..Cn, each with up to three earlier classes as bases, in any order."""
    classes: list[tuple[str, list[str]]] = []
    for number in range(draw(st.integers(1, 12))):
        earlier = [name for name, _ in classes]
        bases = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
        classes.append((f"C{number}", bases))
    return classes


def _source(classes: list[tuple[str, list[str]]]) -> str:
    return "".join(f"class {name}({', '.join(bases)}):\n    pass\n" for name, bases in classes)


def _python_mro(source: str, name: str) -> list[str] | None:
    namespace: dict = {}
    try:
        exec(compile(source, "models.py", "exec"), namespace)
    except TypeError:  # CPython: "Cannot create a consistent method resolution order"
        return None
    return [cls.__name__ for cls in namespace[name].__mro__ if cls is not object]


def _modelsync_mro(source: str, name: str) -> list[str] | None:
    model_file = gather(parse_python(source, "models.py"), "models.py")
    index = _ClassIndex(FileSpace(model_file))
    try:
        index.warm(model_file.classes)
    except ModelError:
        return None
    return [decl.name for decl in reversed(index.ancestry(model_file.find(name)))]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(hierarchies())
def test_method_resolution_order_is_cpythons(classes: list[tuple[str, list[str]]]) -> None:
    source = _source(classes)
    last = classes[-1][0]
    python = _python_mro(source, last)
    if python is None:  # CPython refuses the file at some class; so must modelsync
        assert _modelsync_mro(source, last) is None
    else:
        assert _modelsync_mro(source, last) == python


def _diamond(levels: int) -> str:
    """A0 <- (B1, C1) <- A1 <- (B2, C2) <- A2 ...: 2**levels paths from the table to A0,
    and the same shape of ``str`` subclasses for a column's type, so that every question
    asked of a class's bases (its MRO, its fields, enum or not, which built-in it
    extends) meets a diamond."""
    lines = [
        "from sqlmodel import Field, SQLModel",
        "class A0(SQLModel):",
        "    model_config = {'arbitrary_types_allowed': True}  # for a str subclass",
        "    a0: int = 0",
        "class S0(str):",
        "    pass",
    ]
    for i in range(1, levels + 1):
        for family, more in (("A", ""), ("S", "")):
            left, right, joined = f"{family}L{i}", f"{family}R{i}", f"{family}{i}"
            body = f"    {joined.lower()}: int = 0" if family == "A" else "    pass"
            lines += [
                f"class {left}({family}{i - 1}):",
                "    pass",
                f"class {right}({family}{i - 1}):",
                "    pass",
                f"class {joined}({left}, {right}):{more}",
                body,
            ]
    lines += [
        f"class T(A{levels}, table=True):",
        "    id: int = Field(primary_key=True)",
        f"    code: S{levels} = Field(max_length=5)",
    ]
    return "\n".join(lines) + "\n"


def test_a_diamond_has_the_schema_sqlmodel_makes(tmp_path: Path) -> None:
    """Ten levels (pydantic itself takes seconds per level past about 16: its own walk of
    a class's bases is exponential in a diamond's depth)."""
    path = tmp_path / "models.py"
    path.write_text(_diamond(10), encoding="utf-8")
    (verdict,) = sqlmodel_schemas([path]).values()
    assert "error" not in verdict, verdict
    ours = modelsync_schema(path)
    assert not differences(normalize(verdict["schema"]), normalize(ours))


@pytest.mark.timeout(60)  # a hang guard: before the fix, 28 levels took minutes
@pytest.mark.parametrize("command", ["schema", "generate", "check"])
def test_a_deep_diamond_of_bases(tmp_path: Path, command: str) -> None:
    args = ("schema", SOURCE_PATH) if command == "schema" else (command,)
    files = {SOURCE_PATH: _diamond(60)}
    if command == "check":
        files["ai-worker/db.py"] = _diamond(60)
    run_case(tmp_path, Case(f"diamond_{command}", args, 0, files=files, target="none"))
    if command == "generate":
        written = (tmp_path / "project" / "ai-worker" / "db.py").read_text(encoding="utf-8")
        assert "class A60(AL60, AR60):" in written and "class S60(SL60, SR60):" in written
