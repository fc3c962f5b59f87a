"""End to end: every read-only command, and generate, on projects whose models are a package.

The package is the corpus's ``01_app_models`` (``app/models/`` with mixins over three
modules, enums and constants of other modules, a vector and JSONB, foreign keys and a
``TYPE_CHECKING`` cycle); the worker is one file. Then the layouts where the worker
imports the backend's classes instead of copying them (the seed project's
``sys.path.append`` then ``from models import ...``, an installed ``backend_core``, and a
mix of imported and copied classes), and the bad input a package can hold.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import EXAMPLE, run_cli
from tests.oracle import sqlmodel_package_schemas, sqlmodel_schemas
from tests.test_differential import differences, normalize
from tests.test_package_differential import oracle_spec

CORPUS = Path(__file__).parent / "corpus_packages"
APP = CORPUS / "01_app_models"
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
NO_TRACEBACK = ("Traceback", "internal error")


def copy_case(case: Path, into: Path) -> Path:
    root = into / case.name
    shutil.copytree(case, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def line_of(path: Path, text: str) -> int:
    """The line (1-based) of the first line of ``path`` that contains ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def tables_of(oracle_result: dict) -> dict:
    assert "error" not in oracle_result, oracle_result.get("error")
    return normalize(oracle_result["schema"])["tables"]


