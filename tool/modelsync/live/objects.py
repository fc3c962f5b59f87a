"""Indexes and constraints of a live table, matched with the models' by what they do.

An index is read from ``pg_get_indexdef`` with pglast (method, keys, order, nulls order,
operator class, predicate, storage parameters), a unique constraint by its columns, a check
constraint by its expression. Each is matched first by name, then by definition: the same
definition under another name is a ``NameOnly`` (ignorable), not a missing and an extra
object. Where they agree, the models' record is taken as it is, so ``drift.compare`` sees
no difference; where they differ, the database's own record stands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modelsync.live.catalog import LiveIndex, LiveTable
from modelsync.live.expressions import DIFFERENT, EQUAL, UNSURE, same_expression
from modelsync.live.names import spelled_in_sql
from modelsync.migrate.names import check_name, stored, unique_name
from modelsync.records import record, replace
from modelsync.schema.ir import CheckConstraint, Index, IndexElement, Table, UniqueConstraint

_ORDER = {"SORTBY_ASC": "ASC", "SORTBY_DESC": "DESC"}
_NULLS = {"SORTBY_NULLS_FIRST": "FIRST", "SORTBY_NULLS_LAST": "LAST"}


@record
class NameOnly:
    """An index or constraint the models and the database both have, under other names.
    ``model_name`` None: the models leave it to PostgreSQL, whose name is ``expected``."""

    table: str
    what: str
    expected: str
    database_name: str
    line: int = 0
    path: str = ""


@record
class Matched:
    """What matching one table's objects gave: IR records, name-only pairs, notes
    ((line, message, database value))."""

    indexes: tuple[Index, ...] = ()
    uniques: tuple[UniqueConstraint, ...] = ()
    unique_columns: tuple[str, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    renamed: tuple[NameOnly, ...] = ()
    notes: tuple[tuple[int, str, str | None], ...] = ()


class Matcher:
    """Matches one live table's indexes and constraints with its model's (or none)."""

    def __init__(self, live: LiveTable, model: Table | None, defaults: frozenset, keep_names: bool):
        self.live, self.model, self.keep_names = live, model, keep_names
        self.defaults = defaults  # (method, opclass, input type) of default operator classes
        self.types = {c.name: c.type for c in live.columns}
        self.column_types = {c.name: c.type for c in live.columns}
        # A definition's column names as PostgreSQL printed them -> the columns' names.
        self.columns = spelled_in_sql(c.name for c in live.columns)
        self.renamed: list[NameOnly] = []
        self.notes: list[tuple[int, str, str | None]] = []

    def match(self) -> Matched:
        indexes = self._indexes()
        uniques, unique_columns = self._uniques()
        return Matched(
            tuple(sorted(indexes, key=lambda i: i.name)),
            tuple(sorted(uniques, key=lambda u: (u.name or "", u.columns))),
            unique_columns,
            self._checks(),
            tuple(self.renamed),
            tuple(self.notes),
        )

    # ------------------------------------------------------------------ indexes

    def _indexes(self) -> list[Index]:
        model = {i.name: i for i in self.model.indexes} if self.model else {}
        read = [(live, self._read_index(live)) for live in self.live.indexes]
        found: list[Index] = []
        unmatched: list[tuple[LiveIndex, Index]] = []
        for live, index in read:
            if index is None:
                self.notes.append(
                    (
                        self._line(),
                        f"index {live.name} is not compared: modelsync cannot read its definition",
                        live.definition,
                    )
                )
                continue
            mine = model.pop(live.name, None)
            if mine is None:
                unmatched.append((live, index))
            else:
                found.append(self._settled(mine, index, live))
        for live, index in unmatched:
            twin = next(
                (m for m in model.values() if self._same_index(m, index) != DIFFERENT), None
            )
            if twin is None:
                found.append(index)
                continue
            del model[twin.name]
            self.renamed.append(
                NameOnly(self.live.name, "index", twin.name, live.name, twin.line, twin.path)
            )
            found.append(
                replace(self._settled(twin, index, live), name=live.name)
                if self.keep_names
                else twin
            )
        return found

    def _settled(self, mine: Index, index: Index, live: LiveIndex) -> Index:
        verdict = self._same_index(mine, index)
        if verdict == UNSURE:
            self.notes.append(
                (
                    mine.line,
                    f"index {mine.name}: its expressions cannot be compared exactly; not compared",
                    live.definition,
                )
            )
        if verdict == DIFFERENT:
            return replace(index, from_column=mine.from_column and _plain_index(index))
        return mine

    def _read_index(self, live: LiveIndex) -> Index | None:
        statement = _index_statement(live.definition)
        if statement is None or statement.get("indexIncludingParams"):
            return None
        if statement.get("nulls_not_distinct"):
            return None
        params = [p["IndexElem"] for p in statement.get("indexParams", ())]
        texts: tuple[list[str | None], str | None] = ([None] * len(params), None)
        if "whereClause" in statement or any("expr" in p for p in params):
            texts = _expression_texts(live.definition)
        elements = tuple(
            IndexElement(
                column=self._column(param.get("name")) if text is None else None,
                expression=text,
                order=_ORDER.get(param.get("ordering", "")),
                nulls=_NULLS.get(param.get("nulls_ordering", "")),
                opclass=".".join(_string(n) for n in param.get("opclass", ())) or None,
            )
            for param, text in zip(params, texts[0], strict=True)
        )
        options = tuple(
            (o["DefElem"]["defname"], _string(o["DefElem"].get("arg", {})))
            for o in statement.get("options", ())
        )
        columns = tuple(e.column for e in elements if e.column is not None)
        method = statement.get("accessMethod", "btree")
        ops = tuple(sorted((e.column, e.opclass) for e in elements if e.column and e.opclass))
        unique = bool(statement.get("unique"))
        plain = len(columns) == 1 and stored(live.name) == stored(
            f"ix_{self.live.name}_{columns[0]}"
        )
        index = Index(
            live.name,
            columns,
            unique,
            None if method == "btree" else method,
            ops,
            texts[1],
            options,
            elements,
        )
        return replace(index, from_column=True) if plain and _plain_index(index) else index

    def _column(self, name: str | None) -> str | None:
        return self.columns.get(name, name) if name is not None else None

    def _same_index(self, mine: Index, theirs: Index) -> str:
        """EQUAL, DIFFERENT or UNSURE: the model's index against one read from the database."""
        if mine.from_column:
            return EQUAL if theirs.columns == mine.columns and _plain_index(theirs) else DIFFERENT
        if (mine.unique, mine.using or "btree", dict(mine.with_)) != (
            theirs.unique,
            theirs.using or "btree",
            dict(theirs.with_),
        ) or len(mine.elements) != len(theirs.elements):
            return DIFFERENT
        verdicts = [
            self._same_element(_split(a), b, mine.using or "btree")
            for a, b in zip(mine.elements, theirs.elements, strict=True)
        ]
        verdicts.append(self._same_text(mine.where, theirs.where))
        return _worst(verdicts)

    def _same_element(self, a: IndexElement, b: IndexElement, method: str) -> str:
        if _effective(a) != _effective(b):
            return DIFFERENT
        if self._opclass(a, method) != self._opclass(b, method):
            return DIFFERENT
        if a.column is not None or b.column is not None:
            return EQUAL if a.column == b.column else DIFFERENT
        return self._same_text(a.expression, b.expression)

    def _opclass(self, element: IndexElement, method: str) -> str | None:
        """The operator class, None when it is the default one for the key's type."""
        if element.opclass is None or element.column is None:
            return element.opclass
        type_name = _type_name(self.types.get(element.column, ""))
        default = (method, element.opclass, type_name) in self.defaults or (
            type_name in ("varchar", "bpchar")
            and (method, element.opclass, "text") in self.defaults
        )
        return None if default else element.opclass

    def _same_text(self, a: str | None, b: str | None) -> str:
        if a is None or b is None:
            return EQUAL if a == b else DIFFERENT
        return same_expression(a, b, column_types=self.column_types)

    # ------------------------------------------------------------------ unique constraints

    def _uniques(self) -> tuple[list[UniqueConstraint], tuple[str, ...]]:
        """Table-level unique constraints, and the columns whose own UNIQUE this is."""
        table = self.live.name
        own = (
            {(c.name,): c for c in self.model.columns if c.unique and not c.index}
            if self.model
            else {}
        )
        declared = (
            {(u.columns, u.nulls_not_distinct): u for u in self.model.unique_constraints}
            if self.model
            else {}
        )
        uniques: list[UniqueConstraint] = []
        columns: list[str] = []
        for live in self.live.uniques:
            default = unique_name(table, live.columns)
            kept_name = None if live.name == default else live.name
            mine = declared.pop((live.columns, live.nulls_not_distinct), None)
            if mine is not None:
                wanted = mine.name or unique_name(table, mine.columns)
                if wanted != live.name:
                    self.renamed.append(
                        NameOnly(
                            table, "unique constraint", wanted, live.name, mine.line, mine.path
                        )
                    )
                keep = self.keep_names and wanted != live.name
                uniques.append(replace(mine, name=kept_name) if keep else mine)
            elif live.columns in own and not live.nulls_not_distinct:
                column = own.pop(live.columns)
                if kept_name is not None:
                    self.renamed.append(
                        NameOnly(
                            table, "unique constraint", default, live.name, column.line, column.path
                        )
                    )
                if kept_name is not None and self.keep_names:
                    uniques.append(UniqueConstraint(live.name, live.columns))
                else:
                    columns.append(live.columns[0])
            elif len(live.columns) == 1 and kept_name is None and not live.nulls_not_distinct:
                columns.append(live.columns[0])
            else:
                uniques.append(UniqueConstraint(kept_name, live.columns, live.nulls_not_distinct))
        return uniques, tuple(columns)

    # ------------------------------------------------------------------ check constraints

    def _checks(self) -> tuple[CheckConstraint, ...]:
        table = self.live.name
        pending = list(self.model.check_constraints) if self.model else []
        found: list[CheckConstraint] = []
        for live in self.live.checks:
            if not live.validated:
                self.notes.append(
                    (
                        self._line(),
                        f"check constraint {live.name} is NOT VALID: "
                        "rows older than it are not checked",
                        live.expression,
                    )
                )
            verdicts = [(self._same_text(c.sqltext, live.expression), c) for c in pending]
            mine = next((c for v, c in verdicts if v == EQUAL), None) or next(
                (c for v, c in verdicts if v == UNSURE), None
            )
            if mine is None:
                default = check_name(table, live.expression)
                found.append(
                    CheckConstraint(None if live.name == default else live.name, live.expression)
                )
                continue
            pending.remove(mine)
            if self._same_text(mine.sqltext, live.expression) == UNSURE:
                self.notes.append(
                    (
                        mine.line,
                        f"check constraint {live.name}: its expression "
                        "cannot be compared exactly; not compared",
                        live.expression,
                    )
                )
            wanted = mine.name or check_name(table, mine.sqltext)
            if wanted != live.name:
                self.renamed.append(
                    NameOnly(table, "check constraint", wanted, live.name, mine.line, mine.path)
                )
            found.append(
                replace(mine, name=live.name) if self.keep_names and wanted != live.name else mine
            )
        return tuple(found)

    def _line(self) -> int:
        return self.model.line if self.model else 0


