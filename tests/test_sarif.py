"""SARIF 2.1.0 output: valid against the official schema, and faithful to the findings.

The schema is the OASIS one (``sarif-2.1/schema/sarif-schema-2.1.0.json`` of
``oasis-tcs/sarif-spec``), vendored in ``tests/data``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import EXAMPLE, run_cli

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "check"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def sarif_of(root: Path) -> tuple[dict, dict]:
    """(SARIF document, JSON document) of ``check`` on a project."""
    sarif = run_cli("check", "--root", root, "--format", "sarif")
    plain = run_cli("check", "--root", root, "--format", "json")
    assert sarif.returncode == plain.returncode, sarif.stderr
    assert "internal error" not in sarif.stderr
    return json.loads(sarif.stdout), json.loads(plain.stdout)


@pytest.mark.parametrize("case", ["drifted", "stale", "warnings", "adoption", "clean"])
def test_sarif_is_valid_against_the_official_schema(case: str) -> None:
    document, _ = sarif_of(GOLDEN / case)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert document["version"] == "2.1.0"


def test_the_schema_rejects_a_broken_document() -> None:
    # The validation above can fail: a result without its message is refused.
    document, _ = sarif_of(GOLDEN / "drifted")
    del document["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(document)


def test_every_finding_appears_once_with_its_rule_and_both_locations() -> None:
    document, plain = sarif_of(GOLDEN / "drifted")
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    findings = plain["findings"]
    assert len(findings) == 9 and len(results) == len(findings)
    for finding, result in zip(findings, results, strict=True):
        assert result["ruleId"] == finding["code"]
        assert rules[result["ruleIndex"]]["id"] == finding["code"]
        assert rules[result["ruleIndex"]]["name"] == finding["kind"]
        assert result["message"]["text"] == finding["message"]
        assert result["level"] == "error"
        (primary,) = result["locations"]
        assert _place(primary) == (finding["target"]["path"], finding["target"]["line"])
        (related,) = result["relatedLocations"]
        assert _place(related) == (finding["source"]["path"], finding["source"]["line"])
    # Each finding is one result: no two results say the same thing.
    keys = [(r["ruleId"], r["message"]["text"]) for r in results]
    assert len(set(keys)) == len(keys)


def test_rules_carry_descriptions_and_help() -> None:
    document, _ = sarif_of(GOLDEN / "drifted")
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "modelsync" and driver["version"] and driver["informationUri"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    assert {"MS101", "MS301", "MS601", "MS701"} <= set(ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]


def test_paths_are_relative_to_the_project_root() -> None:
    document, _ = sarif_of(GOLDEN / "drifted")
    (run,) = document["runs"]
    base = run["originalUriBaseIds"]["PROJECTROOT"]["uri"]
    assert base == (GOLDEN / "drifted").resolve().as_uri() + "/"
    for result in run["results"]:
        for location in (*result["locations"], *result.get("relatedLocations", ())):
            artifact = location["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "PROJECTROOT"
            assert artifact["uri"] in ("ai-worker/db.py", "backend-core/models.py")


def test_warnings_are_tool_notifications_not_results() -> None:
    document, plain = sarif_of(GOLDEN / "warnings")
    (run,) = document["runs"]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notifications] == [
        w["message"] for w in plain["warnings"]
    ]
    assert len(run["results"]) == len(plain["findings"]) == 1


def test_a_clean_project_has_no_results() -> None:
    document, _ = sarif_of(EXAMPLE)
    assert document["runs"][0]["results"] == []


def _place(location: dict) -> tuple[str, int | None]:
    physical = location["physicalLocation"]
    line = physical.get("region", {}).get("startLine")
    return physical["artifactLocation"]["uri"], line
