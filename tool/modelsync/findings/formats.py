"""Report -> output in one of the formats every command offers. Pure: returns text."""

from __future__ import annotations

from modelsync.findings.github import github_lines
from modelsync.findings.jsondoc import json_document
from modelsync.findings.model import Report
from modelsync.findings.sarif import sarif_document
from modelsync.findings.text import text_lines

FORMATS = ("text", "json", "github", "sarif")


def formatted(report: Report, output_format: str) -> list[tuple[str | None, str]]:
    """(style, line) pairs to print. A style of None is plain standard output; ``warning``
    goes to standard error; the other styles are text lines coloured on a terminal."""
    if output_format == "json":
        return [(None, json_document(report))]
    if output_format == "sarif":
        return [(None, sarif_document(report))]
    if output_format == "github":
        return [(None, line) for line in github_lines(report)]
    return text_lines(report)
