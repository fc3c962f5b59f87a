"""The lint rules: stable names and codes, what each checks, and the standard's section.

Names (kebab-case) and codes are part of the command-line contract: ``--select``,
``--ignore``, the config's ``[tool.modelsync.lint]`` and ``# modelsync: ignore[NAME]`` use
the names; SARIF and the docs use both. New rules get new codes; existing ones never change.
Codes: MS80x connection, MS81x naming, MS82x types, MS83x queries, MS84x migrations,
MS85x the SQLModel release, MS89x input lint could not read.

``INPUT_RULE`` (bad-input) is not one of the selectable rules: it reports a file lint
could not read (or a model SQLModel would refuse), it always runs, nothing silences it,
and it makes ``lint`` exit 2 (``cli.app.exit_code``).
"""

from __future__ import annotations

from modelsync.errors import ConfigError, ModelsyncError
from modelsync.findings.model import BAD_INPUT, Finding, Location, Rule
from modelsync.records import record


@record
class LintRule:
    name: str
    code: str
    # The section of DB_CONNECTION_STANDARD the rule enforces.
    section: str
    summary: str

    @property
    def rule(self) -> Rule:
        return Rule(
            self.code,
            self.name,
            self.summary,
            f"DB_CONNECTION_STANDARD {self.section}; see docs/rules.md#{self.name}",
        )


LINT_RULES: tuple[LintRule, ...] = (
    LintRule(
        "database-url",
        "MS801",
        "1.1, 2.1",
        "The engine URL comes from DATABASE_URL with a default and uses postgresql+psycopg://",
    ),
    LintRule(
        "pool-settings",
        "MS802",
        "2.2",
        "create_engine sets pool_size, max_overflow, pool_recycle from the environment "
        "and pool_pre_ping=True",
    ),
    LintRule(
        "session-scope",
        "MS803",
        "2.3",
        "Every Session(engine) is a context manager or yielded from a dependency",
    ),
    LintRule("table-name", "MS811", "3.2", "Table names are plural snake_case"),
    LintRule("column-name", "MS812", "3.2", "Column names are snake_case"),
    LintRule("primary-key-name", "MS813", "3.2", "The primary key is named id"),
    LintRule(
        "vector-column",
        "MS821",
        "3.3",
        "Vector columns are sa_column=Column(Vector(N)) with the configured dimension",
    ),
    LintRule("json-type", "MS822", "3.3", "Unstructured data is JSONB, not JSON"),
    LintRule("vector-metric", "MS831", "4.1", "Vector indexes use a cosine operator class"),
    LintRule(
        "bulk-commit", "MS832", "4.2", "No session.commit() inside a loop: add, then commit once"
    ),
    LintRule("migration-name", "MS841", "5.1", "Migration files are named NNN_description.sql"),
    LintRule(
        "migration-number", "MS842", "5.1", "Migration numbers are unique (gaps are warnings)"
    ),
    LintRule("migration-sql", "MS843", "5.1", "Every migration file parses as PostgreSQL"),
    LintRule(
        "migration-mount",
        "MS844",
        "5.1",
        "The compose file mounts every migration into /docker-entrypoint-initdb.d, in number order",
    ),
    LintRule(
        "sqlmodel-release",
        "MS851",
        "3.1",
        "The backend and the worker pin SQLModel releases with the same DDL",
    ),
)
BY_NAME: dict[str, LintRule] = {r.name: r for r in LINT_RULES}
RULE_NAMES: tuple[str, ...] = tuple(BY_NAME)
INPUT_RULE = LintRule(
    BAD_INPUT,
    "MS890",
    "6.3",
    "Every file lint reads can be read, and its models are ones SQLModel accepts",
)
_ANY_RULE: dict[str, LintRule] = {**BY_NAME, BAD_INPUT: INPUT_RULE}


def finding(
    name: str,
    message: str,
    location: Location,
    *,
    severity: str = "error",
    related: tuple[Location, ...] = (),
    table: str | None = None,
    column: str | None = None,
    fix: str | None = None,
) -> Finding:
    """A finding of the named rule: ``kind`` is the rule's name, ``code`` its code."""
    return Finding(
        _ANY_RULE[name].code,
        name,
        message,
        location,
        related=related,
        severity=severity,
        table=table,
        column=column,
        fix=fix,
    )


def check_names(names: tuple[str, ...], where: str, path: str | None = None, line=None) -> None:
    """Refuse an unknown rule name (a typo would silently select or ignore nothing)."""
    for name in names:
        if name == BAD_INPUT:
            raise ConfigError(
                f"{BAD_INPUT} cannot be selected or ignored ({where}): it reports a file "
                "lint could not check",
                path,
                line,
            )
        if name not in BY_NAME:
            raise ConfigError(
                f"unknown lint rule {name!r} in {where} (known: {', '.join(RULE_NAMES)})",
                path,
                line,
            )


def input_finding(error: ModelsyncError, role: str, shown: str) -> Finding:
    """A file that could not be read (or models SQLModel would refuse) as a finding at the
    place the error names (``shown``, the file being read, when it names none)."""
    return finding(
        BAD_INPUT,
        error.message,
        Location(role, error.path or shown, error.line),
        fix="correct the file: nothing else in it could be checked",
    )
