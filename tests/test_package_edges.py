"""Package projects at their edges: how verify's build child imports them, globs that
are no globs, one file under two spellings, a package at a git revision with a symlink or a
module that does not parse there."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli

TABLE = """\
from typing import Optional
from sqlmodel import Field, SQLModel


class {name}(SQLModel, table=True):
    __tablename__ = "{table}"
    id: Optional[int] = Field(default=None, primary_key=True)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def verify(root: Path, server) -> tuple[int, dict]:
    done = run_cli("verify", "--root", root, "--database-url", server.uri, "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def migrate_and_verify(root: Path, server) -> tuple[int, dict]:
    written = run_cli("migration", "init", "--root", root)
    assert written.returncode == 0, written.stderr
    return verify(root, server)


def test_a_models_file_in_a_package_is_imported_by_its_path(tmp_path, postgres_server):
    # The package's __init__ imports the whole app (a library verify does not have): the
    # build child imports the models file alone, as before packages were read.
    root = write(tmp_path, {
        "app/__init__.py": "from .main import app\n",
        "app/main.py": "import fastapi_not_installed_here\napp = None\n",
        "app/models.py": TABLE.format(name="Item", table="items"),
        "pyproject.toml": '[tool.modelsync]\nsource = "app/models.py"\nmigrations = "m"\n',
    })  # fmt: skip
    code, document = migrate_and_verify(root, postgres_server)
    assert code == 0, document
    assert set(document["summary"]["states"].values()) == {"verified"}


def test_a_namespace_package_is_imported_under_the_names_its_modules_use(tmp_path, postgres_server):
    # ns/ and ns/models/ have no __init__.py; the modules import each other as ns.models.x.
    root = write(tmp_path, {
        "ns/models/base.py": TABLE.format(name="Base", table="bases"),
        "ns/models/user.py": (
            "from typing import Optional\nfrom sqlmodel import Field, SQLModel\n"
            "from ns.models.base import Base\n\n\n"
            "class User(SQLModel, table=True):\n    __tablename__ = 'users'\n"
            "    id: Optional[int] = Field(default=None, primary_key=True)\n"
            "    base_id: Optional[int] = Field(default=None, foreign_key='bases.id')\n"
        ),
        "pyproject.toml": '[tool.modelsync]\nsource = "ns/models"\nmigrations = "m"\n',
    })  # fmt: skip
    code, document = migrate_and_verify(root, postgres_server)
    assert code == 0, document
    assert set(document["summary"]["states"].values()) == {"verified"}


@pytest.mark.parametrize("glob", ["app/[z-a].py", "app/[!].py", "app/[].py"])
def test_a_glob_no_shell_could_read_is_one_line(tmp_path, glob):
    root = write(tmp_path, {"app/models.py": TABLE.format(name="Item", table="items")})
    done = run_cli("check", "--root", root, "--source", glob)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "is not a glob" in lines[0] and "internal error" not in lines[0]


def test_one_file_under_two_spellings_is_one_module(tmp_path):
    root = write(tmp_path, {
        "app/models.py": TABLE.format(name="Item", table="items"),
        "worker/db.py": TABLE.format(name="Item", table="items"),
    })  # fmt: skip
    done = run_cli("check", "--root", root, "--source", root / "app" / "models.py",
                   "--source", "app/models.py", "--target", "worker/db.py")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


def test_a_symlinked_module_at_a_revision_is_named_not_parsed(tmp_path):
    root = write(tmp_path, {
        "shared/impl.py": TABLE.format(name="Item", table="items"),
        "app/models/__init__.py": "from .item import Item\n",
    })  # fmt: skip
    (root / "app/models/item.py").symlink_to("../../shared/impl.py")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "one")
    done = run_cli("migration", "--stdout", "--root", root, "--source", "app/models",
                   "--from-ref", "HEAD")  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "HEAD:app/models/item.py: is a symbolic link at that revision" in lines[0]


def test_a_module_that_does_not_parse_at_a_revision_is_named_with_the_revision(tmp_path):
    root = write(tmp_path, {"app/models/__init__.py": "class (:\n"})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "broken")
    (root / "app/models/__init__.py").write_text(TABLE.format(name="Item", table="items"))
    done = run_cli("migration", "--stdout", "--root", root, "--source", "app/models",
                   "--from-ref", "HEAD")  # fmt: skip
    assert done.returncode == 2
    assert "HEAD:app/models/__init__.py:1: syntax error" in done.stderr, done.stderr
