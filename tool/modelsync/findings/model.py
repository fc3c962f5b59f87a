"""The one findings model every command produces, and the report the formats print.

A ``Finding`` says what is wrong and where to fix it (its primary ``location``), with the
other places that explain it (``related``: the source side of a drift, say). The formats
take only a ``Report``, so a new command gets text, JSON, GitHub and SARIF output for free.
"""

from __future__ import annotations

from typing import Any

from modelsync.records import field, record

SEVERITIES = ("error", "warning", "note")
# The kind of a finding that says a command could not read its input (a file it cannot
# parse, a model SQLModel would refuse). Reported like any finding, so that the rest of
# the project is still checked; an error of this kind makes the command exit 2.
BAD_INPUT = "bad-input"


@record
class Diagnostic:
    """A warning about the input itself: something a stage could not resolve and did not
    guess. Not a finding: it never fails a command."""

    path: str
    line: int
    message: str


@record
class Location:
    """A place in a file, named by its ``role`` (``target``, ``source``, ``migration``...).

    ``value`` is what stands there, where that means something (a drift side's type).
    A place in a live database (``database_place``) has no path: it names its ``table``
    and ``column`` instead.
    """

    role: str
    path: str
    line: int | None = None
    col: int | None = None
    value: str | None = None
    table: str | None = None
    column: str | None = None

    @property
    def in_database(self) -> bool:
        return not self.path

    @property
    def where(self) -> str:
        if self.in_database:
            return ".".join(p for p in (self.table, self.column) if p) or "schema"
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.col}" if self.col else "")


def database_place(table: str | None, column: str | None, value: str | None) -> Location:
    """The second place of a finding against a live database: ``{"table", "column",
    "value"}``, no path."""
    return Location("database", "", value=value, table=table, column=column)


@record
class Finding:
    code: str
    # The drift kind (check), the rule name (lint) or the check's name (verify).
    kind: str
    message: str
    location: Location
    related: tuple[Location, ...] = ()
    severity: str = "error"
    # What the finding is about, where it is about a table or a column of one.
    table: str | None = None
    column: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def locations(self) -> tuple[Location, ...]:
        """Every place, in the order the formats show them: related ones, then the primary."""
        return (*self.related, self.location)

    def at(self, role: str) -> Location | None:
        """The location with this role (``source``, ``target``...), if any."""
        return next((loc for loc in self.locations if loc.role == role), None)

    def as_tuple(self) -> tuple[str | None, ...]:
        """The finding's substance, for assertions: kind, table, column and each value."""
        return (self.kind, self.table, self.column, *(loc.value for loc in self.locations))


@record
class Rule:
    """What SARIF's ``tool.driver.rules`` and the docs say about one code."""

    code: str
    name: str
    summary: str
    help: str = ""


@record
class Report:
    """A command's outcome as the formats see it.

    ``summary`` is the command's own JSON summary object; ``headline`` is the last line of
    the text output (``in sync: ...`` or ``2 drift(s) ...``). ``rules`` are every code the
    command can report, for SARIF.
    """

    command: str
    findings: tuple[Finding, ...]
    summary: dict[str, Any]
    headline: str
    rules: tuple[Rule, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    # The project root, for SARIF's ``originalUriBaseIds``; paths in findings are relative to it.
    root: str = field(default=".", compare=False)

    @property
    def failed(self) -> bool:
        """Findings of severity error fail a command; warnings and notes alone do not."""
        return any(f.severity == "error" for f in self.findings)

    @property
    def bad_input(self) -> bool:
        """Some input could not be read: an error finding of kind ``BAD_INPUT``."""
        return any(f.kind == BAD_INPUT and f.severity == "error" for f in self.findings)
