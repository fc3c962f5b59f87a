"""Report -> GitHub Actions workflow commands (annotations on a pull request)."""

from __future__ import annotations

from modelsync.findings.inert import inert
from modelsync.findings.model import Diagnostic, Finding, Report

_LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def finding_annotation(finding: Finding) -> str:
    # An annotation needs a line: when the primary place has none (a table missing from
    # the target), it goes where the thing does stand.
    place = next((loc for loc in (finding.location, *finding.related) if loc.line), None)
    place = place or finding.location
    related = "".join(f" ({loc.role}: {loc.where})" for loc in finding.related)
    return annotation(
        _LEVELS[finding.severity],
        place.path,
        place.line,
        f"modelsync {finding.kind}",
        finding.message + related,
    )


def github_warning(warning: Diagnostic) -> str:
    return annotation("warning", warning.path, warning.line, "modelsync", warning.message)


def github_lines(report: Report) -> list[str]:
    return [finding_annotation(f) for f in report.findings] + [
        github_warning(w) for w in report.warnings
    ]


def annotation(level: str, path: str, line: int | None, title: str, message: str) -> str:
    props = f"file={_escape_property(path)}"
    if line:
        props += f",line={line}"
    props += f",title={_escape_property(title)}"
    return f"::{level} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    """The workflow-command escapes (``%``, CR, LF) over text made inert first: GitHub
    defines no escape for ESC, BEL or U+202E, and its log shows them raw."""
    return inert(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
