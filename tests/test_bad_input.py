"""Bad input: exit 2 and one line naming the file (and line), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

HEADER = "from typing import Optional, Union\nfrom sqlmodel import Field, SQLModel\n"

CASES: dict[str, tuple[bytes, str, int | None]] = {
    "syntax_error": (b"class A(\n", "syntax error", 1),
    "empty": (b"", "file is empty", None),
    "whitespace_only": (b"\n\n   \n", "file is empty", None),
    "not_utf8": (b"x = 1\ny = '\xff'\n", "not UTF-8", 2),
    "no_primary_key": (
        (HEADER + "class Note(SQLModel, table=True):\n    body: str\n").encode(),
        "could not assemble any primary key columns for mapped table 'note'",
        3,
    ),
    "duplicate_table": (
        (
            HEADER + "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
            "class B(SQLModel, table=True):\n    __tablename__ = 'a'\n"
            "    id: int = Field(primary_key=True)\n"
        ).encode(),
        "Table 'a' is already defined",
        5,
    ),
    "non_optional_union": (
        (
            HEADER + "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
            "    v: Union[int, str]\n"
        ).encode(),
        "Cannot have a (non-optional) union as a SQLAlchemy field",
        5,
    ),
    "list_without_sa_type": (
        (
            HEADER + "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
            "    tags: list[str] = []\n"
        ).encode(),
        "list has no matching SQLAlchemy type",
        5,
    ),
    "set_null_on_not_null": (
        (
            HEADER + "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
            "    b_id: int = Field(foreign_key='b.id', ondelete='SET NULL')\n"
        ).encode(),
        'ondelete="SET NULL" requires nullable=True',
        5,
    ),
    "computed_tablename": (
        (
            HEADER + "class A(SQLModel, table=True):\n    __tablename__ = 'a' + 's'\n"
            "    id: int = Field(primary_key=True)\n"
        ).encode(),
        "cannot resolve __tablename__ statically",
        3,
    ),
}


def _assert_one_line_error(stderr: str, needle: str, where: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"modelsync: error: {where}"), lines[0]
    assert needle in lines[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_schema_rejects_bad_file(tmp_path: Path, name: str) -> None:
    content, needle, line = CASES[name]
    path = tmp_path / "models.py"
    path.write_bytes(content)
    result = run_cli("schema", path)
    assert result.returncode == 2
    where = f"{path}:{line}:" if line else f"{path}:"
    _assert_one_line_error(result.stderr, needle, where)


@pytest.mark.parametrize("name", ["syntax_error", "no_primary_key", "not_utf8"])
def test_check_names_the_bad_file_relative_to_root(tmp_path: Path, name: str) -> None:
    content, needle, line = CASES[name]
    (tmp_path / "backend-core").mkdir()
    (tmp_path / "ai-worker").mkdir()
    (tmp_path / "backend-core" / "models.py").write_text(HEADER)
    (tmp_path / "ai-worker" / "db.py").write_bytes(content)
    result = run_cli("check", "--root", tmp_path)
    assert result.returncode == 2
    _assert_one_line_error(result.stderr, needle, f"ai-worker/db.py:{line}:")


def test_missing_file(tmp_path: Path) -> None:
    result = run_cli("check", "--root", tmp_path)
    assert result.returncode == 2
    _assert_one_line_error(result.stderr, "file not found", "backend-core/models.py:")


def test_folder_without_python_files(tmp_path: Path) -> None:
    # A folder is read as a package; one with no module in it is bad input.
    (tmp_path / "notes.txt").write_text("not python\n")
    result = run_cli("schema", tmp_path)
    assert result.returncode == 2
    _assert_one_line_error(result.stderr, "folder holds no Python file", f"{tmp_path}:")


@pytest.mark.parametrize(
    ("config", "needle", "line"),
    [
        # The offending key's own line, not the table header's.
        ("[tool.modelsync]\nsorce = 'x.py'\n", "unknown key 'sorce'", 2),
        ("[tool.modelsync]\nignore = 'index'\n", "ignore has the wrong type", 2),
        ("[tool.modelsync\n", "invalid TOML", 1),
        ("[tool.modelsync]\nignore = ['indexes']\n", "unknown drift kind 'indexes'", None),
        ("[tool.modelsync]\nsqlmodel_version = 'latest'\n", "is not a version", None),
    ],
)
def test_bad_config(tmp_path: Path, config: str, needle: str, line: int | None) -> None:
    (tmp_path / "pyproject.toml").write_text(config)
    result = run_cli("check", "--root", tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert needle in result.stderr
    if line:
        assert f"pyproject.toml:{line}:" in result.stderr


def test_unknown_ignore_flag(tmp_path: Path) -> None:
    result = run_cli("check", "--root", tmp_path, "--ignore", "colour")
    assert result.returncode == 2
    assert "unknown drift kind 'colour'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("check", "--format", "xml"),
            "Invalid value for '--format': 'xml' is not one of 'text', 'json', 'github', 'sarif' (see `modelsync check --help`)",
        ),
        (("check", "--bogus"), "No such option '--bogus' (see `modelsync check --help`)"),
        (
            ("check", "--root"),
            "Option '--root' requires an argument (see `modelsync check --help`)",
        ),
        (
            ("check", "extra"),
            "Got unexpected extra argument (extra) (see `modelsync check --help`)",
        ),
        (("schema",), "Missing argument 'FILE' (see `modelsync schema --help`)"),
        (
            ("migration",),
            "give the migration a NAME (or pass --stdout or --baseline) (see `modelsync migration --help`)",
        ),
        (("nope",), "No such command 'nope' (see `modelsync --help`)"),
        (("--bogus",), "No such option '--bogus' (see `modelsync --help`)"),
        (
            ("lint", "--select"),
            "Option '--select' requires an argument (see `modelsync lint --help`)",
        ),
        (
            ("check", "--format", "x\n::error::forged"),
            "Invalid value for '--format': 'x\\n::error::forged' is not one of 'text', 'json', 'github', 'sarif' (see `modelsync check --help`)",
        ),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    """click prints usage, a hint and the error on three lines; modelsync prints one, as
    for every other error, and exits 2."""
    script = Path(sys.executable).with_name("modelsync")  # the console script
    result = subprocess.run([script, *args], capture_output=True, text=True, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"modelsync: error: {message}\n"


def test_index_on_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text(
        HEADER + "from sqlalchemy import Index\n"
        "class A(SQLModel, table=True):\n"
        "    __table_args__ = (Index('ix_a_name', 'name'),)\n"
        "    id: int = Field(primary_key=True)\n"
    )
    result = run_cli("schema", path)
    assert result.returncode == 2
    _assert_one_line_error(
        result.stderr,
        "Can't create Index on table 'a': no column named 'name' is present.",
        f"{path}:5:",
    )
