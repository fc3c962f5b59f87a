"""Report -> SARIF 2.1.0, for GitHub code scanning and editors.

Paths in findings are relative to the project root; SARIF says so with the base id
``PROJECTROOT`` in ``originalUriBaseIds``. Warnings about the input go to the
invocation's ``toolExecutionNotifications``: they are about the run, not the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from modelsync import __version__
from modelsync.findings.model import Diagnostic, Finding, Location, Report, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/modelsync/"
ROOT_ID = "PROJECTROOT"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def sarif_document(report: Report) -> str:
    codes = [rule.code for rule in report.rules]
    # A code without a catalogue entry still gets a rule, so every ruleId resolves.
    rules = list(report.rules) + [
        _bare_rule(f) for f in _first_of_each_code(report.findings) if f.code not in codes
    ]
    index = {rule.code: number for number, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "modelsync",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_object(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {ROOT_ID: {"uri": _root_uri(report.root)}},
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [_notification(w) for w in report.warnings],
            }
        ],
        "results": [_result(f, index[f.code]) for f in report.findings],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _first_of_each_code(findings: tuple[Finding, ...]) -> list[Finding]:
    first: dict[str, Finding] = {}
    for finding in findings:
        first.setdefault(finding.code, finding)
    return list(first.values())


def _bare_rule(finding: Finding) -> Rule:
    return Rule(finding.code, finding.kind, finding.kind.replace("_", " "))


def _rule_object(rule: Rule) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
    }
    if rule.help:
        found["fullDescription"] = {"text": rule.help}
        found["help"] = {"text": rule.help}
    return found


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.location)],
    }
    if finding.related:
        result["relatedLocations"] = [
            _location(loc, number) for number, loc in enumerate(finding.related, start=1)
        ]
    properties: dict[str, Any] = {"kind": finding.kind}
    if finding.table:
        properties["table"] = finding.table
    if finding.column:
        properties["column"] = finding.column
    result["properties"] = properties
    if finding.fix:
        result["message"]["text"] += f" Fix: {finding.fix}"
    return result


def _location(location: Location, number: int | None = None) -> dict[str, Any]:
    if location.in_database:
        return _database_location(location, number)
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _relative_uri(location.path), "uriBaseId": ROOT_ID}
    }
    if location.line:
        region: dict[str, Any] = {"startLine": location.line}
        if location.col:
            region["startColumn"] = location.col
        physical["region"] = region
    found: dict[str, Any] = {"physicalLocation": physical}
    if number is not None:
        found["id"] = number
        text = f"{location.role}: {location.value}" if location.value else location.role
        found["message"] = {"text": text}
    return found


def _database_location(location: Location, number: int | None) -> dict[str, Any]:
    """A table or column of a live database: a logical location, it has no file."""
    name = location.where
    kind = "member" if location.column else "type"
    found: dict[str, Any] = {
        "logicalLocations": [{"name": name, "fullyQualifiedName": name, "kind": kind}]
    }
    if number is not None:
        found["id"] = number
        text = f"{location.role}: {location.value}" if location.value else location.role
        found["message"] = {"text": text}
    return found


def _notification(warning: Diagnostic) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {"text": warning.message},
        "locations": [_location(Location("input", warning.path, warning.line))],
    }


def _relative_uri(path: str) -> str:
    return quote(Path(path).as_posix())


def _root_uri(root: str) -> str:
    # The base must be an absolute URI ending in a slash (SARIF 3.14.14).
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
