"""`modelsync generate`: new files, adoption, markers, modes, hand edits, templates."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

ADOPTION = REPO / "tests" / "fixtures" / "adoption"
TARGET = "ai-worker/db.py"


@pytest.fixture
def adoption(tmp_path: Path) -> Path:
    root = tmp_path / "adoption"
    shutil.copytree(ADOPTION, root)
    return root


@pytest.fixture
def fresh(adoption: Path) -> Path:
    """The adoption project with no target yet: generate creates it."""
    (adoption / TARGET).unlink()
    return adoption


def generate(root: Path, *flags: str):
    return run_cli("generate", "--root", root, *flags)


def _kept_statements(text: str, mirrored: set[str]) -> list[str]:
    """Source text of every top-level statement that is not a mirrored class or import."""
    module = ast.parse(text)
    kept = []
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name in mirrored:
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue  # imports may gain names; none may be lost (checked separately)
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        kept.append("\n".join(text.splitlines()[start - 1 : node.end_lineno]))
    return kept


def test_adoption_brings_a_stale_mirror_in_sync_and_keeps_everything_else(adoption: Path) -> None:
    before = (adoption / TARGET).read_text()
    assert run_cli("check", "--root", adoption).returncode == 1
    result = generate(adoption)
    assert result.returncode == 0, result.stderr
    after = (adoption / TARGET).read_text()
    assert run_cli("check", "--root", adoption).returncode == 0
    mirrored = {"QuestionCategory", "Company", "Question"}
    before_kept = _kept_statements(before, mirrored)
    # Everything the user wrote stands in the result byte for byte, in the same order.
    positions = [after.index(statement) for statement in before_kept]
    assert positions == sorted(positions)
    assert "# Mirrored from backend-core/models.py -- last synced by hand, long ago." in after
    # No import was removed: every name the old file imported is still imported.
    imported_before = _imported_names(before)
    assert imported_before <= _imported_names(after)
    # The region replaced the old classes where the first of them stood.
    assert after.index("# --- modelsync: begin generated") < after.index("def task_session")
    assert "Vector(384)" not in after and "class Transcript" in after
    assert "class QuestionRead" not in after  # API schemas are not mirrored


def _imported_names(text: str) -> set[str]:
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return names


def test_generate_twice_changes_nothing(adoption: Path) -> None:
    assert generate(adoption).returncode == 0
    target = adoption / TARGET
    first = target.read_bytes()
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    second = generate(adoption)
    assert second.returncode == 0
    assert "up to date" in second.stdout
    assert target.read_bytes() == first
    assert target.stat().st_mtime_ns == 1_000_000_000  # not rewritten


def test_new_target_has_engine_session_and_region(fresh: Path) -> None:
    result = generate(fresh)
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout
    text = (fresh / TARGET).read_text()
    assert text.startswith('"""Database access for the worker')
    assert "generated from backend-core/models.py" in text
    for needle in (
        'DEFAULT_DATABASE_URL = "postgresql+psycopg://admin:1234@db:5432/interview_db"',
        'os.getenv("DATABASE_URL", DEFAULT_DATABASE_URL)',
        'pool_size=int(os.getenv("DB_POOL_SIZE", "20"))',
        'max_overflow=int(os.getenv("DB_MAX_OVERFLOW", "10"))',
        'pool_recycle=int(os.getenv("DB_POOL_RECYCLE", "3600"))',
        "pool_pre_ping=True",
        "with Session(engine) as session:",
    ):
        assert needle in text
    assert run_cli("check", "--root", fresh).returncode == 0
    formatted = run_cli_ruff("format", "--isolated", "--check", fresh / TARGET)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def run_cli_ruff(*args: str | Path):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "ruff", *map(str, args)], capture_output=True, text=True
    )


