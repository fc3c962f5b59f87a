"""docs/rules.md has one complete entry per rule, and every doc link to a rule resolves."""

from __future__ import annotations

import re

import pytest

from modelsync.lint.registry import INPUT_RULE, LINT_RULES
from tests.conftest import REPO

RULES_MD = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


def entry(name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", RULES_MD, re.S | re.M)
    assert match, f"docs/rules.md has no entry for {name}"
    return match.group(1)


@pytest.mark.parametrize("rule", (*LINT_RULES, INPUT_RULE), ids=lambda r: r.name)
def test_every_rule_has_a_complete_entry(rule) -> None:
    text = entry(rule.name)
    assert text.lstrip().startswith(f"**{rule.code}** · standard {rule.section}")
    for part in ("**What.**", "**Why.**", "**Bad**", "**Good**", "**Fix.**"):
        assert part in text, (rule.name, part)
    assert text.count("```") >= 4  # a bad and a good example


def test_no_entry_for_a_rule_that_does_not_exist() -> None:
    headings = re.findall(r"^## (\S+)$", RULES_MD, re.M)
    assert headings == [r.name for r in (*LINT_RULES, INPUT_RULE)]


@pytest.mark.parametrize(
    "doc", ["README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]
)
def test_rule_links_resolve(doc: str) -> None:
    names = {r.name for r in (*LINT_RULES, INPUT_RULE)}
    links = re.findall(r"rules\.md#([a-z0-9-]+)", (REPO / doc).read_text(encoding="utf-8"))
    assert set(links) <= names
