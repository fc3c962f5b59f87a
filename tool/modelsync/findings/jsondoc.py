"""Report -> one JSON document: findings, the command's summary, warnings."""

from __future__ import annotations

import json
from typing import Any

from modelsync.findings.model import Diagnostic, Finding, Location, Report


def location_dict(location: Location) -> dict[str, Any]:
    if location.in_database:
        return {"table": location.table, "column": location.column, "value": location.value}
    found: dict[str, Any] = {"path": location.path, "line": location.line}
    if location.col is not None:
        found["col"] = location.col
    found["value"] = location.value
    return found


def finding_dict(finding: Finding) -> dict[str, Any]:
    """Every location under its role. ``severity`` is given when it is not ``error`` and
    ``fix`` when there is one, so a drift keeps the shape the design brief fixed."""
    found: dict[str, Any] = {
        "code": finding.code,
        "kind": finding.kind,
        "table": finding.table,
        "column": finding.column,
        "message": finding.message,
    }
    for location in finding.locations:
        found[location.role] = location_dict(location)
    if finding.severity != "error":
        found["severity"] = finding.severity
    if finding.fix:
        found["fix"] = finding.fix
    return found


def warning_dict(warning: Diagnostic) -> dict[str, Any]:
    return {"path": warning.path, "line": warning.line, "message": warning.message}


def json_document(report: Report) -> str:
    document = {
        "findings": [finding_dict(f) for f in report.findings],
        "summary": report.summary,
        "warnings": [warning_dict(w) for w in report.warnings],
    }
    return json.dumps(document, indent=2)
