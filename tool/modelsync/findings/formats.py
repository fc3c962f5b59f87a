"""Drift and warnings -> text, JSON or GitHub workflow commands. Pure: returns strings."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from modelsync.drift.compare import Drift, Side
from modelsync.schema.ir import Diagnostic


@dataclass(frozen=True, slots=True)
class CheckResult:
    source: str
    target: str
    tables_compared: int
    drifts: tuple[Drift, ...]
    warnings: tuple[Diagnostic, ...]
    ignored_kinds: tuple[str, ...]


def _where(side: Side) -> str:
    return f"{side.path}:{side.line}" if side.line else side.path


def _summary(result: CheckResult) -> dict:
    return {
        "source": result.source,
        "target": result.target,
        "tables_compared": result.tables_compared,
        "findings": len(result.drifts),
        "by_kind": dict(sorted(Counter(d.kind for d in result.drifts).items())),
        "ignored_kinds": list(result.ignored_kinds),
        "warnings": len(result.warnings),
    }


def check_json(result: CheckResult) -> str:
    findings = [
        {
            "code": d.code,
            "kind": d.kind,
            "table": d.table,
            "column": d.column,
            "message": d.message,
            "source": _side(d.source),
            "target": _side(d.target),
        }
        for d in result.drifts
    ]
    document = {
        "findings": findings,
        "summary": _summary(result),
        "warnings": [warning_dict(w) for w in result.warnings],
    }
    return json.dumps(document, indent=2)


def _side(side: Side) -> dict:
    return {"path": side.path, "line": side.line, "value": side.value}


def warning_dict(warning: Diagnostic) -> dict:
    return {"path": warning.path, "line": warning.line, "message": warning.message}


def check_text_lines(result: CheckResult) -> list[tuple[str, str]]:
    """(style, line) pairs; the CLI colours them only on a terminal."""
    lines = [
        (
            "drift",
            f"{_where(d.target)}: {d.code} [{d.kind}] {d.message} (source: {_where(d.source)})",
        )
        for d in result.drifts
    ]
    lines += [("warning", warning_text(w)) for w in result.warnings]
    if result.drifts:
        kinds = ", ".join(f"{k}: {n}" for k, n in _summary(result)["by_kind"].items())
        lines.append(
            (
                "summary-bad",
                f"{len(result.drifts)} drift(s) between {result.source} and {result.target} "
                f"({kinds})",
            )
        )
    else:
        lines.append(
            (
                "summary-good",
                f"in sync: {result.tables_compared} table(s) of {result.source} match "
                f"{result.target}",
            )
        )
    return lines


def warning_text(warning: Diagnostic) -> str:
    return f"{warning.path}:{warning.line}: warning: {warning.message}"


def check_github(result: CheckResult) -> str:
    lines = []
    for d in result.drifts:
        side = d.target if d.target.line else d.source
        message = f"{d.message} (source: {_where(d.source)})"
        lines.append(annotation("error", side.path, side.line, f"modelsync {d.kind}", message))
    lines += [github_warning(w) for w in result.warnings]
    return "\n".join(lines)


def github_warning(warning: Diagnostic) -> str:
    return annotation("warning", warning.path, warning.line, "modelsync", warning.message)


def annotation(level: str, path: str, line: int | None, title: str, message: str) -> str:
    props = f"file={_escape_property(path)}"
    if line:
        props += f",line={line}"
    props += f",title={_escape_property(title)}"
    return f"::{level} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
