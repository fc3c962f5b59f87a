"""``modelsync lint`` as a user runs it: the real CLI in a subprocess, all four formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modelsync.lint.registry import LINT_RULES
from tests.conftest import EXAMPLE, REPO, run_cli
from tests.lint_helpers import write

SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
SOURCE = "backend-core/models.py"
TARGET = "ai-worker/db.py"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root)
    return root


def replace_in(path: Path, old: str, new: str) -> int:
    """Replace once and return the 1-based line of the change."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_the_example_is_lint_clean() -> None:
    result = run_cli("lint", "--root", EXAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("lint clean: 15 rule(s) over")
    assert result.stderr == ""


def test_a_384_dimension_copy_fails(example: Path) -> None:
    replace_in(example / SOURCE, "EMBEDDING_DIM = 768", "EMBEDDING_DIM = 384")
    result = run_cli("lint", "--root", example)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "[vector-column]" in line]
    # resumes.embedding and questions.embedding, at their field lines in the source
    text = (example / SOURCE).read_text().splitlines()
    expected = [n for n, line in enumerate(text, 1) if "Vector(EMBEDDING_DIM)" in line]
    assert [int(line.split(":")[1]) for line in lines] == expected
    assert all(line.startswith(f"{SOURCE}:") and "384 dimensions" in line for line in lines)


def test_a_table_named_user_fails(example: Path) -> None:
    line = replace_in(example / SOURCE, '__tablename__ = "users"', '__tablename__ = "user"')
    result = run_cli("lint", "--root", example, "--select", "table-name")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"{SOURCE}:{line}: MS811 [table-name] table name 'user' is not plural; "
        "table names are plural snake_case"
    )


@pytest.fixture
def violating(tmp_path: Path) -> Path:
    """One engine-file finding (line 4) and one model finding (line 9)."""
    return write(
        tmp_path,
        {
            SOURCE: (
                "from typing import Optional\n"
                "from sqlalchemy import JSON, Column\n"
                "from sqlmodel import Field, SQLModel\n"
                "\n"
                "\n"
                "class Thing(SQLModel, table=True):\n"
                '    __tablename__ = "things"\n'
                "    id: Optional[int] = Field(default=None, primary_key=True)\n"
                "    data: dict = Field(sa_column=Column(JSON))\n"
            ),
            "backend-core/database.py": (
                "import os\n"
                "from sqlmodel import create_engine\n"
                "\n"
                'engine = create_engine(os.getenv("DATABASE_URL", "postgresql://u:p@db/x"))\n'
            ),
        },
    )


def test_text_format(violating: Path) -> None:
    result = run_cli("lint", "--root", violating, "--ignore", "pool-settings")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("backend-core/database.py:4:10: MS801 [database-url] ")
    assert lines[1].startswith(f"{SOURCE}:9: MS822 [json-type] column things.data is JSON")
    assert lines[2] == (
        "2 lint finding(s), 2 error(s), in 2 file(s) (database-url: 1, json-type: 1)"
    )


def test_json_format(violating: Path) -> None:
    result = run_cli("lint", "--root", violating, "--format", "json", "--ignore", "pool-settings")
    document = json.loads(result.stdout)
    assert result.returncode == 1
    first, second = document["findings"]
    assert (first["code"], first["kind"], first["engine"]["line"]) == ("MS801", "database-url", 4)
    assert (second["kind"], second["table"], second["column"]) == ("json-type", "things", "data")
    assert second["source"] == {"path": SOURCE, "line": 9, "value": "JSON"}
    assert "JSONB" in second["fix"]
    summary = document["summary"]
    assert summary["by_rule"] == {"database-url": 1, "json-type": 1}
    assert summary["files"] == [SOURCE, "backend-core/database.py"]
    assert "pool-settings" not in summary["rules"] and summary["errors"] == 2
    assert set(summary["sqlmodel"]) == {"version", "from"}


def test_github_format(violating: Path) -> None:
    result = run_cli("lint", "--root", violating, "--format", "github", "--select", "json-type")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::error file={SOURCE},line=9,title=modelsync json-type::column things.data is JSON; "
        "unstructured data is JSONB (indexable, compared by value, no duplicate keys)"
    ]


def test_sarif_format(violating: Path) -> None:
    result = run_cli("lint", "--root", violating, "--format", "sarif")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    if SARIF_SCHEMA.exists():
        import jsonschema

        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    # every rule, and bad-input (which always runs)
    assert len(rules) == len(LINT_RULES) + 1
    assert {r["name"] for r in rules} >= {"database-url", "migration-sql", "bad-input"}
    places = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    assert places == [
        ("MS801", "backend-core/database.py", 4),
        ("MS802", "backend-core/database.py", 4),
        ("MS822", SOURCE, 9),
    ]
    assert rules[run["results"][2]["ruleIndex"]]["name"] == "json-type"


def test_inline_suppression(violating: Path) -> None:
    replace_in(
        violating / SOURCE,
        "sa_column=Column(JSON))",
        "sa_column=Column(JSON))  # modelsync: ignore[json-type, no-such-rule]",
    )
    result = run_cli("lint", "--root", violating, "--select", "json-type")
    assert result.returncode == 0, result.stdout
    assert "1 suppressed inline" in result.stdout
    assert f"{SOURCE}:9: warning: modelsync: ignore[no-such-rule] names no lint rule" in (
        result.stderr
    )


