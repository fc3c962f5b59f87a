"""Inline suppression: ``# modelsync: ignore[rule-name]`` (``-- modelsync: ...`` in SQL)
on the line a finding stands at silences that rule there, and only there.

Several names may be listed (``ignore[json-type, column-name]``). A name that is not a rule
is reported as a warning rather than silently suppressing nothing.

Only a real comment counts: Python's own tokenizer gives the comment tokens of a module,
PostgreSQL's scanner (through the cached verdict of ``lint.migrations``) those of a
migration, so the words inside a string literal, an f-string, a SQL string or a dollar-quoted
body silence nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from modelsync.findings.model import Diagnostic, Finding
from modelsync.lint.registry import BY_NAME
from modelsync.records import record

COMMENT = re.compile(r"#\s*modelsync:\s*ignore\[(?P<names>[^\]]*)\]")


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
        comments = _sql_comments(text, path) if path.endswith(".sql") else _python_comments(text)
        for number, listed in comments:
            names = frozenset(n.strip() for n in listed.split(",") if n.strip())
            for name in sorted(names - set(BY_NAME)):
                warnings.append(
                    Diagnostic(path, number, f"modelsync: ignore[{name}] names no lint rule")
                )
            by_line[(path, number)] = by_line.get((path, number), frozenset()) | names
    return Suppressions(by_line, tuple(warnings))


def _python_comments(text: str) -> list[tuple[int, str]]:
    """(line, names) of each ``# modelsync: ignore[...]`` comment token."""
    import io
    import tokenize

    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and (match := COMMENT.match(token.string)):
                found.append((token.start[0], match.group("names")))
    except (tokenize.TokenError, SyntaxError):
        pass  # the module parsed (it was linted), so this is its very end: keep what was found
    return found


def _sql_comments(text: str, shown: str) -> list[tuple[int, str]]:
    """(line, names) of each ``-- modelsync: ignore[...]`` (or ``/* */``) comment token."""
    from modelsync.lint.migrations import text_verdict

    return list(text_verdict(text, shown).get("ignores", ()))