def _index_statement(definition: str) -> dict | None:
    """``pg_get_indexdef``'s text as pglast's JSON tree (several times faster to read than
    its Python nodes, which only expressions need)."""
    import json

    from pglast.parser import ParseError, parse_sql_json

    try:
        statements = json.loads(parse_sql_json(definition))["stmts"]
    except (ParseError, ValueError):
        return None
    if len(statements) != 1 or "IndexStmt" not in statements[0]["stmt"]:
        return None
    return statements[0]["stmt"]["IndexStmt"]


def _expression_texts(definition: str) -> tuple[list[str | None], str | None]:
    """The SQL text of each key that is an expression (None for a column), and of the
    predicate."""
    from pglast import parse_sql
    from pglast.stream import RawStream

    statement = parse_sql(definition)[0].stmt
    keys = [RawStream()(p.expr) if p.expr is not None else None for p in statement.indexParams]
    where = RawStream()(statement.whereClause) if statement.whereClause is not None else None
    return keys, where


def _string(node: dict) -> str:
    """A JSON tree's String, Integer or Float node as text."""
    for kind, key in (("String", "sval"), ("Integer", "ival"), ("Float", "fval")):
        if kind in node:
            return str(node[kind].get(key, 0 if kind == "Integer" else ""))
    return ""


