"""Which SQLModel release's rules apply (issue 9, item 2): the project's pin, found statically,
and check's summary saying which release and where from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from modelsync.schema.pins import choose_release, project_pin, resolve_spec
from modelsync.schema.release import LATEST_KNOWN
from tests.conftest import EXAMPLE, run_cli
from tests.lint_helpers import write

NEWEST = LATEST_KNOWN


@pytest.mark.parametrize(
    ("spec", "version"),
    [
        ("==0.0.16", (0, 0, 16)),
        ("<0.0.45", (0, 0, 44)),
        (">=0.0.14,<0.0.19", (0, 0, 18)),
        (">=0.0.45", NEWEST),
        ("", NEWEST),
        ("==0.0.*", NEWEST),
        ("~=0.0.16", NEWEST),
        ("==0.1.0", (0, 1, 0)),
        (f"!={'.'.join(map(str, NEWEST))}", (*NEWEST[:-1], NEWEST[-1] - 1)),
    ],
)
def test_a_specifier_is_the_newest_release_it_allows(spec: str, version: tuple) -> None:
    assert resolve_spec(spec) == version


@pytest.mark.parametrize(
    ("files", "where", "version"),
    [
        ({"backend-core/requirements.txt": "fastapi\nSQLModel[all] == 0.0.16  # pinned\n"},
         "backend-core/requirements.txt:2", (0, 0, 16)),
        ({"backend-core/requirements-prod.txt": "sqlmodel>=0.0.14,<0.0.19\n"},
         "backend-core/requirements-prod.txt:1", (0, 0, 18)),
        ({"pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "sqlmodel==0.0.22",\n]\n'},
         "pyproject.toml:4", (0, 0, 22)),
        ({"backend-core/pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nsqlmodel = "^0.0.16"\n'},
         "backend-core/pyproject.toml:3", (0, 0, 16)),
        ({"backend-core/poetry.lock": '[[package]]\nname = "sqlmodel"\nversion = "0.0.21"\n',
          "backend-core/requirements.txt": "sqlmodel>=0.0.14\n"},
         "backend-core/poetry.lock:3", (0, 0, 21)),
        ({"uv.lock": 'version = 1\n[[package]]\nname = "sqlmodel"\nversion = "0.0.24"\nsource = {}\n'},
         "uv.lock:4", (0, 0, 24)),
    ],
)  # fmt: skip
def test_project_pins(tmp_path: Path, files: dict, where: str, version: tuple) -> None:
    write(tmp_path, files)
    pin = project_pin(tmp_path, tmp_path / "backend-core")
    assert pin is not None and (pin.where, pin.version) == (where, version)


def test_no_pin_above_the_root(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "sqlmodel==0.0.16\n", "app/backend-core/x": ""})
    assert project_pin(tmp_path / "app", tmp_path / "app" / "backend-core") is None


def test_flag_then_config_win_over_the_pin(tmp_path: Path) -> None:
    write(tmp_path, {"backend-core/requirements.txt": "sqlmodel==0.0.16\n"})
    src = "backend-core/models.py"
    assert choose_release(tmp_path, src, "0.0.30", "0.0.30").as_dict() == {
        "version": "0.0.30",
        "from": "--sqlmodel-version",
    }
    assert choose_release(tmp_path, src, None, "0.0.31").origin == (
        "sqlmodel_version in pyproject.toml"
    )
    assert choose_release(tmp_path, src, None, None).as_dict() == {
        "version": "0.0.16",
        "from": "backend-core/requirements.txt:1",
        "pin": "sqlmodel==0.0.16",
    }


def test_check_follows_the_pin_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root)
    (root / "backend-core" / "requirements.txt").write_text("sqlmodel==0.0.16\n")
    text = run_cli("check", "--root", root)
    assert text.stdout.splitlines()[-1].endswith(
        "; SQLModel 0.0.16 rules from backend-core/requirements.txt:1 (sqlmodel==0.0.16)"
    )
    document = json.loads(run_cli("check", "--root", root, "--format", "json").stdout)
    assert document["summary"]["sqlmodel"]["from"] == "backend-core/requirements.txt:1"
    flagged = run_cli("check", "--root", root, "--sqlmodel-version", "0.0.45")
    assert flagged.stdout.splitlines()[-1].endswith(
        "; SQLModel 0.0.45 rules from --sqlmodel-version"
    )


def test_schema_and_generate_follow_the_pin_too(tmp_path: Path) -> None:
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root)
    models = root / "backend-core" / "models.py"
    (root / "backend-core" / "requirements.txt").write_text("sqlmodel==0.0.16\n")
    pinned = json.loads(run_cli("schema", models, "--root", root, "--format", "json").stdout)
    users = next(t for t in pinned["tables"] if t["name"] == "users")
    types = {c["name"]: c["type"] for c in users["columns"]}
    # 0.0.16: max_length gives no VARCHAR length, a plain datetime has no time zone
    assert types["email"] == "VARCHAR"
    assert types["last_login_at"] == "TIMESTAMP WITHOUT TIME ZONE"
    (root / "ai-worker" / "db.py").unlink()
    assert run_cli("generate", "--root", root).returncode == 0
    checked = run_cli("check", "--root", root)
    # The mirror follows the pin as the source does; the schema state, written under
    # 0.0.50's rules, no longer matches what 0.0.16 creates: that is a migration to write.
    kinds = {line.split("[")[1].split("]")[0] for line in checked.stdout.splitlines()[:-1]}
    assert kinds == {"migration_missing"}, checked.stdout
    assert run_cli("check", "--root", root, "--ignore", "migration_missing").returncode == 0


def test_a_file_outside_the_root_is_pinned_from_its_own_folder(tmp_path: Path) -> None:
    elsewhere = write(tmp_path / "elsewhere", {"requirements.txt": "sqlmodel==0.0.16\n"})
    (tmp_path / "root").mkdir()
    pin = project_pin(tmp_path / "root", elsewhere)
    assert pin is not None and pin.where == f"{elsewhere.resolve().as_posix()}/requirements.txt:1"
    result = run_cli("schema", tmp_path / "nope.py", "--root", tmp_path / "root")
    assert result.returncode == 2 and "internal error" not in result.stderr