def test_check_diff_and_stdout_modes_write_nothing(adoption: Path) -> None:
    target = adoption / TARGET
    before = target.read_bytes()
    check = generate(adoption, "--check")
    assert check.returncode == 1
    assert "would be changed" in check.stdout
    diff = generate(adoption, "--diff")
    assert diff.returncode == 1
    assert diff.stdout.startswith(f"--- current {TARGET}\n+++ generated {TARGET}\n")
    assert (
        "-    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(384)))"
        in diff.stdout
    )
    stdout = generate(adoption, "--stdout")
    assert stdout.returncode == 0
    assert "# --- modelsync: begin generated" in stdout.stdout
    assert target.read_bytes() == before
    assert generate(adoption).returncode == 0
    assert generate(adoption, "--check").returncode == 0
    assert generate(adoption, "--diff").stdout == ""


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("class Broken(\n", "syntax error"),
        ("# --- modelsync: begin generated from x\n", "unbalanced modelsync markers"),
        (
            "# --- modelsync: begin generated from x\n# --- modelsync: end generated\n"
            "# --- modelsync: begin generated from x\n# --- modelsync: end generated\n",
            "duplicated modelsync marker",
        ),
    ],
)
def test_broken_target_is_refused_and_left_untouched(
    adoption: Path, damage: str, message: str
) -> None:
    target = adoption / TARGET
    target.write_text(target.read_text() + damage)
    before = target.read_bytes()
    result = generate(adoption)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.startswith(f"modelsync: error: {TARGET}:")
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == before


def test_hand_edited_region_is_refused_without_force(adoption: Path) -> None:
    assert generate(adoption).returncode == 0
    target = adoption / TARGET
    text = target.read_text()
    edited = text.replace(
        "speaker: str = Field(max_length=20)", "speaker: str = Field(max_length=40)"
    )
    target.write_text(edited)
    line = edited.splitlines().index("    speaker: str = Field(max_length=40)") + 1
    check = run_cli("check", "--root", adoption, "--format", "json")
    assert check.returncode == 1
    assert "stale_region" in check.stdout and "edited by hand" in check.stdout
    refused = generate(adoption)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"{TARGET}:{line}: the generated region was edited by hand")
    assert f"line(s) {line} differ" in refused.stderr
    assert target.read_text() == edited
    forced = generate(adoption, "--force")
    assert forced.returncode == 0
    assert target.read_text() == text


def test_source_change_makes_the_region_stale(adoption: Path) -> None:
    assert generate(adoption).returncode == 0
    source = adoption / "backend-core" / "models.py"
    source.write_text(
        source.read_text().replace(
            "speaker: str = Field(max_length=20)", "speaker: str = Field(max_length=30)"
        )
    )
    check = run_cli("check", "--root", adoption)
    assert check.returncode == 1
    assert (
        "[stale_region] the generated region is older than backend-core/models.py" in check.stdout
    )
    assert "[type] transcripts.speaker" in check.stdout
    assert generate(adoption).returncode == 0
    assert run_cli("check", "--root", adoption).returncode == 0


def test_a_missing_import_is_reported_and_restored(adoption: Path) -> None:
    assert generate(adoption).returncode == 0
    target = adoption / TARGET
    target.write_text(
        target.read_text().replace("from sqlalchemy.dialects.postgresql import JSONB\n", "")
    )
    check = run_cli("check", "--root", adoption)
    assert check.returncode == 1
    assert "needs `from sqlalchemy.dialects.postgresql import JSONB`" in check.stdout
    assert generate(adoption).returncode == 0
    assert "from sqlalchemy.dialects.postgresql import JSONB" in target.read_text()
    assert run_cli("check", "--root", adoption).returncode == 0


def test_relationships_can_be_left_out(adoption: Path) -> None:
    (adoption / "pyproject.toml").write_text("[tool.modelsync]\nrelationships = false\n")
    assert generate(adoption).returncode == 0
    text = (adoption / TARGET).read_text()
    assert "Relationship(" not in text
    assert run_cli("check", "--root", adoption).returncode == 0
    (adoption / "pyproject.toml").write_text("[tool.modelsync]\nrelationships = true\n")
    stale = run_cli("check", "--root", adoption)
    assert stale.returncode == 1 and "stale_region" in stale.stdout