def _split(element: IndexElement) -> IndexElement:
    """A model's expression key with its order written inside (``text("lower(email)
    DESC")``) read as PostgreSQL reads it: the expression, then its order and nulls."""
    if element.expression is None:
        return element
    from pglast import parse_sql
    from pglast.stream import RawStream

    try:
        statement = parse_sql(f"CREATE INDEX i ON t ({element.expression})")[0].stmt
    except Exception:  # noqa: BLE001 - left as written; the comparison says what it can
        return element
    if len(statement.indexParams) != 1:
        return element
    param = statement.indexParams[0]
    expression = RawStream()(param.expr) if param.expr is not None else None
    return IndexElement(
        column=param.name if expression is None else None,
        expression=expression,
        order=element.order or _ORDER.get(param.ordering.name),
        nulls=element.nulls or _NULLS.get(param.nulls_ordering.name),
        opclass=element.opclass
        or (".".join(n.sval for n in param.opclass) or None if param.opclass else None),
    )


def _plain_index(index: Index) -> bool:
    """One plain column, ascending, default everything: what ``index=True`` makes."""
    return (
        len(index.elements) == 1
        and index.elements[0].column is not None
        and _effective(index.elements[0]) == IndexElement(column=index.elements[0].column)
        and index.using is None
        and index.where is None
        and not index.with_
    )


def _effective(element: IndexElement) -> tuple[Any, ...]:
    """Order and nulls order as PostgreSQL keeps them (ASC and the default NULLS change
    nothing); the key itself is compared by the caller."""
    from modelsync.drift.compare import _effective as effective

    e = effective(element)
    return (e.order, e.nulls) if element.column is None else replace(e, opclass=None)


def _type_name(catalog_type: str) -> str:
    from modelsync.live.expressions import _type_key

    return _type_key(catalog_type)


def _worst(verdicts: list[str]) -> str:
    order: Callable[[str], int] = {EQUAL: 0, UNSURE: 1, DIFFERENT: 2}.__getitem__
    return max(verdicts, key=order, default=EQUAL)
