"""verify's outcome as Findings: its own codes (MS9xx) and the Report the formats print.

A catalog difference that shows in several states is one finding that names them all.
Each finding about a table says where to fix it: its primary location is the migration
file that last touched the table (``touches``), or the migrations folder when none did
(a forgotten migration); the related ``models`` location is the table's or column's line
in the models file. The two values ride on those locations: ``models`` holds what
``create_all`` makes, ``migration`` what the migrations made.
"""

from __future__ import annotations

from modelsync.findings.model import Diagnostic, Finding, Location, Report, Rule
from modelsync.records import record
from modelsync.verify.catalog import CatalogDifference
from modelsync.verify.states import STATE_TITLES, STATES, Migration, Outcome
from modelsync.verify.touches import touched_names, words


@record
class VerifyKind:
    kind: str
    code: str
    summary: str


VERIFY_KINDS: tuple[VerifyKind, ...] = (
    VerifyKind("migration_failed", "MS901", "A migration fails to apply"),
    VerifyKind("create_all_failed", "MS902", "create_all of the models fails on a state"),
    VerifyKind("migration_unchanged", "MS903", "A migration changes nothing in the schema"),
    VerifyKind("init_script_failed", "MS904", "An init script a fresh volume runs fails"),
    VerifyKind(
        "init_script_not_run",
        "MS905",
        "An init script a fresh volume runs is not run by verify (a .sh script)",
    ),
    VerifyKind(
        "outside_database",
        "MS906",
        "A migration acts beyond its own database (refused with --database-url)",
    ),
    VerifyKind(
        "dynamic_sql",
        "MS907",
        "A migration EXECUTEs SQL built at run time on a server where verify cannot confine it",
    ),
    VerifyKind("migration_timeout", "MS908", "A migration statement runs longer than the timeout"),
    VerifyKind("table_missing", "MS911", "create_all makes a table the migrations do not"),
    VerifyKind("table_extra", "MS912", "The migrations make a table create_all does not"),
    VerifyKind("column_missing", "MS913", "create_all makes a column the migrations do not"),
    VerifyKind("column_extra", "MS914", "The migrations make a column create_all does not"),
    VerifyKind("type", "MS915", "A column's type differs (format_type)"),
    VerifyKind("nullable", "MS916", "A column's NOT NULL differs"),
    VerifyKind("server_default", "MS917", "A column's default expression differs"),
    VerifyKind("identity", "MS918", "A column's GENERATED ... AS IDENTITY differs"),
    VerifyKind("primary_key", "MS919", "A table's primary key columns differ"),
    VerifyKind("foreign_key", "MS920", "A foreign key differs (target, ON DELETE/UPDATE)"),
    VerifyKind("index", "MS921", "An index differs (pg_get_indexdef)"),
    VerifyKind("unique", "MS922", "A unique constraint differs"),
    VerifyKind("constraint", "MS923", "A check constraint differs"),
    VerifyKind("enum_missing", "MS924", "create_all makes an enum type the migrations do not"),
    VerifyKind("enum_extra", "MS925", "The migrations make an enum type create_all does not"),
    VerifyKind("enum_labels", "MS926", "An enum type's labels or their order differ"),
    VerifyKind("name", "MS927", "The same index or constraint has another name"),
)
BY_KIND = {k.kind: k for k in VERIFY_KINDS}
VERIFY_RULES = tuple(Rule(k.code, k.kind, k.summary) for k in VERIFY_KINDS)
# CatalogDifference.what -> kind, for the differences that are not about presence.
_KIND_OF = {
    "type": "type",
    "not_null": "nullable",
    "default": "server_default",
    "identity": "identity",
    "primary_key": "primary_key",
    "foreign_key": "foreign_key",
    "index": "index",
    "unique": "unique",
    "check": "constraint",
    "enum_labels": "enum_labels",
}
_FORGOTTEN = "write a migration for it (`modelsync migration NAME` writes one)"


def finding(kind: str, message: str, location: Location, **fields) -> Finding:
    return Finding(BY_KIND[kind].code, kind, message, location, **fields)


