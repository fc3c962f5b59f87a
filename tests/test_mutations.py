"""Mutation tests: every single-column drift of the example's mirror must be caught by `check`.

The mutations are built from ``examples/interview/ai-worker/db.py`` with ``ast``: one field
statement (or one class) is rewritten from its node position, everything else stays byte for
byte. Each mutation runs ``modelsync check --format json`` on its own copy of the example, as
a whole process; the runs are made concurrently once per session and the parametrized tests
only assert on the results. Equivalent rewrites (``ruff format``, reordered fields, edited
helpers) must stay clean.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "interview"
SOURCE = "backend-core/models.py"
TARGET = "ai-worker/db.py"
TARGET_TEXT = (EXAMPLE / TARGET).read_text(encoding="utf-8")
EXTRA_IMPORT = "from sqlalchemy import JSON, BigInteger, String, Text  # mutation\n"
ANNOTATION_SWAP = {"int": "str", "str": "int", "float": "int", "bool": "int", "datetime": "str"}
ANNOTATION_SWAP |= {"Decimal": "float", "dict": "str"}
EXTRA_COLUMN = "    extra_col: Optional[int] = None\n"
ONDELETE_SWAP = {None: "CASCADE", "CASCADE": "RESTRICT", "SET NULL": "CASCADE"}


@dataclass(frozen=True)
class Mutation:
    id: str
    tables: tuple[str, ...]  # tables that must report the drift (several for a mixin field)
    column: str | None  # None: only the kind is checked (enum labels)
    kinds: frozenset[str]  # any of these kinds is right
    text: str  # the whole mutated db.py
    rejected: bool = False  # real SQLModel refuses to import this mirror

    def __repr__(self) -> str:
        return self.id


@dataclass(frozen=True)
class FieldInfo:
    owner: str  # class name
    tables: tuple[str, ...]
    node: ast.AnnAssign
    call: ast.Call | None  # the Field(...) call
    column: ast.Call | None  # the sa_column=Column(...) call
    in_table_args: bool  # named by an Index/UniqueConstraint of its class

    @property
    def name(self) -> str:
        return self.node.target.id  # type: ignore[attr-defined]

    @property
    def end(self) -> int:
        return self.node.end_lineno or self.node.lineno


# --------------------------------------------------------------------------- ast helpers


def kwarg(call: ast.Call | None, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None) if call else None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def call_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


def set_kwarg(call: ast.Call, name: str, value: object) -> None:
    """Set (value is not None) or drop (None) keyword ``name`` of ``call`` in place."""
    call.keywords = [k for k in call.keywords if k.arg != name]
    if value is not None:
        node = value if isinstance(value, ast.expr) else ast.Constant(value)
        call.keywords.append(ast.keyword(arg=name, value=node))


def offset(text: str, line: int, col: int) -> int:
    """Character offset of an ast (line, UTF-8 byte column) position."""
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: line - 1])
    return start + len(lines[line - 1].encode()[:col].decode())


def replace_node(text: str, node: ast.stmt, new: str) -> str:
    start = offset(text, node.lineno, node.col_offset)
    end = offset(text, node.end_lineno or node.lineno, node.end_col_offset or 0)
    return text[:start] + new + text[end:]


def delete_lines(text: str, first: int, last: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[: first - 1] + lines[last:])


def insert_line(text: str, after: int, line: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[:after] + [line] + lines[after:])


def add_import(text: str) -> str:
    tree = ast.parse(text)
    last = max(n.end_lineno or 0 for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))
    return insert_line(text, last, EXTRA_IMPORT)


# --------------------------------------------------------------------------- model discovery


def table_classes(tree: ast.Module) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(table class -> table name, class -> base class names) of the module."""
    tables, bases = {}, {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
        if any(k.arg == "table" and is_true(k.value) for k in node.keywords):
            name = next(
                s.value.value
                for s in node.body
                if isinstance(s, ast.Assign)
                and getattr(s.targets[0], "id", "") == "__tablename__"
                and isinstance(s.value, ast.Constant)
            )
            tables[node.name] = name
    return tables, bases


def inherits(cls: str, ancestor: str, bases: dict[str, list[str]]) -> bool:
    return cls == ancestor or any(inherits(b, ancestor, bases) for b in bases.get(cls, ()))


def table_args_names(cls: ast.ClassDef) -> set[str]:
    """Every string constant inside the class's ``__table_args__``."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "") == "__table_args__":
            return {
                n.value
                for n in ast.walk(stmt.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
    return set()


def fields(text: str) -> Iterator[FieldInfo]:
    tree = ast.parse(text)
    tables, bases = table_classes(tree)
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        owners = tuple(t for c, t in tables.items() if inherits(c, node.name, bases))
        if not owners:
            continue  # enums, API schemas
        for stmt in node.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            call = stmt.value if call_name(stmt.value) == "Field" else None
            if call_name(stmt.value) == "Relationship" or stmt.target.id.startswith("__"):
                continue
            column = kwarg(call, "sa_column")
            column = column if call_name(column) == "Column" else None
            constrained = stmt.target.id in table_args_names(node)
            yield FieldInfo(node.name, owners, stmt, call, column, constrained)  # type: ignore


def is_optional(annotation: ast.expr) -> bool:
    if isinstance(annotation, ast.Subscript):
        return getattr(annotation.value, "id", "") == "Optional"
    if isinstance(annotation, ast.BinOp):
        return any(
            isinstance(x, ast.Constant) and x.value is None
            for x in (annotation.left, annotation.right)
        )
    return False


def nullable(f: FieldInfo) -> bool:
    """The column's nullability as SQLModel derives it."""
    if f.column is not None:
        explicit = kwarg(f.column, "nullable")
        return explicit.value if isinstance(explicit, ast.Constant) else True
    explicit = kwarg(f.call, "nullable")
    if isinstance(explicit, ast.Constant):
        return bool(explicit.value)
    return not is_true(kwarg(f.call, "primary_key")) and is_optional(f.node.annotation)


# --------------------------------------------------------------------------- mutations

Edit = Callable[[ast.AnnAssign, ast.Call], None]


def rewrite(f: FieldInfo, edit: Edit) -> str:
    """db.py with the field's statement replaced by an edited copy of itself.

    ``edit`` gets the statement and the call that holds the column options: the
    ``sa_column=Column(...)`` call if there is one, else ``Field(...)`` (made up if missing).
    """
    stmt = copy.deepcopy(f.node)
    if call_name(stmt.value) != "Field":
        default = [] if stmt.value is None else [ast.keyword("default", stmt.value)]
        stmt.value = ast.Call(ast.Name("Field"), [], default)
    call = stmt.value
    if f.column is not None:
        call = kwarg(call, "sa_column")
    edit(stmt, call)  # type: ignore[arg-type]
    return replace_node(TARGET_TEXT, f.node, ast.unparse(ast.fix_missing_locations(stmt)))


def set_option(name: str, value: object) -> Edit:
    return lambda stmt, call: set_kwarg(call, name, value)


def toggle(name: str) -> Edit:
    return lambda stmt, call: set_kwarg(call, name, None if is_true(kwarg(call, name)) else True)


def drop_foreign_key(stmt: ast.AnnAssign, call: ast.Call) -> None:
    set_kwarg(call, "foreign_key", None)
    set_kwarg(call, "ondelete", None)


def swap_annotation(stmt: ast.AnnAssign, call: ast.Call) -> None:
    for node in ast.walk(stmt.annotation):
        if isinstance(node, ast.Name) and node.id not in ("Optional", "list"):
            node.id = ANNOTATION_SWAP.get(node.id, "str")  # enums become str
            return


def swap_column_type(stmt: ast.AnnAssign, column: ast.Call) -> None:
    first = column.args[0]
    if call_name(first) == "Vector":
        new = "Vector(384)"
    elif call_name(first) == "DateTime":
        new = "DateTime()"
    else:
        name = getattr(first, "id", "")
        new = {"JSONB": "JSON", "Text": "String(50)", "Integer": "BigInteger"}.get(name, "Text")
    column.args[0] = ast.parse(new, mode="eval").body


def toggle_optional(stmt: ast.AnnAssign, call: ast.Call) -> None:
    ann = stmt.annotation
    if isinstance(ann, ast.Subscript):
        stmt.annotation = ann.slice  # Optional[X] -> X
    elif isinstance(ann, ast.BinOp):
        stmt.annotation = ann.left  # X | None -> X
    else:
        stmt.annotation = ast.Subscript(ast.Name("Optional"), ann)


def column_mutations(f: FieldInfo, int_tables: list[str]) -> Iterator[tuple[str, set, str]]:
    """(id suffix, acceptable kinds, mutated db.py) for one field."""
    yield "remove", {"column_missing"}, delete_lines(TARGET_TEXT, f.node.lineno, f.end)
    if f.column is not None:
        yield "type", {"type"}, add_import(rewrite(f, swap_column_type))
    else:
        yield "type", {"type"}, rewrite(f, swap_annotation)
        length = kwarg(f.call, "max_length")
        if isinstance(length, ast.Constant):
            yield "length", {"type"}, rewrite(f, set_option("max_length", length.value + 1))
    primary_key = is_true(kwarg(f.call, "primary_key"))
    if not primary_key:
        yield "nullable", {"nullable"}, rewrite(f, set_option("nullable", not nullable(f)))
        if f.column is None and kwarg(f.call, "nullable") is None:
            yield "optional", {"nullable"}, rewrite(f, toggle_optional)
    # With index=True and unique=True both, SQLAlchemy makes one UNIQUE INDEX ix_<table>_<col>;
    # toggling either option is still reported under the option's own kind.
    yield "index", {"index"}, rewrite(f, toggle("index"))
    yield "unique", {"unique"}, rewrite(f, toggle("unique"))

    target = kwarg(f.call, "foreign_key")
    if not isinstance(target, ast.Constant):
        return
    yield "fk-drop", {"foreign_key"}, rewrite(f, drop_foreign_key)
    old = kwarg(f.call, "ondelete")
    ondelete = ONDELETE_SWAP[old.value if isinstance(old, ast.Constant) else None]
    yield "fk-ondelete", {"foreign_key"}, rewrite(f, set_option("ondelete", ondelete))
    others = [t for t in int_tables if f"{t}.id" != target.value and t not in f.tables]
    if target.value.split(".")[0] in int_tables and others:
        new_target = f"{others[0]}.id"
        yield "fk-target", {"foreign_key"}, rewrite(f, set_option("foreign_key", new_target))


def rejected_by_sqlmodel(f: FieldInfo, suffix: str) -> bool:
    """Would importing the mutant raise? (no primary key, an Index or UniqueConstraint on a
    missing column, ondelete="SET NULL" on a NOT NULL column)"""
    if suffix == "remove":
        return is_true(kwarg(f.call, "primary_key")) or f.in_table_args
    set_null = getattr(kwarg(f.call, "ondelete"), "value", None) == "SET NULL"
    return set_null and suffix in ("nullable", "optional")  # such columns are nullable now


def build_mutations() -> list[Mutation]:
    tree = ast.parse(TARGET_TEXT)
    tables, _ = table_classes(tree)
    all_fields = list(fields(TARGET_TEXT))
    int_tables = [
        f.tables[0]
        for f in all_fields
        if f.name == "id" and f.owner in tables and "int" in ast.unparse(f.node.annotation)
    ]
    result = []
    for f in all_fields:
        label = f.tables[0] if f.owner in tables else f.owner
        for suffix, kinds, text in column_mutations(f, int_tables):
            mutation_id = f"{label}.{f.name}-{suffix}"
            rejected = rejected_by_sqlmodel(f, suffix)
            kinds = frozenset(kinds)
            result.append(Mutation(mutation_id, f.tables, f.name, kinds, text, rejected))
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        if node.name in tables:
            table = tables[node.name]
            text = insert_line(TARGET_TEXT, node.end_lineno or 0, EXTRA_COLUMN)
            kinds = frozenset({"column_extra"})
            result.append(Mutation(f"{table}.extra_col-extra", (table,), "extra_col", kinds, text))
        elif "Enum" in [getattr(b, "id", "") for b in node.bases]:
            last = node.body[-1]  # drop the last label
            text = delete_lines(TARGET_TEXT, last.lineno, last.end_lineno or last.lineno)
            kinds = frozenset({"enum_labels"})
            result.append(Mutation(f"{node.name}-enum-label", (), None, kinds, text))
    for mutation in result:
        ast.parse(mutation.text, filename=mutation.id)  # every mutant is valid Python
    return result


MUTATIONS = build_mutations()


# --------------------------------------------------------------------------- equivalent rewrites


def reorder_fields(path: Path) -> None:
    """Reverse the field order of every table and mixin class (comments move along)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    by_class: dict[str, list[FieldInfo]] = {}
    for f in fields(text):
        by_class.setdefault(f.owner, []).append(f)
    for group in sorted(by_class.values(), key=lambda g: -g[0].node.lineno):
        starts = [f.node.lineno for f in group]
        spans = [(prev.end + 1, f.end) for prev, f in zip(group, group[1:], strict=False)]
        spans.insert(0, (starts[0], group[0].end))
        pieces = ["".join(lines[a - 1 : b]) for a, b in spans]
        lines[starts[0] - 1 : group[-1].end] = list(reversed(pieces))
    path.write_text("".join(lines), encoding="utf-8")


def ruff_format(path: Path) -> None:
    argv = [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "79", str(path)]
    subprocess.run(argv, check=True, capture_output=True)


NEW_HELPER = '''

def count_company_questions(session: Session, company_id: str) -> int:
    """A helper added by hand: not a model, so not drift."""
    statement = select(Question.id).where(Question.company_id == company_id)
    return len(session.exec(statement).all())
'''


def edit_helpers(path: Path) -> None:
    """Change one helper, delete another, add a third."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    body = helpers["get_company_by_id"].body[-1]
    text = replace_node(
        text,
        body,
        "company = session.get(Company, company_id.upper())\n"
        '    logger.debug("company %s found: %s", company_id, company is not None)\n'
        "    return company",
    )
    gone = helpers["get_interview"]
    text = delete_lines(text, gone.lineno, gone.end_lineno or gone.lineno)
    path.write_text(text + NEW_HELPER, encoding="utf-8")


EQUIVALENT = {"ruff-format": ruff_format, "reordered-fields": reorder_fields}
EQUIVALENT["edited-helpers"] = edit_helpers


# --------------------------------------------------------------------------- running check


def materialize(root: Path, target_text: str | None = None) -> Path:
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    if target_text is not None:
        (root / TARGET).write_text(target_text, encoding="utf-8")
    return root


def run_check(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "modelsync", "check", "--root", str(root), *extra]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def findings_of(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    try:
        return json.loads(proc.stdout)["findings"]
    except (ValueError, KeyError, TypeError) as exc:
        output = proc.stdout + proc.stderr
        pytest.fail(f"no JSON findings ({exc}), exit {proc.returncode}:\n{output}")


def brief(findings: list[dict]) -> list[str]:
    return [f"{f['kind']}:{f['table']}.{f['column']}" for f in findings]


@pytest.fixture(scope="session")
def mutation_results(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run check once for every selected mutation, concurrently (one process each)."""
    wanted = {}
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if isinstance(params.get("mutation"), Mutation):
            wanted[params["mutation"].id] = params["mutation"]
    base = tmp_path_factory.mktemp("mutants")

    def run(mutation: Mutation) -> tuple[str, subprocess.CompletedProcess[str]]:
        root = materialize(base / mutation.id, mutation.text)
        return mutation.id, run_check(root, "--format", "json")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(run, wanted.values()))


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_mutation_is_reported(
    mutation: Mutation, mutation_results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    proc = mutation_results[mutation.id]
    if mutation.rejected and proc.returncode == 2:
        # SQLModel itself would refuse this mirror: a usage error naming the place will do.
        assert re.fullmatch(rf".*{re.escape(TARGET)}:\d+: .+\n", proc.stderr), proc.stderr
        return
    assert proc.returncode == 1, f"exit {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    findings = findings_of(proc)
    for table in mutation.tables or (None,):
        kinds = {
            f["kind"]
            for f in findings
            if table in (None, f["table"]) and mutation.column in (None, f["column"])
        }
        assert kinds & mutation.kinds, (
            f"expected {sorted(mutation.kinds)} for {table}.{mutation.column}, "
            f"got {brief(findings)}"
        )
    unrelated = [f for f in findings if mutation.tables and f["table"] not in mutation.tables]
    assert not unrelated, f"findings for tables that did not change: {brief(unrelated)}"


def test_example_is_clean(tmp_path: Path) -> None:
    proc = run_check(materialize(tmp_path / "example"), "--format", "json")
    assert (proc.returncode, findings_of(proc)) == (0, []), proc.stderr


@pytest.mark.parametrize("rewrite", EQUIVALENT.values(), ids=EQUIVALENT.keys())
def test_equivalent_rewrite_is_clean(rewrite: Callable[[Path], None], tmp_path: Path) -> None:
    root = materialize(tmp_path / "example")
    before = (root / TARGET).read_text(encoding="utf-8")
    rewrite(root / TARGET)
    assert (root / TARGET).read_text(encoding="utf-8") != before
    proc = run_check(root, "--format", "json")
    assert (proc.returncode, brief(findings_of(proc))) == (0, []), proc.stderr


def field_lines(text: str, table: str, column: str) -> range:
    f = next(f for f in fields(text) if f.tables == (table,) and f.name == column)
    return range(f.node.lineno, f.end + 1)


def test_text_report_names_both_sides(tmp_path: Path) -> None:
    mutation = next(m for m in MUTATIONS if m.id == "questions.embedding-type")
    root = materialize(tmp_path / "example", mutation.text)
    proc = run_check(root)
    assert proc.returncode == 1, proc.stderr
    source_text = (EXAMPLE / SOURCE).read_text(encoding="utf-8")
    for rel, text in ((SOURCE, source_text), (TARGET, mutation.text)):
        match = re.search(re.escape(rel) + r":(\d+)", proc.stdout)
        assert match, f"{rel}:LINE not in the report:\n{proc.stdout}"
        assert int(match[1]) in field_lines(text, "questions", "embedding"), proc.stdout