# ------------------------------------------------------------------ generate, then check


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package project after `modelsync generate` wrote its one-file mirror."""
    root = copy_case(APP, tmp_path_factory.mktemp("generated"))
    done = run_cli("generate", "--root", root)
    assert done.returncode == 0, done.stderr
    assert "created (3 table model(s) from app/models)" in done.stdout
    assert done.stderr == ""  # no warning: every name of every module could be copied
    return root


def test_generate_writes_one_file_with_every_definition_the_tables_need(generated: Path) -> None:
    assert sorted(p.name for p in (generated / "worker").iterdir()) == ["db.py"]
    text = (generated / "worker" / "db.py").read_text(encoding="utf-8")
    for definition in (
        "class IdMixin(SQLModel):",  # app/models/base.py
        "class TimestampMixin(SQLModel):",
        "class TableBase(IdMixin, TimestampMixin):",
        "class AuditedBase(TableBase):",  # app/models/audit.py
        "class Role(str, enum.Enum):",  # app/enums.py, through `from .. import enums`
        "class Status(str, enum.Enum):",  # app/enums.py, imported absolutely
        "NAME_MAX = 120",  # app/core/config.py
        "EMBEDDING_DIM = BASE_DIM * 2",
        "EMAIL_MAX = NAME_MAX + 135",
    ):
        assert text.count(definition) == 1, definition
    # Names of other modules are spelled by their own names in the one file.
    assert "role: Role = Field(default=Role.MEMBER)" in text
    assert "max_length=EMAIL_MAX" in text and "config." not in text
    assert "max_length=NAME_MAX)" in text and "MAX_NAME" not in text


def test_the_generated_mirror_is_what_sqlmodel_makes_of_the_package(generated: Path) -> None:
    mirror = generated / "worker" / "db.py"
    package = sqlmodel_package_schemas({"app": oracle_spec(generated)})["app"]
    (single,) = sqlmodel_schemas([mirror]).values()
    expected, actual = tables_of(package), tables_of(single)
    assert sorted(expected) == ["item_tags", "items", "users"]
    assert differences(expected, actual) == []


def test_check_and_generate_check_are_clean_after_generate(generated: Path) -> None:
    check = run_cli("check", "--root", generated)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("in sync: 3 table(s) of app/models match worker/db.py")
    again = run_cli("generate", "--check", "--root", generated)
    assert again.returncode == 0, again.stdout + again.stderr


# ------------------------------------------------------------------ drift, located


@pytest.fixture(scope="module")
def drifted(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The generated project, then three changes to the package, each in another module:
    a mixin gains a field (base.py), an enum a label (app/enums.py), a table's column its
    own length (user.py). The mirror stays as generated."""
    root = tmp_path_factory.mktemp("drifted") / "project"
    shutil.copytree(generated, root)
    base, enums, user = (root / "app" / "models" / "base.py", root / "app" / "enums.py",
                         root / "app" / "models" / "user.py")  # fmt: skip
    _edit(
        base,
        "    updated_at: Optional[datetime] = None\n",
        "    updated_at: Optional[datetime] = None\n    deleted_at: Optional[datetime] = None\n",
    )
    _edit(
        enums, '    ARCHIVED = "archived"\n', '    ARCHIVED = "archived"\n    HIDDEN = "hidden"\n'
    )
    _edit(user, "max_length=config.NAME_MAX)", "max_length=80)")  # fmt: skip
    runs = {fmt: run_cli("check", "--root", root, "--format", fmt)
            for fmt in ("text", "json", "github", "sarif")}  # fmt: skip
    return {
        "root": root,
        "runs": runs,
        "deleted_at": ("app/models/base.py", line_of(base, "deleted_at")),
        "status": ("app/enums.py", line_of(enums, "class Status")),
        "full_name": ("app/models/user.py", line_of(user, "full_name")),
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_drift_stands_at_the_module_that_changed_in_text(drifted: dict) -> None:
    done = drifted["runs"]["text"]
    assert done.returncode == 1, done.stderr
    assert not any(word in done.stderr for word in NO_TRACEBACK)
    lines = done.stdout.splitlines()

    def located(fragment: str, place: tuple[str, int]) -> bool:
        return any(
            fragment in line and f"(source: {place[0]}:{place[1]})" in line for line in lines
        )

    assert located("items.deleted_at is missing", drifted["deleted_at"])
    assert located("users.deleted_at is missing", drifted["deleted_at"])
    assert located("enum status: labels differ", drifted["status"])
    assert located("users.full_name: type differs", drifted["full_name"])
    # The region's fingerprint no longer matches the package: it is stale too.
    assert any("[stale_region]" in line for line in lines)
    assert lines[-1].startswith("5 drift(s) between app/models and worker/db.py")


def test_drift_stands_at_the_module_that_changed_in_json(drifted: dict) -> None:
    done = drifted["runs"]["json"]
    assert done.returncode == 1
    document = json.loads(done.stdout)
    places = {
        (f["kind"], f["table"], f["column"]): (f["source"]["path"], f["source"]["line"])
        for f in document["findings"]
    }
    assert places == {
        ("column_missing", "items", "deleted_at"): drifted["deleted_at"],
        ("column_missing", "users", "deleted_at"): drifted["deleted_at"],
        ("enum_labels", None, None): drifted["status"],
        ("type", "users", "full_name"): drifted["full_name"],
        ("stale_region", None, None): ("app/models", None),
    }
    assert all(f["target"]["path"] == "worker/db.py" for f in document["findings"])
    assert document["summary"]["source"] == "app/models"
    assert document["summary"]["shared"] == []


def test_drift_stands_at_the_module_that_changed_in_github_annotations(drifted: dict) -> None:
    done = drifted["runs"]["github"]
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 5
    path, line = drifted["deleted_at"]
    assert any(f"(source: {path}:{line})" in e and "deleted_at" in e for e in errors)
    assert all(re.match(r"::error file=worker/db.py,line=\d+,", e) for e in errors)


def test_drift_stands_at_the_module_that_changed_in_sarif(drifted: dict) -> None:
    done = drifted["runs"]["sarif"]
    assert done.returncode == 1
    document = json.loads(done.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    (run,) = document["runs"]
    related = set()
    for result in run["results"]:
        for location in result.get("relatedLocations", ()):
            physical = location["physicalLocation"]
            line = physical.get("region", {}).get("startLine")
            related.add((physical["artifactLocation"]["uri"], line))
    assert {drifted["deleted_at"], drifted["status"], drifted["full_name"]} <= related


# ------------------------------------------------------------------ schema PATH, lint


def test_schema_of_a_package_folder_names_each_table_and_column_module(tmp_path: Path) -> None:
    root = copy_case(APP, tmp_path)
    done = run_cli("schema", "app/models", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["warnings"] == []
    tables = {t["name"]: t for t in document["tables"]}
    users = tables["users"]
    assert (users["path"], users["line"]) == ("app/models/user.py", 15)
    columns = {c["name"]: (c["path"], c["type"]) for c in users["columns"]}
    assert columns["id"] == ("app/models/base.py", "INTEGER")  # two mixin levels up
    assert columns["created_by"] == ("app/models/audit.py", "VARCHAR(120)")
    assert columns["email"] == ("app/models/user.py", "VARCHAR(255)")
    assert columns["role"] == ("app/models/user.py", "role")
    enums = {e["name"]: (e["path"], e["labels"]) for e in document["enums"]}
    assert enums["role"] == ("app/enums.py", ["MEMBER", "ADMIN", "OWNER"])
    text = run_cli("schema", "app/models", cwd=root)
    assert text.returncode == 0
    assert "items  (Item, app/models/item.py:20)" in text.stdout
    assert "embedding VECTOR(384) NULL" in text.stdout


@pytest.mark.parametrize(
    ("case", "folder", "expected"),
    [
        ("04_configured_roots", "services/api/domain", "currency VARCHAR(3) NOT NULL"),
        ("03_src_namespace", "src/inventory", "location_embedding VECTOR(768) NULL"),
    ],
)
def test_schema_with_root_elsewhere_uses_the_project_roots(
    tmp_path: Path, case: str, folder: str, expected: str
) -> None:
    # `pythonpath` is relative to the project root, and so are its src/ and itself, when
    # schema runs from another folder with --root.
    root = copy_case(CORPUS / case, tmp_path)
    done = run_cli("schema", f"{case}/{folder}", "--root", case, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert expected in done.stdout
    assert root.is_dir()


def test_lint_reads_the_package_and_stands_at_each_module(tmp_path: Path) -> None:
    root = copy_case(APP, tmp_path)
    (root / "app" / "models" / "misc.py").write_text(
        "from typing import Optional\n\nfrom sqlmodel import Field, SQLModel\n\n\n"
        "class Setting(SQLModel, table=True):\n"
        "    id: Optional[int] = Field(default=None, primary_key=True)\n",
        encoding="utf-8",
    )
    done = run_cli("lint", "--root", root, "--format", "json")
    assert done.returncode == 1, done.stderr
    places = {(f["kind"], f["source"]["path"], f["source"]["line"])
              for f in json.loads(done.stdout)["findings"]}  # fmt: skip
    # The vector's dimension comes from app/core/config.py, its column from item.py.
    assert ("vector-column", "app/models/item.py", 27) in places
    assert ("table-name", "app/models/misc.py", 6) in places


# ------------------------------------------------------------------ a worker that imports


SEED_HEADER = '''"""The worker imports the backend's models instead of copying them."""

import os
import sys
from pathlib import Path

'''
SEED_IMPORT = """
from models import (  # noqa: E402
    Company,
    EvaluationReport,
    Interview,
    Question,
    Resume,
    Transcript,
    User,
)
from sqlmodel import Session, create_engine  # noqa: E402

engine = create_engine(os.getenv("DATABASE_URL", "postgresql+psycopg://admin:1234@db/x"))
"""
# The ways a worker puts backend-core on sys.path: the seed project's own line, an insert of
# a pathlib path, and a name guarded against a second insertion.
INSERTIONS = {
    "append": 'sys.path.append(os.path.join(os.path.dirname(__file__), "..", "backend-core"))\n',
    "insert-path": 'sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend-core"))\n',
    "guarded-name": (
        'BACKEND = os.path.abspath(os.path.join(os.path.dirname(__file__), "../backend-core"))\n'
        "if BACKEND not in sys.path:\n"
        "    sys.path.append(BACKEND)\n"
    ),
}
SEED_TABLES = 7


def seed_project(tmp_path: Path, worker: str) -> Path:
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "ai-worker" / "db.py").write_text(worker, encoding="utf-8")
    return root


@pytest.mark.parametrize("insertion", sorted(INSERTIONS))
def test_the_seed_worker_that_imports_the_models_checks_clean(
    tmp_path: Path, insertion: str
) -> None:
    root = seed_project(tmp_path, SEED_HEADER + INSERTIONS[insertion] + SEED_IMPORT)
    text = run_cli("check", "--root", root)
    assert text.returncode == 0, text.stdout + text.stderr
    assert text.stdout.startswith(
        f"in sync; {SEED_TABLES} table(s) shared: ai-worker/db.py imports their classes from "
        "backend-core/models.py; SQLModel"
    ), text.stdout
    assert text.stderr == ""
    document = json.loads(run_cli("check", "--root", root, "--format", "json").stdout)
    assert document["findings"] == []
    summary = document["summary"]
    assert summary["tables_compared"] == 0
    assert len(summary["shared"]) == SEED_TABLES
    assert {s["path"] for s in summary["shared"]} == {"backend-core/models.py"}
    assert {"table": "users", "class": "User", "path": "backend-core/models.py"} in summary[
        "shared"
    ]


def test_generate_neither_copies_nor_refuses_a_worker_that_imports(tmp_path: Path) -> None:
    worker = SEED_HEADER + INSERTIONS["append"] + SEED_IMPORT
    root = seed_project(tmp_path, worker)
    done = run_cli("generate", "--root", root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every table of backend-core/models.py is imported (shared)" in done.stdout
    assert (root / "ai-worker" / "db.py").read_text(encoding="utf-8") == worker


def test_generate_is_not_up_to_date_when_the_worker_defines_a_shared_table_again(
    tmp_path: Path,
) -> None:
    # Importing two classes runs the whole models module, so its third table exists too:
    # a copy of it in the worker is the table SQLModel refuses to define twice.
    worker = (
        "from models import User  # noqa: F401\nfrom sqlmodel import Field, SQLModel\n\n\n"
        "class Interview(SQLModel, table=True):\n    __tablename__ = 'interviews'\n"
        "    id: int = Field(primary_key=True)\n"
    )
    root = seed_project(tmp_path, SEED_HEADER + INSERTIONS["append"] + worker)
    refused = []
    for command in (("check",), ("generate", "--check"), ("generate",)):
        done = run_cli(*command, "--root", root)
        assert done.returncode == 2, (command, done.stdout)
        refused.append(done.stderr)
    assert "Table 'interviews' is already defined for this MetaData instance" in refused[0]
    assert refused == [refused[0]] * 3


def test_an_installed_backend_core_package_is_the_source_too(tmp_path: Path) -> None:
    # `pip install -e backend-core` makes the folder importable as backend_core.
    worker = "from backend_core.models import Interview, User  # noqa: F401\n"
    root = seed_project(tmp_path, worker)
    done = run_cli("check", "--root", root, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert len(summary["shared"]) == SEED_TABLES and summary["tables_compared"] == 0


MIX_USERS = """from typing import Optional

from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id")
"""
MIX_INTERVIEW_CLASS = """class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    title: str = Field(max_length=TITLE_MAX)
"""
MIX_INTERVIEWS = (
    "from typing import Optional\n\nfrom sqlmodel import Field, SQLModel\n\nTITLE_MAX = 200\n\n\n"
    + MIX_INTERVIEW_CLASS
)
MIX_WORKER = '''"""Imports the users module's classes, mirrors the interviews module's."""

import os
import sys
from typing import Optional

from sqlmodel import Field, SQLModel

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "backend-core"))

from app_models.users import Company, User  # noqa: E402, F401
'''


def mix_project(tmp_path: Path, worker: str) -> Path:
    """A source package whose modules do not import each other (so importing one runs
    only its own tables), and a worker that imports one module's classes."""
    root = tmp_path / "mix"
    models = root / "backend-core" / "app_models"
    models.mkdir(parents=True)
    (models / "__init__.py").write_text("", encoding="utf-8")
    (models / "users.py").write_text(MIX_USERS, encoding="utf-8")
    (models / "interviews.py").write_text(MIX_INTERVIEWS, encoding="utf-8")
    (root / "ai-worker").mkdir()
    (root / "ai-worker" / "db.py").write_text(worker, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.modelsync]\nsource = "backend-core/app_models"\ntarget = "ai-worker/db.py"\n',
        encoding="utf-8",
    )
    return root


def test_a_mix_of_imported_and_copied_classes_checks_the_copies(tmp_path: Path) -> None:
    copied = MIX_WORKER + "\nTITLE_MAX = 200\n\n\n" + MIX_INTERVIEW_CLASS
    root = mix_project(tmp_path, copied)
    done = run_cli("check", "--root", root, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert summary["tables_compared"] == 1
    assert sorted(s["table"] for s in summary["shared"]) == ["companies", "users"]
    # The copy drifts: only it is reported.
    (root / "ai-worker" / "db.py").write_text(copied.replace("TITLE_MAX = 200", "TITLE_MAX = 90"))
    drift = json.loads(run_cli("check", "--root", root, "--format", "json").stdout)
    assert [(f["kind"], f["table"], f["column"]) for f in drift["findings"]] == [
        ("type", "interviews", "title")
    ]
    assert drift["findings"][0]["source"]["path"] == "backend-core/app_models/interviews.py"


def test_generate_on_a_mix_copies_only_what_is_not_imported(tmp_path: Path) -> None:
    root = mix_project(tmp_path, MIX_WORKER)
    done = run_cli("generate", "--root", root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "updated (1 table model(s) from backend-core/app_models)" in done.stdout
    mirror = root / "ai-worker" / "db.py"
    text = mirror.read_text(encoding="utf-8")
    assert "class Interview(SQLModel, table=True):" in text and "TITLE_MAX = 200" in text
    assert "class User(" not in text and "class Company(" not in text
    check = run_cli("check", "--root", root)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "2 table(s) shared" in check.stdout
    # Imported for real, the worker has the package's three tables: two by import, one
    # by its generated copy.
    spec = {"root": str(root), "sys_path": [str(root / "backend-core")],
            "modules": ["app_models.users", "app_models.interviews"]}  # fmt: skip
    package = sqlmodel_package_schemas({"mix": spec})["mix"]
    (worker,) = sqlmodel_schemas([mirror]).values()
    assert sorted(tables_of(worker)) == ["companies", "interviews", "users"]
    assert differences(tables_of(package), tables_of(worker)) == []


# ------------------------------------------------------------------ bad input


def bad_project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = copy_case(APP, tmp_path)
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


TABLE = """from typing import Optional

from sqlmodel import Field, SQLModel
{imports}


class {name}(SQLModel, table=True):
    __tablename__ = "{table}"

    id: Optional[int] = Field(default=None, primary_key=True)
    {field}
"""


def test_a_missing_module_is_a_warning_at_its_import(tmp_path: Path) -> None:
    root = bad_project(tmp_path, {"app/models/extra.py": TABLE.format(
        imports="from .missing import Kind\nfrom app.gone import WIDTH",
        name="Extra", table="extras", field="kind: Kind\n    note: str = Field(max_length=WIDTH)",
    )})  # fmt: skip
    done = run_cli("schema", "app/models", cwd=root)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if ": warning: " in line]
    assert any(w.startswith("app/models/extra.py:4: warning: module .missing") for w in warnings)
    # An absolute import no root holds is a library's name: unknown where it is used.
    assert any(w.startswith("app/models/extra.py:13: warning:") and "WIDTH" in w for w in warnings)
    assert not any(word in done.stderr for word in NO_TRACEBACK)


@pytest.mark.parametrize("broken", ["app/models/extra.py", "app/core/config.py"])
def test_a_module_that_does_not_parse_is_bad_input_at_its_line(tmp_path: Path, broken: str) -> None:
    # Also a module outside the source folder that a source module imports.
    root = bad_project(tmp_path, {broken: "X = 1\n\nclass Broken(:\n    pass\n"})
    for command in ("check", "schema"):
        args = (command, "--root", root) if command == "check" else (command, "app/models")
        done = run_cli(*args, cwd=root)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"modelsync: error: {broken}:3: syntax error"), line


def test_a_table_defined_in_two_modules_is_bad_input_naming_both(tmp_path: Path) -> None:
    root = bad_project(tmp_path, {"app/models/again.py": TABLE.format(
        imports="", name="Again", table="users", field="name: str",
    )})  # fmt: skip
    done = run_cli("check", "--root", root)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "Table 'users' is already defined" in line
    assert "app/models/user.py:15" in line and "app/models/again.py:7" in line


CYCLES = {
    # Each name of the pair is imported from the other module: defined nowhere.
    "names": {
        "app/models/a.py": "from .b import Kind\n",
        "app/models/b.py": "from .a import Kind\n",
    },
    # Star imports of each other, and of the package itself.
    "stars": {
        "app/models/a.py": "from .b import *\nfrom app.models import *\n",
        "app/models/b.py": "from .a import *\n",
    },
    # Constants computed from each other.
    "constants": {
        "app/models/a.py": "from .b import WIDTH as OTHER\nKind = OTHER + 1\n",
        "app/models/b.py": "from .a import Kind\nWIDTH = Kind + 1\n",
    },
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("cycle", sorted(CYCLES))
def test_an_import_cycle_never_hangs(tmp_path: Path, cycle: str) -> None:
    files = dict(CYCLES[cycle])
    files["app/models/cyclic.py"] = TABLE.format(
        imports="from .a import Kind", name="Cyclic", table="cyclics", field="kind: Kind"
    )
    root = bad_project(tmp_path, files)
    for args in (("schema", "app/models"), ("generate",), ("check",)):
        done = run_cli(*args, cwd=root)
        assert done.returncode in (0, 1), (args, done.stdout, done.stderr)
        assert not any(word in done.stderr for word in NO_TRACEBACK)
        assert re.search(r"app/models/\w+\.py:\d+: warning: ", done.stderr), done.stderr