def test_suppression_only_silences_the_named_rule(violating: Path) -> None:
    replace_in(
        violating / SOURCE,
        "sa_column=Column(JSON))",
        "sa_column=Column(JSON))  # modelsync: ignore[column-name]",
    )
    assert run_cli("lint", "--root", violating, "--select", "json-type").returncode == 1


def test_config_select_and_ignore(violating: Path) -> None:
    (violating / "pyproject.toml").write_text(
        '[tool.modelsync.lint]\nselect = ["json-type", "database-url"]\nignore = ["database-url"]\n'
    )
    result = run_cli("lint", "--root", violating, "--format", "json")
    document = json.loads(result.stdout)
    assert [f["kind"] for f in document["findings"]] == ["json-type"]
    assert document["summary"]["rules"] == ["json-type"]
    # a --select flag replaces the configured selection
    result = run_cli("lint", "--root", violating, "--select", "pool-settings,database-url")
    assert "[pool-settings]" in result.stdout and "[json-type]" not in result.stdout
    assert "[database-url]" not in result.stdout  # the configured ignore still applies


@pytest.mark.parametrize(
    ("config", "needle", "line"),
    [
        (
            '[tool.modelsync.lint]\nignore = [\n  "json-type",\n  "jsonb-type",\n]\n',
            "'jsonb-type'",
            4,
        ),
        ('[tool.modelsync.lint]\nselect = "json-type"\n', "must be a list", 2),
        ("[tool.modelsync.lint]\nselct = []\n", "unknown key 'selct'", 2),
        ('[tool.modelsync.lint]\nvector_dims = {"embedding" = 3}\n', "table.column", 2),
        (
            '[tool.modelsync]\nengine_files = ["../outside.py"]\n',
            "leads outside the project root",
            2,
        ),
        ("[tool.modelsync]\nengine_files = [1]\n", "engine_files must be a list of strings", 2),
        (
            "[tool.modelsync]\n\nvector_dim = 0\n",
            "vector_dim must be a number of dimensions from 1 to 16000",
            3,
        ),
        ("[tool.modelsync]\nvector_dim = 0x" + "f" * 4000 + "\n", "from 1 to 16000", 2),
        (
            '[tool.modelsync.lint]\nvector_dims = {"a.b" = 0x' + "f" * 4000 + "}\n",
            "from 1 to 16000",
            2,
        ),
        ('[tool.modelsync]\nlint = {select = "x"}\n', "select must be a list of rule names", 2),
        ("[tool.modelsync]\n\nlint.select = 1\n", "select must be a list of rule names", 3),
        ("[tool]\nmodelsync.lint.ignore = 5\n", "ignore must be a list of rule names", 2),
        ("[tool.modelsync]\n\nlint = {foo = 1}\n", "unknown key 'foo'", 3),
        (
            "[tool]\nname = 1\nmodelsync = {engine_files = [1]}\n",
            "engine_files must be a list of strings",
            3,
        ),
    ],
)
def test_bad_lint_config(violating: Path, config: str, needle: str, line: int | None) -> None:
    (violating / "pyproject.toml").write_text(config)
    result = run_cli("lint", "--root", violating)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and needle in result.stderr
    if line:
        assert f"pyproject.toml:{line}:" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_unknown_rule_flag_is_a_usage_error(violating: Path) -> None:
    result = run_cli("lint", "--root", violating, "--ignore", "pool-setting")
    assert result.returncode == 2 and "unknown lint rule 'pool-setting'" in result.stderr


def test_bad_input_exits_2_with_place(violating: Path) -> None:
    (violating / "backend-core/database.py").write_text("def broken(:\n")
    result = run_cli("lint", "--root", violating)
    assert result.returncode == 2 and result.stderr == ""
    assert result.stdout.startswith("backend-core/database.py:1: MS890 [bad-input] syntax error")
    # the models are still checked
    assert f"{SOURCE}:9: MS822 [json-type]" in result.stdout


def test_a_missing_engine_file_is_bad_input(violating: Path) -> None:
    (violating / "pyproject.toml").write_text('[tool.modelsync]\nengine_files = ["nope.py"]\n')
    result = run_cli("lint", "--root", violating)
    assert result.returncode == 2
    assert "nope.py: MS890 [bad-input] engine file not found (engine_files)" in (
        result.stdout.splitlines()
    )
    assert f"{SOURCE}:9: MS822 [json-type]" in result.stdout


def test_warnings_alone_do_not_fail(example: Path) -> None:
    migrations = example / "infra/postgres/migrations"
    (migrations / "003_later.sql").write_text("SELECT 1;\n")
    result = run_cli("lint", "--root", example)
    assert result.returncode == 0
    assert "warning: MS842 [migration-number] number 002 is missing before 003_later.sql" in (
        result.stdout
    )


def test_lint_imports_nothing_of_the_users_and_no_sqlalchemy(example: Path) -> None:
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['modelsync', 'lint', '--root', {str(example)!r}]\n"
        "from modelsync.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'sqlmodel', 'jinja2', 'libcst', 'pydantic', "
        "'pgvector') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_a_missing_source_is_bad_input_and_a_missing_target_is_skipped(violating: Path) -> None:
    assert not (violating / TARGET).exists()
    assert run_cli("lint", "--root", violating, "--select", "json-type").returncode == 1
    result = run_cli("lint", "--root", violating, "--source", "nope/models.py")
    assert result.returncode == 2 and result.stderr == ""
    assert "nope/models.py: MS890 [bad-input] file not found" in result.stdout.splitlines()
    # the engine module is still checked
    assert "backend-core/database.py:4:10: MS801 [database-url]" in result.stdout