def test_user_templates_override_the_bundled_ones(fresh: Path) -> None:
    templates = fresh / "my-templates"
    templates.mkdir()
    bundled = (REPO / "templates" / "db.py.j2").read_text()
    header = '"""Worker models for {{ source_path }}, generated by our CI. Do not edit."""\n'
    custom = header + bundled.split('"""\n', 1)[1]
    (templates / "db.py.j2").write_text(custom)
    (fresh / "pyproject.toml").write_text('[tool.modelsync]\ntemplates_dir = "my-templates"\n')
    assert generate(fresh).returncode == 0
    text = (fresh / TARGET).read_text()
    assert text.startswith('"""Worker models for backend-core/models.py, generated by our CI.')
    assert run_cli("check", "--root", fresh).returncode == 0
    # The region remembers which templates made it: changing one makes it stale.
    (templates / "table.py.j2").write_text("# table {{ item.name }}\n{{ item.text }}\n")
    stale = run_cli("check", "--root", fresh)
    assert stale.returncode == 1 and "stale_region" in stale.stdout
    assert generate(fresh).returncode == 0
    assert "# table Company\nclass Company" in (fresh / TARGET).read_text()


def test_a_template_that_renders_invalid_python_is_refused(fresh: Path) -> None:
    templates = fresh / "my-templates"
    templates.mkdir()
    (templates / "db.py.j2").write_text("def broken(:\n{{ region }}\n")
    (fresh / "pyproject.toml").write_text('[tool.modelsync]\ntemplates_dir = "my-templates"\n')
    result = generate(fresh)
    assert result.returncode == 2
    # The template that wrote it is named, with the line (issue 10).
    assert result.stderr.startswith(
        "modelsync: error: my-templates/db.py.j2:1: the template's output for a new target "
        "is not valid Python"
    )
    assert not (fresh / TARGET).exists()


def test_json_and_github_formats(adoption: Path) -> None:
    import json

    document = json.loads(generate(adoption, "--check", "--format", "json").stdout)
    assert document["status"] == "would_change" and document["target"] == TARGET
    github = generate(adoption, "--check", "--format", "github")
    assert github.returncode == 1
    assert github.stdout.startswith(f"::error file={TARGET},title=modelsync generate::")
    written = json.loads(generate(adoption, "--format", "json").stdout)
    assert written["status"] == "updated"
    assert json.loads(generate(adoption, "--format", "json").stdout)["status"] == "up_to_date"


def test_missing_templates_dir_is_an_error(fresh: Path) -> None:
    (fresh / "pyproject.toml").write_text('[tool.modelsync]\ntemplates_dir = "nowhere"\n')
    result = generate(fresh)
    assert result.returncode == 2
    assert "templates_dir is not a directory" in result.stderr


def test_future_annotations_follow_the_source(fresh: Path) -> None:
    source = fresh / "backend-core" / "models.py"
    source.write_text(
        '"""Models."""\n\nfrom __future__ import annotations\n'
        + source.read_text().split('"""\n', 1)[1]
    )
    (fresh / TARGET).write_text(textwrap.dedent('''\
        """Worker."""

        import os

        HELLO = os.getenv("HELLO")
    '''))  # fmt: skip
    assert generate(fresh).returncode == 0
    text = (fresh / TARGET).read_text()
    assert text.index("from __future__ import annotations") < text.index("import os")
    assert run_cli("check", "--root", fresh).returncode == 0


def test_local_classes_the_tables_use_are_copied(fresh: Path) -> None:
    source = fresh / "backend-core" / "models.py"
    source.write_text(
        source.read_text()
        .replace(
            "class QuestionCategory(str, Enum):",
            "class LabelledEnum(str, Enum):\n    pass\n\n\nclass QuestionCategory(LabelledEnum):",
        )
        .replace(
            "from sqlmodel import Field, Relationship, SQLModel",
            "from pydantic import BaseModel\nfrom sqlmodel import Field, Relationship, SQLModel",
        )
        .replace(
            "class Company(SQLModel, table=True):",
            "class Address(BaseModel):\n    city: str\n\n\nclass Company(SQLModel, table=True):",
        )
        .replace(
            "    industry: Optional[str]",
            "    address: Optional[Address] = Field(default=None, sa_type=JSONB)\n    industry: Optional[str]",
        )
    )
    assert run_cli("schema", source).returncode == 0
    assert generate(fresh).returncode == 0
    text = (fresh / TARGET).read_text()
    assert "class LabelledEnum(str, Enum):" in text and "class Address(BaseModel):" in text
    assert "from pydantic import BaseModel" in text
    assert run_cli("check", "--root", fresh).returncode == 0


