"""Report -> text lines, each with a style the CLI colours only on a terminal."""

from __future__ import annotations

from modelsync.findings.model import Diagnostic, Finding, Report

# Styles: finding, warning, summary-bad, summary-good (the CLI maps them to colours).


def finding_line(finding: Finding) -> str:
    """``place: CODE [kind] message (role: place)...``; the primary place comes first
    because that is where to fix it."""
    severity = "" if finding.severity == "error" else f"{finding.severity}: "
    related = "".join(f" ({loc.role}: {loc.where})" for loc in finding.related)
    return (
        f"{finding.location.where}: {severity}{finding.code} [{finding.kind}] "
        f"{finding.message}{related}"
    )


def warning_text(warning: Diagnostic) -> str:
    return f"{warning.path}:{warning.line}: warning: {warning.message}"


def text_lines(report: Report) -> list[tuple[str, str]]:
    """(style, line) pairs: findings, then warnings, then the headline."""
    lines = [("finding", finding_line(f)) for f in report.findings]
    lines += [("warning", warning_text(w)) for w in report.warnings]
    lines.append(("summary-bad" if report.failed else "summary-good", report.headline))
    return lines