def kind_of(difference: CatalogDifference) -> str:
    what = difference.what
    if what.endswith("_name"):
        return "name"
    if what in ("table", "column", "enum"):
        return f"{what}_missing" if difference.actual is None else f"{what}_extra"
    return _KIND_OF[what]


def state_findings(
    outcome: Outcome,
    migrations: tuple[Migration, ...],
    migrations_dir: str,
    models_shown: str,
    model_lines: dict[tuple[str, str | None], tuple[str, int]],
    init_shown: frozenset[str] = frozenset(),
) -> tuple[Finding, ...]:
    """Failures, unchanged files and catalog differences of the three states.
    ``init_shown`` names the init scripts (a failure there is ``init_script_failed``)."""
    found: list[Finding] = []
    # The same statement failing the same way in several states is one finding.
    failed_in: dict[object, list[str]] = {}
    for result in outcome.results:
        if result.failure is not None:
            failed_in.setdefault(result.failure, []).append(result.state)
    for failure, states in failed_in.items():
        found.append(_failure_finding(states, failure, models_shown, init_shown))
    for file in outcome.unchanged:
        found.append(
            finding(
                "migration_unchanged",
                f"{file.name} changes nothing in the schema of state {STATE_TITLES['a']} "
                "(tables, columns, keys, indexes, constraints, types, extensions)",
                Location("migration", file.shown, value=file.name),
                severity="warning",
                fix="delete it, or ignore this if it only changes data",
            )
        )
    states_of: dict[CatalogDifference, list[str]] = {}
    for result in outcome.results:
        for difference in result.differences:
            states_of.setdefault(difference, []).append(result.state)
    known = frozenset(
        {t.name for t in outcome.expected.tables}
        | {d.table for d in states_of if d.table}
        | {d.name for d in states_of if d.table is None and d.name}
    )
    last_touch = _last_touch(migrations, known)
    for difference, states in states_of.items():
        found.append(
            _difference_finding(
                difference, states, last_touch, migrations_dir, models_shown, model_lines
            )
        )
    return tuple(found)


def reach_findings(reaches, init_shown: frozenset[str] = frozenset()) -> tuple[Finding, ...]:
    """Statements ``scope`` found acting beyond their database, refused before anything
    ran on the server given by ``--database-url``; and EXECUTEs of SQL built at run time,
    refused where the sessions could not be confined to verify's own role."""
    found = []
    for reach in reaches:
        role = "init" if reach.shown in init_shown else "migration"
        place = Location(role, reach.shown, reach.line, value=reach.what)
        if reach.dynamic:
            found.append(
                finding(
                    "dynamic_sql",
                    f"{reach.message}, and this server does not let verify confine its "
                    "sessions to a role of its own: verify does not run it, nor anything else",
                    place,
                    fix="let the URL's role create roles (CREATEROLE) and the new role log "
                    "in (pg_hba.conf), or verify without --database-url (docs/security.md)",
                )
            )
        else:
            found.append(
                finding(
                    "outside_database",
                    f"{reach.message}: verify --database-url does not run it, nor anything else",
                    place,
                    fix="verify it on the throwaway server (verify without --database-url)",
                )
            )
    return tuple(found)


def _failure_finding(
    states: list[str], failure, models_shown: str, init_shown: frozenset[str]
) -> Finding:
    title = " and ".join(STATE_TITLES[state] for state in states)
    if failure.shown in init_shown:
        return finding(
            "init_script_failed",
            f"the init script fails in state {title}, so a fresh volume stops here: "
            f"{failure.message}",
            Location("init", failure.shown, failure.line or None, value=failure.statement or None),
            fix="make the script work on an empty database (the postgres image runs it once, "
            "with ON_ERROR_STOP)",
        )
    if failure.shown == models_shown:  # create_all itself failed on the state's database
        return finding(
            "create_all_failed",
            f"in state {title}: {failure.message}",
            Location("models", failure.shown, failure.line or None),
        )
    return finding(
        "migration_timeout" if failure.timed_out else "migration_failed",
        f"fails to apply in state {title}: {failure.message}",
        Location("migration", failure.shown, failure.line, value=failure.statement or None),
        fix="make the statement work on this state (guard it: IF [NOT] EXISTS, or a DO block)",
    )


