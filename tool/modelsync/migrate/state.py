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

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from modelsync.errors import InputError
from modelsync.files import read_text
from modelsync.migrate.folder import MigrationFile
from modelsync.migrate.schema_json import (
    NESTED,
    ShapeError,
    schema_from_json,
    schema_from_json_at,
    schema_to_json,
    stored_schema,
)
from modelsync.records import record
from modelsync.schema.ir import Schema, Table

__all__ = [
    "STATE_FILE",
    "SchemaState",
    "advanced_state",
    "baseline_state",
    "files_after_baseline",
    "parse_state",
    "read_state",
    "schema_from_json",
    "schema_to_json",
    "state_text",
    "stored_schema",
    "write_state",
]

STATE_FILE = "schema_state.json"
FORMAT_KEY = "modelsync_schema_state"
FORMAT_VERSION = 1


@record
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
        if key in NESTED[Table]:
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
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        line, digits = _longest_number(text)
        raise InputError(f"not a schema state: a number of {digits} digits", shown, line) from None
    except RecursionError:
        raise InputError("not a schema state: nested too deeply", shown) from None
    if "\\u" in text:
        _refuse_lone_surrogates(obj, shown)
    try:
        return _state_from_json(obj)
    except ShapeError as exc:
        raise InputError(f"not a schema state: {exc}", shown, _line_of(text, str(exc))) from None


def _refuse_lone_surrogates(obj: Any, shown: str) -> None:
    """A ``\\ud800`` escape decodes to half a character, which no file and no PostgreSQL
    name can hold: refused here rather than failing when the state is written again."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("holds a lone surrogate escape (half a character)", shown) from None


def _state_from_json(obj: Any) -> SchemaState:
    if not isinstance(obj, dict) or obj.get(FORMAT_KEY) != FORMAT_VERSION:
        raise ShapeError(f"expected an object with {FORMAT_KEY!r}: {FORMAT_VERSION}")
    unknown = set(obj) - {FORMAT_KEY, "head", "baseline_after", "schema", "baseline"}
    if unknown:
        raise ShapeError(f"unknown key {sorted(unknown)[0]!r}")
    head, after = obj.get("head"), obj.get("baseline_after")
    for key, value in (("head", head), ("baseline_after", after)):
        if value is not None and not isinstance(value, str):
            raise ShapeError(f"{key}: expected a file name or null")
    baseline = obj.get("baseline")
    return SchemaState(
        schema=schema_from_json_at(obj.get("schema"), "schema"),
        head=head,
        baseline=None if baseline is None else schema_from_json_at(baseline, "baseline"),
        baseline_after=after,
    )


def _longest_number(text: str) -> tuple[int, int]:
    """The line of the longest run of digits, and its length."""
    best = max(re.finditer(r"\d+", text), key=lambda m: m.end() - m.start(), default=None)
    if best is None:
        return 1, 0
    return text.count("\n", 0, best.start()) + 1, best.end() - best.start()


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
    """The folder's schema state, or None when it has none.

    It is read as every input is (``files``: a regular file, bounded), and it must lie in
    the migrations folder: a link to a file elsewhere (``/etc/...``, another checkout) is
    refused, as the folder itself is kept inside the project root by the config."""
    path = folder / STATE_FILE
    shown = f"{shown_folder}/{STATE_FILE}"
    if not os.path.lexists(path):
        return None
    text = read_text(path, shown, within=folder, outside=_OUTSIDE)
    return parse_state(text, shown)


_OUTSIDE = (
    "is a link leading outside the migrations folder ({folder}): not read; the schema state "
    "lives beside the migrations"
)


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
