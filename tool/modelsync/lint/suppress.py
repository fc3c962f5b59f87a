"""Inline suppression: ``# modelsync: ignore[rule-name]`` (``-- modelsync: ...`` in SQL)
on the line a finding stands at silences that rule there, and only there.

Several names may be listed (``ignore[json-type, column-name]``). A name that is not a rule
is reported as a warning rather than silently suppressing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from modelsync.findings.model import Diagnostic, Finding
from modelsync.lint.registry import BY_NAME
from modelsync.modules.source import source_lines
from modelsync.records import record

COMMENT = re.compile(r"(?:#|--)\s*modelsync:\s*ignore\[(?P<names>[^\]]*)\]")


@record
class Suppressions:
    """Per file, per line: the rule names an inline comment suppresses there."""

    by_line: dict[tuple[str, int], frozenset[str]]
    warnings: tuple[Diagnostic, ...]

    def silences(self, finding: Finding) -> bool:
        where = finding.location
        if where.line is None:
            return False
        return finding.kind in self.by_line.get((where.path, where.line), frozenset())


def suppressions(paths: tuple[str, ...], read: Callable[[str], str | None]) -> Suppressions:
    """``read`` gives a shown path's text (None when unreadable: nothing to suppress)."""
    by_line: dict[tuple[str, int], frozenset[str]] = {}
    warnings: list[Diagnostic] = []
    for path in paths:
        text = read(path)
        if not text or "modelsync:" not in text:
            continue
        for number, line in enumerate(source_lines(text), start=1):
            match = COMMENT.search(line)
            if not match:
                continue
            names = frozenset(n.strip() for n in match.group("names").split(",") if n.strip())
            for name in sorted(names - set(BY_NAME)):
                warnings.append(
                    Diagnostic(path, number, f"modelsync: ignore[{name}] names no lint rule")
                )
            by_line[(path, number)] = names
    return Suppressions(by_line, tuple(warnings))