def imports_cleanly(root: Path) -> subprocess.CompletedProcess[str]:
    """Import the target with real SQLModel (the engine is created, never connected)."""
    env = {**os.environ, "DATABASE_URL": "postgresql+psycopg://nobody@localhost/none"}
    code = "import db; from sqlalchemy.orm import configure_mappers; configure_mappers()"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root / "ai-worker",
        env=env,
        capture_output=True,
        text=True,
    )


def test_target_definitions_below_the_region_are_copied_into_it(adoption: Path) -> None:
    target = adoption / TARGET
    text = target.read_text()
    helper = "def utcnow() -> datetime:\n    return datetime.now(timezone.utc)\n\n\n"
    target.write_text(text.replace(helper, "") + "\n\n" + helper.rstrip("\n") + "\n")
    assert generate(adoption).returncode == 0
    after = target.read_text()
    region = after[after.index("# --- modelsync: begin") : after.index("# --- modelsync: end")]
    assert "def utcnow()" in region  # the models need it when their classes are made
    assert after.rstrip().endswith("return datetime.now(timezone.utc)")  # the user's stays
    assert run_cli("check", "--root", adoption).returncode == 0
    assert imports_cleanly(adoption).returncode == 0


def test_code_after_the_mirrored_classes_still_finds_them(adoption: Path) -> None:
    target = adoption / TARGET
    target.write_text(target.read_text() + "\n\nMODELS = [Company, Question]\n")
    assert generate(adoption).returncode == 0
    result = imports_cleanly(adoption)
    assert result.returncode == 0, result.stderr


def test_a_target_binding_a_needed_name_to_something_else_is_refused(adoption: Path) -> None:
    target = adoption / TARGET
    text = target.read_text().replace(
        "from sqlmodel import Field, Session, SQLModel, create_engine, select",
        "from pydantic import Field\nfrom sqlmodel import Session, SQLModel, create_engine, select",
    )
    target.write_text(text)
    result = generate(adoption)
    assert result.returncode == 2
    line = text.splitlines().index("from pydantic import Field") + 1
    assert result.stderr.startswith(
        f"modelsync: error: {TARGET}:{line}: Field here is pydantic.Field"
    )
    assert target.read_text() == text


def test_a_constant_defined_differently_in_the_target_is_warned_about(adoption: Path) -> None:
    target = adoption / TARGET
    target.write_text(
        target.read_text().replace("logger = logging", "EMBEDDING_DIM = 384\nlogger = logging")
    )
    result = generate(adoption)
    assert result.returncode == 0
    assert "warning: EMBEDDING_DIM differs from backend-core/models.py:12" in result.stderr
    check = run_cli("check", "--root", adoption)
    assert check.returncode == 1 and "VECTOR(384)" in check.stdout


def test_crlf_targets_stay_crlf(adoption: Path) -> None:
    target = adoption / TARGET
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    assert generate(adoption).returncode == 0
    data = target.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert run_cli("check", "--root", adoption).returncode == 0
    assert generate(adoption, "--check").returncode == 0
    edited = data.replace(
        b"speaker: str = Field(max_length=20)", b"speaker: str = Field(max_length=21)"
    )
    target.write_bytes(edited)
    line = edited.split(b"\r\n").index(b"    speaker: str = Field(max_length=21)") + 1
    refused = generate(adoption)
    assert refused.returncode == 1
    assert f"(line(s) {line} differ" in refused.stderr


def test_form_feeds_do_not_shift_lines(adoption: Path) -> None:
    target = adoption / TARGET
    target.write_text(target.read_text().replace("logger = logging", "\x0c\nlogger = logging"))
    assert generate(adoption).returncode == 0
    assert run_cli("check", "--root", adoption).returncode == 0
    assert "\x0c\nlogger = logging" in target.read_text()


