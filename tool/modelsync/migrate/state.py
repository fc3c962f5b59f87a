"""The schema state: the Schema IR that the last migration was written from, as JSON.

``schema_state.json`` lives in the migrations folder next to the SQL files. ``migration``
diffs the current models against it and rewrites it in the same step as the new file;
``check`` compares the models with it (``migration_missing``); ``verify`` takes its
``baseline`` as the database a team already had.

The text is made for review and for git:
- one block per table, tables and enums sorted by name, keys in one fixed order, one line
  per column, index and constraint, values equal to the IR's defaults left out, no source
  line numbers (moving a class is not a schema change), a trailing newline;
- ``"head"`` names the migration file last written from the state, on its own line near
  the top. Two branches that both write a migration both change that line, so merging them
  is a conflict on it: the sign that both changed the schema and one migration must be
  written again after the other.

Pure JSON in and out: no SQLAlchemy, so ``check`` can read it.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from dataclasses import MISSING, dataclass, fields, replace
from pathlib import Path
from typing import Any

from modelsync.errors import InputError
from modelsync.migrate.folder import MigrationFile
from modelsync.schema.ir import (
    CheckConstraint,
    Column,
    ColumnComputed,
    ColumnIdentity,
    EnumType,
    Index,
    IndexElement,
    Schema,
    Table,
    UniqueConstraint,
)

STATE_FILE = "schema_state.json"
FORMAT_KEY = "modelsync_schema_state"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SchemaState:
    schema: Schema
    # File name of the last migration written from this state (None: none yet).
    head: str | None
    # The schema the team's database already had when it adopted migrations (--baseline),
    # and the last migration file that baseline already includes (None: before any file).
    baseline: Schema | None
    baseline_after: str | None


# --- the state's life: --baseline, each new migration, verify's starting point ---------


def baseline_state(schema: Schema, files: tuple[MigrationFile, ...]) -> SchemaState:
    """``migration --baseline``: the database already has the current models and every
    migration file in the folder (``files``, in order), so no SQL is written."""
    last = files[-1].name if files else None
    kept = stored_schema(schema)
    return SchemaState(kept, head=last, baseline=kept, baseline_after=last)


def advanced_state(state: SchemaState | None, schema: Schema, written: str) -> SchemaState:
    """The state after ``written`` (a new migration file's name) took the database to
    ``schema``; the baseline, if any, stays as recorded."""
    baseline = state.baseline if state else None
    after = state.baseline_after if state else None
    return SchemaState(stored_schema(schema), written, baseline, after)


def files_after_baseline(
    files: tuple[MigrationFile, ...], state: SchemaState, shown_state: str
) -> tuple[MigrationFile, ...]:
    """The migration files to apply on top of the baseline (``verify``'s state (a)): those
    after ``baseline_after``; all of them when the baseline came before any file."""
    if state.baseline_after is None:
        return files
    names = [f.name for f in files]
    if state.baseline_after not in names:
        raise InputError(
            f"the baseline was recorded after {state.baseline_after}, which is not in the "
            "migrations folder",
            shown_state,
        )
    return files[names.index(state.baseline_after) + 1 :]


# --- records <-> JSON objects ---------------------------------------------------------

# Fields that hold nested records (one record or a tuple of them), per record type.
_NESTED: dict[type, dict[str, type]] = {
    Table: {
        "columns": Column,
        "indexes": Index,
        "unique_constraints": UniqueConstraint,
        "check_constraints": CheckConstraint,
    },
    Column: {"identity": ColumnIdentity, "computed": ColumnComputed},
    Index: {"elements": IndexElement},
}
# JSON keys that differ from the field names (as ``modelsync schema --format json`` has them).
_KEY_OF = {"class_name": "class", "with_": "with"}
_FIELD_OF = {key: name for name, key in _KEY_OF.items()}
# Never stored: source positions change when code moves, and the schema does not.
_NOT_STORED = frozenset({"line"})


def _record_to_json(record: Any) -> dict[str, Any]:
    nested = _NESTED.get(type(record), {})
    out: dict[str, Any] = {}
    for f in fields(record):
        if f.name in _NOT_STORED:
            continue
        value = getattr(record, f.name)
        if _is_default(record, f, value):
            continue
        if f.name in nested:
            value = _nested_to_json(value)
        out[_KEY_OF.get(f.name, f.name)] = _plain(value)
    return out


def _is_default(record: Any, f: Any, value: Any) -> bool:
    if isinstance(record, Column) and f.name == "attribute":
        return value in ("", record.name)
    if isinstance(record, Index) and f.name == "elements":
        # Plain column keys are what ``Index`` derives from ``columns`` and ``ops``.
        return value == Index(record.name, record.columns, ops=record.ops).elements
    return f.default is not MISSING and value == f.default


def _nested_to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_record_to_json(item) for item in value]
    return None if value is None else _record_to_json(value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@functools.cache
def _stored_fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls)) - _NOT_STORED


def _record_from_json(cls: type, obj: Any, where: str) -> Any:
    if not isinstance(obj, dict):
        raise _ShapeError(f"{where}: expected an object")
    nested = _NESTED.get(cls, {})
    known = _stored_fields(cls)
    kwargs: dict[str, Any] = {}
    for key, value in obj.items():
        name = _FIELD_OF.get(key, key)
        if name not in known:
            raise _ShapeError(f"{where}: unknown key {key!r}")
        if name in nested:
            many = _annotations(cls)[name].startswith("tuple[")
            if not (isinstance(value, list) if many else value is None or isinstance(value, dict)):
                raise _ShapeError(f"{where}.{key}: {'a list' if many else 'an object'} expected")
            value = _nested_from_json(nested[name], value, f"{where}.{key}")
        else:
            value = _frozen(value) if isinstance(value, list | dict) else value
            if not _valid(_annotations(cls)[name], value):
                raise _ShapeError(f"{where}.{key}: {_annotations(cls)[name]} expected")
        kwargs[name] = value
    if cls is Column and "attribute" not in kwargs and isinstance(kwargs.get("name"), str):
        kwargs["attribute"] = kwargs["name"]
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise _ShapeError(f"{where}: {exc}") from None


def _nested_from_json(cls: type, value: Any, where: str) -> Any:
    if isinstance(value, list):
        return tuple(_record_from_json(cls, item, f"{where}[{i}]") for i, item in enumerate(value))
    return None if value is None else _record_from_json(cls, value, where)


@functools.cache
def _annotations(cls: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(cls)}


def _pairs(second: type | tuple[type, ...]):
    def check(value: Any) -> bool:
        return isinstance(value, tuple) and all(
            isinstance(p, tuple)
            and len(p) == 2
            and isinstance(p[0], str)
            and isinstance(p[1], second)
            for p in value
        )

    return check


# What a stored scalar field may hold, by its annotation in the IR, so that a hand-edited
# state cannot put a number where code expects a name.
_CHECKS = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "str | None": lambda v: v is None or isinstance(v, str),
    "bool | None": lambda v: v is None or isinstance(v, bool),
    "tuple[str, ...]": lambda v: isinstance(v, tuple) and all(isinstance(x, str) for x in v),
    "tuple[tuple[str, str], ...]": _pairs(str),
    "tuple[tuple[str, int | bool], ...]": _pairs(int),
}


def _valid(annotation: str, value: Any) -> bool:
    # A field type the table does not know yet is taken as it is.
    check = _CHECKS.get(annotation)
    return check is None or check(value)


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return _UNEXPECTED_OBJECT
    return value


# Where a stored field holds a JSON object that no field takes: fails every check.
_UNEXPECTED_OBJECT = object()


class _ShapeError(Exception):
    """A well-formed JSON file that is not a schema state; becomes an InputError."""


def schema_to_json(schema: Schema) -> dict[str, Any]:
    """The schema as the state stores it: tables and enums sorted by name; warnings (about
    the source, not the database) and line numbers left out."""
    return {
        "source": schema.path,
        "enums": [_record_to_json(e) for e in sorted(schema.enums, key=lambda e: e.name)],
        "tables": [_record_to_json(t) for t in sorted(schema.tables, key=lambda t: t.name)],
    }


def schema_from_json(obj: Any) -> Schema:
    """The inverse of ``schema_to_json``. Raises ValueError on a malformed object."""
    try:
        return _schema_from_json(obj, "schema")
    except _ShapeError as exc:
        raise ValueError(str(exc)) from None


def _schema_from_json(obj: Any, where: str) -> Schema:
    if not isinstance(obj, dict) or not isinstance(obj.get("source"), str):
        raise _ShapeError(f"{where}: expected an object with a 'source' path")
    unknown = set(obj) - {"source", "tables", "enums"}
    if unknown:
        raise _ShapeError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    tables = obj.get("tables", [])
    enums = obj.get("enums", [])
    if not isinstance(tables, list) or not isinstance(enums, list):
        raise _ShapeError(f"{where}: 'tables' and 'enums' must be lists")
    # In name order even if a person reordered the file: the state's one canonical form.
    return stored_schema(
        Schema(
            path=obj["source"],
            tables=_nested_from_json(Table, tables, f"{where}.tables"),
            enums=_nested_from_json(EnumType, enums, f"{where}.enums"),
        )
    )


def stored_schema(schema: Schema) -> Schema:
    """What the state keeps of a schema: ``read(write(s)) == stored_schema(s)``."""
    return replace(
        schema,
        tables=tuple(sorted(schema.tables, key=lambda t: t.name)),
        enums=tuple(sorted(schema.enums, key=lambda e: e.name)),
        warnings=(),
    )


# --- the file ---------------------------------------------------------------------------


def state_text(state: SchemaState) -> str:
    lines = ["{", f'  "{FORMAT_KEY}": {FORMAT_VERSION},']
    lines.append(f'  "head": {_inline(state.head)},')
    lines.append(f'  "baseline_after": {_inline(state.baseline_after)},')
    lines += _schema_lines("schema", state.schema, last=state.baseline is None)
    if state.baseline is not None:
        lines += _schema_lines("baseline", state.baseline, last=True)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _schema_lines(key: str, schema: Schema, last: bool) -> list[str]:
    obj = schema_to_json(schema)
    lines = [f'  "{key}": {{', f'    "source": {_inline(obj["source"])},']
    lines += _list_lines("enums", obj["enums"], "    ", _inline_lines, last=False)
    lines += _list_lines("tables", obj["tables"], "    ", _table_lines, last=True)
    lines.append("  }" + ("" if last else ","))
    return lines


def _list_lines(key: str, items: list, indent: str, render, last: bool) -> list[str]:
    end = "" if last else ","
    if not items:
        return [f'{indent}"{key}": []{end}']
    lines = [f'{indent}"{key}": [']
    for i, item in enumerate(items):
        block = render(item, indent + "  ")
        if i < len(items) - 1:
            block[-1] += ","
        lines += block
    lines.append(f"{indent}]{end}")
    return lines


def _table_lines(table: dict[str, Any], indent: str) -> list[str]:
    """One table as a block: its scalar keys one per line, its records one per line."""
    inner = indent + "  "
    entries: list[list[str]] = []
    for key, value in table.items():
        if key in _NESTED[Table]:
            entries.append(_list_lines(key, value, inner, _inline_lines, last=True))
        else:
            entries.append([f'{inner}"{key}": {_inline(value)}'])
    lines = [indent + "{"]
    for i, entry in enumerate(entries):
        if i < len(entries) - 1:
            entry[-1] += ","
        lines += entry
    lines.append(indent + "}")
    return lines


def _inline_lines(value: Any, indent: str) -> list[str]:
    return [indent + _inline(value)]


def _inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def parse_state(text: str, shown: str) -> SchemaState:
    """The state in ``text`` (the file shown as ``shown``); InputError with path:line."""
    conflict = next(
        (i for i, line in enumerate(text.splitlines(), 1) if line.startswith("<<<<<<<")), None
    )
    if conflict is not None:
        raise InputError(
            "merge conflict in the schema state: two branches both changed the schema; keep "
            "one side, renumber the other branch's migration after it and run "
            "`modelsync migration NAME` for what is left",
            shown,
            conflict,
        )
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", shown, exc.lineno) from None
    try:
        return _state_from_json(obj)
    except _ShapeError as exc:
        raise InputError(f"not a schema state: {exc}", shown, _line_of(text, str(exc))) from None


def _state_from_json(obj: Any) -> SchemaState:
    if not isinstance(obj, dict) or obj.get(FORMAT_KEY) != FORMAT_VERSION:
        raise _ShapeError(f"expected an object with {FORMAT_KEY!r}: {FORMAT_VERSION}")
    unknown = set(obj) - {FORMAT_KEY, "head", "baseline_after", "schema", "baseline"}
    if unknown:
        raise _ShapeError(f"unknown key {sorted(unknown)[0]!r}")
    head, after = obj.get("head"), obj.get("baseline_after")
    for key, value in (("head", head), ("baseline_after", after)):
        if value is not None and not isinstance(value, str):
            raise _ShapeError(f"{key}: expected a file name or null")
    baseline = obj.get("baseline")
    return SchemaState(
        schema=_schema_from_json(obj.get("schema"), "schema"),
        head=head,
        baseline=None if baseline is None else _schema_from_json(baseline, "baseline"),
        baseline_after=after,
    )


def _line_of(text: str, message: str) -> int:
    """The line of the table a shape error is about (``schema.tables[3]``), or 1."""
    lines = text.splitlines()
    marker = ".tables["
    if marker in message:
        section = '"baseline": {' if message.startswith("baseline") else '"schema": {'
        index = int(message.split(marker, 1)[1].split("]", 1)[0])
        start = next((i for i, line in enumerate(lines) if line.strip() == section), 0)
        blocks = [i for i, line in enumerate(lines) if i > start and line == "      {"]
        if index < len(blocks):
            return blocks[index] + 1
    return 1


def read_state(folder: Path, shown_folder: str) -> SchemaState | None:
    """The folder's schema state, or None when it has none."""
    path = folder / STATE_FILE
    shown = f"{shown_folder}/{STATE_FILE}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise InputError("is not valid UTF-8", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", shown) from None
    return parse_state(text, shown)


def write_state(folder: Path, state: SchemaState) -> Path:
    """Write the state atomically (a temporary file renamed over the old one)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STATE_FILE
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{STATE_FILE}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(state_text(state))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