def _last_touch(
    migrations: tuple[Migration, ...], known: frozenset[str]
) -> dict[tuple[str, str | None], tuple[str, int]]:
    """(table or type, None) -> (file, line) of the last statement that touches it, and
    (table, column) -> the last such statement that also names the column."""
    last: dict[tuple[str, str | None], tuple[str, int]] = {}
    for migration in migrations:
        for statement in migration.statements:
            touched = touched_names((statement,), known)
            if not touched:
                continue
            place = (migration.file.shown, statement.line)
            named = words(statement.text)
            for name in touched:
                last[(name, None)] = place
                for word in named:
                    last[(name, word)] = place
    return last


def _difference_finding(
    difference: CatalogDifference,
    states: list[str],
    last_touch: dict[tuple[str, str | None], tuple[str, int]],
    migrations_dir: str,
    models_shown: str,
    model_lines: dict[tuple[str, str | None], tuple[str, int]],
) -> Finding:
    kind = kind_of(difference)
    subject_name = difference.table if difference.table is not None else difference.name
    subject_name = subject_name or ""
    touched, touched_line = last_touch.get(
        (subject_name, difference.column), last_touch.get((subject_name, None), (None, None))
    )
    where = Location("migration", touched or migrations_dir, touched_line, value=difference.actual)
    path, line = model_lines.get((subject_name or "", difference.column)) or model_lines.get(
        (subject_name or "", None), (models_shown, None)
    )
    models = Location("models", path, line, value=difference.expected)
    in_states = ", ".join(f"({s})" for s in sorted(states, key=STATES.index))
    message = f"{_subject(difference)}: {_what_text(difference, kind)} (in state {in_states})"
    if touched:
        message += f"; last touched by {touched.rsplit('/', 1)[-1]}"
    fix = _FORGOTTEN if kind in ("table_missing", "column_missing") else None
    return finding(
        kind,
        message,
        where,
        related=(models,),
        table=difference.table,
        column=difference.column,
        fix=fix,
    )


def _subject(difference: CatalogDifference) -> str:
    if difference.table is None:
        return f"enum type {difference.name}"
    if difference.column is not None:
        return f"{difference.table}.{difference.column}"
    if difference.name and difference.what not in ("table", "primary_key"):
        return f"{difference.table} {difference.what.removesuffix('_name')} {difference.name}"
    return difference.table


def _what_text(difference: CatalogDifference, kind: str) -> str:
    expected, actual = difference.expected, difference.actual
    label = {"table_missing": "table", "column_missing": "column", "enum_missing": "enum type"}
    if kind in label:
        return f"{label[kind]} missing: create_all makes it ({expected}), the migrations do not"
    extra = {"table_extra": "table", "column_extra": "column", "enum_extra": "enum type"}
    if kind in extra:
        return f"{extra[kind]} extra: the migrations make it ({actual}), create_all does not"
    if expected is None:
        return f"{kind} extra: {actual} after the migrations, none from create_all"
    if actual is None:
        return f"{kind} missing: {expected} from create_all, none after the migrations"
    return f"{kind} differs: {expected} from create_all, {actual} after the migrations"


def verify_report(
    findings: tuple[Finding, ...],
    summary: dict,
    root: str,
    extra_rules: tuple[Rule, ...] = (),
    verified_text: str = "",
    warnings: tuple[Diagnostic, ...] = (),
) -> Report:
    failed = any(f.severity == "error" for f in findings)
    if failed:
        by_kind: dict[str, int] = {}
        for f in findings:
            if f.severity == "error":
                by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(by_kind.items()))
        headline = f"{sum(by_kind.values())} problem(s) found by verify ({kinds})"
    else:
        headline = verified_text
    summary = {**summary, "findings": len(findings)}
    rules = (*VERIFY_RULES, *extra_rules)
    return Report("verify", findings, summary, headline, rules, warnings, root)
