"""Report -> output in one of the formats every command offers. Pure: returns text."""

from __future__ import annotations

from modelsync.findings.model import Report

FORMATS = ("text", "json", "github", "sarif")


def formatted(report: Report, output_format: str) -> list[tuple[str | None, str]]:
    """(style, line) pairs to print. A style of None is plain standard output; ``warning``
    goes to standard error; the other styles are text lines coloured on a terminal."""
    # Each printer is imported when chosen: a pre-commit run printing text does not load
    # json or SARIF's URL quoting.
    if output_format == "json":
        from modelsync.findings.jsondoc import json_document

        return [(None, json_document(report))]
    if output_format == "sarif":
        from modelsync.findings.sarif import sarif_document

        return [(None, sarif_document(report))]
    if output_format == "github":
        from modelsync.findings.github import github_lines

        return [(None, line) for line in github_lines(report)]
    from modelsync.findings.text import text_lines

    return text_lines(report)
