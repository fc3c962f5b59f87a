"""The one findings model every command produces, and its output formats."""

from modelsync.findings.model import SEVERITIES, Diagnostic, Finding, Location, Report, Rule

__all__ = ["SEVERITIES", "Diagnostic", "Finding", "Location", "Report", "Rule"]