def test_decorated_mirrored_class_is_refused(adoption: Path) -> None:
    target = adoption / TARGET
    text = target.read_text().replace("class Company(SQLModel", "@register\nclass Company(SQLModel")
    target.write_text(text)
    result = generate(adoption)
    assert result.returncode == 2
    assert "class Company has decorators" in result.stderr
    assert target.read_text() == text


def test_empty_markers_typed_by_hand_place_the_region(adoption: Path) -> None:
    target = adoption / TARGET
    text = target.read_text()
    start = text.index("# Mirrored from")
    end = text.index("def get_company_by_id")
    kept_between = text[text.index("@contextmanager") : text.index("class Question(SQLModel")]
    target.write_text(
        text[:start]
        + "# --- modelsync: begin generated\n# --- modelsync: end generated\n\n\n"
        + kept_between
        + text[end:]
    )
    result = generate(adoption)
    assert result.returncode == 0, result.stderr
    assert run_cli("check", "--root", adoption).returncode == 0


def test_cli_marker_probe_matches_the_markers() -> None:
    from modelsync.cli.check import has_markers as _has_markers
    from modelsync.mirror.markers import BEGIN_PREFIX, END_PREFIX, begin_marker

    assert _has_markers(begin_marker("x.py")) and _has_markers(END_PREFIX)
    assert BEGIN_PREFIX.startswith("# --- modelsync: ")


def test_review_cases_for_imports_and_names(fresh: Path) -> None:
    source = fresh / "backend-core" / "models.py"
    text = source.read_text()
    text = text.replace("from pgvector.sqlalchemy import Vector\n", "import pgvector.sqlalchemy\n")
    text = text.replace("Vector(EMBEDDING_DIM)", "pgvector.sqlalchemy.Vector(EMBEDDING_DIM)")
    text = text.replace(
        "EMBEDDING_DIM = 768", "BASE_DIM = 384\nEMBEDDING_DIM = BASE_DIM * 2\nLOW, HIGH = 1, 5"
    )
    text = text.replace(
        "difficulty: int = Field(default=3)", "difficulty: int = Field(default=LOW)"
    )
    source.write_text(text)
    target = fresh / TARGET
    target.write_text(
        '"""Worker."""\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n'
        "    from sqlmodel import SQLModel\n\n\ndef helper():\n"
        "    from sqlmodel import select, col\n\n    return select, col\n"
    )
    assert generate(fresh).returncode == 0
    after = target.read_text()
    assert "import pgvector.sqlalchemy\n" in after
    assert "    from sqlmodel import select, col\n" in after  # nested imports stay as written
    assert after.index("from sqlmodel import") < after.index("if TYPE_CHECKING")
    assert "LOW, HIGH = 1, 5" in after and "BASE_DIM = 384" in after
    assert run_cli("check", "--root", fresh).returncode == 0
    result = imports_cleanly(fresh)
    assert result.returncode == 0, result.stderr
    schema = run_cli("schema", source, "--format", "json")
    questions = next(t for t in json.loads(schema.stdout)["tables"] if t["name"] == "questions")
    embedding = next(c for c in questions["columns"] if c["name"] == "embedding")
    assert embedding["type"] == "VECTOR(768)"


def test_a_table_named_like_a_name_the_new_file_needs_is_refused(fresh: Path) -> None:
    source = fresh / "backend-core" / "models.py"
    source.write_text(source.read_text().replace("class Transcript(", "class Session("))
    result = generate(fresh)
    assert result.returncode == 2
    assert "Session is bound here and is also a class the generated region defines" in result.stderr
    assert not (fresh / TARGET).exists()


def test_a_blank_target_is_created_whole(fresh: Path) -> None:
    (fresh / TARGET).write_text("\n")
    result = generate(fresh)
    assert result.returncode == 0 and "created" in result.stdout
    assert run_cli("check", "--root", fresh).returncode == 0


def test_changed_marker_lines_are_stale_for_check_and_generate(adoption: Path) -> None:
    assert generate(adoption).returncode == 0
    target = adoption / TARGET
    target.write_text(target.read_text().replace("(edit that file, not this region) ---", "---"))
    check = run_cli("check", "--root", adoption)
    assert check.returncode == 1 and "marker lines" in check.stdout
    assert generate(adoption, "--check").returncode == 1
