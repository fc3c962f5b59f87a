"""Package projects at their edges: how verify's build child imports them, globs that
are no globs, one file under two spellings, a package at a git revision with a symlink or a
module that does not parse there."""

from __future__ import annotations

import json
import subprocess
import sys
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


def run_in_worker(root: Path, code: str) -> str:
    """What ``code`` prints, run with real SQLModel from the worker's folder (its
    ``sys.path`` insertion finds backend-core as in the service)."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root / "ai-worker", capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


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


# --------------------------------------------------------------------------- generate


def _generate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("generate", "--root", root, "--source", "m", "--target", "worker/db.py", *args)


def test_two_modules_defining_one_name_differently_are_refused(tmp_path):
    root = write(tmp_path, {
        "m/__init__.py": "",
        "m/a.py": "from sqlmodel import Field, SQLModel\nMAX = 10\n\n\n"
                  "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
                  "    code: str = Field(max_length=MAX)\n",
        "m/b.py": "from sqlmodel import Field, SQLModel\nMAX = 20\n\n\n"
                  "class B(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
                  "    code: str = Field(max_length=MAX)\n",
    })  # fmt: skip
    done = _generate(root)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "m/b.py:2: MAX is defined in m/a.py and m/b.py differently" in lines[0]
    assert not (root / "worker/db.py").exists()


def test_one_definition_written_in_two_modules_is_copied_once(tmp_path):
    helper = "from datetime import datetime\n\n\ndef now():\n    return datetime.now()\n"
    table = (
        "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n"
        "from .clock{n} import now\n\n\n"
        "class T{n}(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
        "    at: datetime = Field(default_factory=now)\n"
    )
    root = write(tmp_path, {"m/__init__.py": "", "m/clock1.py": helper, "m/clock2.py": helper,
                            "m/t1.py": table.format(n=1), "m/t2.py": table.format(n=2)})  # fmt: skip
    done = _generate(root)
    assert done.returncode == 0, done.stderr
    written = (root / "worker/db.py").read_text()
    assert written.count("def now():") == 1
    assert (
        run_cli("check", "--root", root, "--source", "m", "--target", "worker/db.py").returncode
        == 0
    )


def test_a_name_two_modules_import_as_two_things_is_refused(tmp_path):
    root = write(tmp_path, {
        "m/__init__.py": "",
        "m/a.py": "import datetime\nfrom sqlmodel import Field, SQLModel\n\n\n"
                  "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
                  "    at: datetime.datetime\n",
        "m/b.py": "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n\n\n"
                  "class B(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
                  "    at: datetime\n",
    })  # fmt: skip
    done = _generate(root)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "datetime is `from datetime import datetime` here and `import datetime`" in lines[0]


def test_a_copied_class_that_names_a_shared_one_leaves_it_imported(tmp_path):
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/models/__init__.py": "",
        "app/models/user.py": TABLE.format(name="User", table="users"),
        "app/models/item.py": (
            "from typing import Optional\nfrom sqlmodel import Field, Relationship, SQLModel\n"
            "from .user import User\n\n\n"
            "class Item(SQLModel, table=True):\n    __tablename__ = 'items'\n"
            "    id: Optional[int] = Field(default=None, primary_key=True)\n"
            "    owner_id: Optional[int] = Field(default=None, foreign_key='users.id')\n"
            "    owner: Optional[User] = Relationship()\n"
        ),
        "worker/db.py": "from app.models.user import User\n",
    })  # fmt: skip
    done = run_cli("generate", "--root", root, "--source", "app/models", "--target", "worker/db.py")
    assert done.returncode == 0, done.stderr
    written = (root / "worker/db.py").read_text()
    assert "class Item(" in written and "class User(" not in written
    imported = subprocess.run(
        [sys.executable, "-c", "import worker.db as w; print(sorted(w.SQLModel.metadata.tables))"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "['items', 'users']"
    checked = run_cli("check", "--root", root, "--source", "app/models", "--target", "worker/db.py",
                      "--format", "json")  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert [s["table"] for s in json.loads(checked.stdout)["summary"]["shared"]] == ["users"]


def test_an_enum_the_worker_imports_from_the_source_is_used_not_copied(tmp_path):
    # The worker takes the backend's enum module (not its models: those it copies): the
    # copies use the enum it imports, the same class, rather than a second one that would
    # rebind its name.
    root = write(tmp_path, {
        "backend-core/enums.py": "import enum\n\n\nclass Status(str, enum.Enum):\n    A = 'a'\n",
        "backend-core/models.py": (
            "from sqlmodel import Field, SQLModel\nfrom enums import Status\n\n\n"
            "class Job(SQLModel, table=True):\n    __tablename__ = 'jobs'\n"
            "    id: int = Field(primary_key=True)\n    status: Status = Status.A\n"
        ),
        "ai-worker/db.py": (
            "import os\nimport sys\n\n"
            "sys.path.append(os.path.join(os.path.dirname(__file__), '..', 'backend-core'))\n\n"
            "from enums import Status  # noqa: E402\n"
        ),
    })  # fmt: skip
    done = run_cli("generate", "--root", root)
    assert done.returncode == 0, done.stderr
    written = (root / "ai-worker/db.py").read_text()
    assert "class Job(" in written and "class Status(" not in written
    printed = run_in_worker(
        root,
        "import db, enums\nc = db.SQLModel.metadata.tables['jobs'].c\n"
        "print(c.status.type.enum_class is enums.Status, c.status.type.enums)",
    )
    assert printed == "True ['A']"
    for command in ("check", "generate --check"):
        done = run_cli(*command.split(), "--root", root)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    # Imported below the region, it is not there yet when the copies are made.
    text = written.replace("from enums import Status  # noqa: E402\n", "")
    (root / "ai-worker/db.py").write_text(text + "from enums import Status  # noqa: E402\n")
    done = run_cli("generate", "--root", root)
    assert done.returncode == 2
    line = len(text.splitlines()) + 1
    assert done.stderr.strip() == (
        f"modelsync: error: ai-worker/db.py:{line}: Status is imported here, below the "
        "generated region that uses it; move the import above the region"
    )


def test_a_default_factory_imported_under_another_name_is_its_function(tmp_path):
    root = write(tmp_path, {
        "m/__init__.py": "",
        "m/clock.py": "from datetime import datetime\n\n\ndef make_stamp():\n    return datetime.now()\n",
        "m/t.py": "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n"
                  "from .clock import make_stamp as mk\n\n\n"
                  "class T(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
                  "    at: datetime = Field(default_factory=mk)\n",
    })  # fmt: skip
    assert _generate(root).returncode == 0
    done = run_cli("check", "--root", root, "--source", "m", "--target", "worker/db.py")
    assert done.returncode == 0, done.stdout


# --------------------------------------------------------------------------- the worker


SEED_MODELS = TABLE.format(name="User", table="users")


@pytest.mark.parametrize(
    "worker",
    [
        # insert(0) puts backend-core before the worker's own models.py, as Python does
        "import os, sys\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'backend-core'))\n"
        "from models import User\n",
        # the folder as an installed package, imported as a module of it
        "from backend_core import models\nUser = models.User\n",
    ],
    ids=["insert_first", "from_package_import_module"],
)
def test_the_worker_that_imports_the_backend_models_is_clean(tmp_path, worker):
    root = write(tmp_path, {
        "backend-core/models.py": SEED_MODELS,
        "ai-worker/models.py": "HELPER = 1\n",
        "ai-worker/db.py": worker,
    })  # fmt: skip
    done = run_cli("check", "--root", root, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [s["table"] for s in json.loads(done.stdout)["summary"]["shared"]] == ["users"]


# --------------------------------------------------------------------------- warnings


def test_what_leads_nowhere_is_a_warning_at_its_own_line(tmp_path):
    root = write(tmp_path, {
        "pkg/__init__.py": "from .t import T\n",
        "pkg/t.py": "from sqlmodel import Field, SQLModel\nfrom .gone import helper\n"
                    "from .consts import nothere\n\n\n"
                    "class T(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
                    "    n: str = Field(max_length=nothere)\n",
        "pkg/consts.py": "SIZE = 5\n",
    })  # fmt: skip
    done = run_cli("schema", root / "pkg", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    warnings = {(w["path"], w["line"], w["message"]) for w in json.loads(done.stdout)["warnings"]}
    assert ("pkg/t.py", 2, "module .gone is not in the project") in {
        (Path(p).as_posix().removeprefix(f"{root.as_posix()}/"), n, m) for p, n, m in warnings
    }
    assert any(m == "nothere is not defined in pkg/consts.py" and n == 3 for _, n, m in warnings)


def test_a_module_the_models_run_but_that_does_not_parse_is_a_warning(tmp_path):
    root = write(tmp_path, {
        "app/__init__.py": "from .main import app\n",
        "app/main.py": "def broken(:\n    pass\n",  # the app's own code, unreadable here
        "app/models.py": TABLE.format(name="Item", table="items"),
    })  # fmt: skip
    done = run_cli("schema", "app/models.py", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [t["name"] for t in document["tables"]] == ["items"]
    assert any("tables it defines are not counted" in w["message"] for w in document["warnings"])


def test_two_enum_types_of_one_name_with_other_labels_are_a_warning(tmp_path):
    enum = "import enum\n\n\nclass Status(str, enum.Enum):\n{labels}"
    table = (
        "from sqlmodel import Field, SQLModel\nfrom .{m}_enum import Status\n\n\n"
        "class {cls}(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
        "    status: Status\n"
    )
    root = write(tmp_path, {
        "p/__init__.py": "",
        "p/a_enum.py": enum.format(labels="    X = 'x'\n    Y = 'y'\n"),
        "p/b_enum.py": enum.format(labels="    P = 'p'\n    Q = 'q'\n"),
        "p/a.py": table.format(m="a", cls="A"),
        "p/b.py": table.format(m="b", cls="B"),
    })  # fmt: skip
    done = run_cli("schema", "p", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    messages = [w["message"] for w in json.loads(done.stdout)["warnings"]]
    assert any("enum type status is also made" in m and "[X, Y]" in m for m in messages), messages


def test_a_table_name_computed_by_a_base_in_another_module_is_refused_naming_both(tmp_path):
    # ``@declared_attr def __tablename__`` in a shared base (``app/db/base_class.py``):
    # SQLAlchemy runs it, modelsync cannot; the class name would be the wrong table.
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/base.py": (
            "from sqlalchemy.orm import declared_attr\nfrom sqlmodel import SQLModel\n\n\n"
            "class Base(SQLModel):\n    @declared_attr  # type: ignore\n"
            "    def __tablename__(cls) -> str:\n        return cls.__name__.lower() + 's'\n"
        ),
        "app/models.py": (
            "from sqlmodel import Field\nfrom .base import Base\n\n\n"
            "class Item(Base, table=True):\n    id: int = Field(primary_key=True)\n"
        ),
    })  # fmt: skip
    done = run_cli("schema", "app/models.py", cwd=root)
    assert done.returncode == 2, done.stdout
    assert done.stderr.strip() == (
        "modelsync: error: app/models.py:5: __tablename__ is computed by a method "
        "(app/base.py:7), which modelsync does not run; give class Item its table name as a "
        "string"
    )
    # Its own table name given, the table is read.
    models = root / "app/models.py"
    models.write_text(models.read_text() + "    __tablename__ = 'items'\n")
    done = run_cli("schema", "app/models.py", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    assert [t["name"] for t in json.loads(done.stdout)["tables"]] == ["items"]


def test_table_args_of_a_mixin_in_another_module_are_said_at_their_own_line(tmp_path):
    root = write(tmp_path, {
        "p/__init__.py": "",
        "p/base.py": (
            "from sqlalchemy.orm import declared_attr\nfrom sqlmodel import SQLModel\n\n\n"
            "def make_args():\n    return ()\n\n\n"
            "class Mixin(SQLModel):\n    __table_args__ = make_args()\n\n\n"
            "class Computed(SQLModel):\n    @declared_attr  # type: ignore\n"
            "    def __table_args__(cls):\n        return ()\n"
        ),
        "p/user.py": (
            "from sqlmodel import Field\nfrom .base import Computed, Mixin\n\n\n"
            "class User(Mixin, table=True):\n    id: int = Field(primary_key=True)\n\n\n"
            "class Team(Computed, table=True):\n    id: int = Field(primary_key=True)\n"
        ),
    })  # fmt: skip
    done = run_cli("schema", "p", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    said = {(w["path"], w["line"], w["message"]) for w in json.loads(done.stdout)["warnings"]}
    assert said == {
        ("p/base.py", 10, "cannot resolve __table_args__ = make_args() statically"),
        (
            "p/base.py",
            15,
            "__table_args__ is computed by a method, which modelsync does not run: its "
            "indexes and constraints are not compared",
        ),
    }


def test_a_worker_that_reads_annotations_lazily_cannot_take_copied_relationships(tmp_path):
    # SQLModel builds no Relationship from a string annotation (fastapi/sqlmodel#196): the
    # worker's own `from __future__ import annotations` would break the copies at import.
    models = (
        "from typing import Optional\nfrom sqlmodel import Field, Relationship, SQLModel\n\n\n"
        "class Team(SQLModel, table=True):\n    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    members: list['User'] = Relationship(back_populates='team')\n\n\n"
        "class User(SQLModel, table=True):\n    id: Optional[int] = Field(default=None, primary_key=True)\n"
        "    team_id: Optional[int] = Field(default=None, foreign_key='team.id')\n"
        "    team: Optional[Team] = Relationship(back_populates='members')\n"
    )
    root = write(tmp_path, {
        "backend-core/models.py": models,
        "ai-worker/db.py": "from __future__ import annotations\n\nfrom sqlmodel import SQLModel\n",
    })  # fmt: skip
    done = run_cli("generate", "--root", root)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "modelsync: error: ai-worker/db.py:1: `from __future__ import annotations` here makes "
        "the annotations of the relationships the region copies (as at backend-core/models.py:7) "
        "strings, which SQLModel cannot build a Relationship from; remove it, or set "
        "relationships = false"
    )
    # Generated first, the import added later: check says so at its line.
    (root / "ai-worker/db.py").write_text("from sqlmodel import SQLModel\n")
    assert run_cli("generate", "--root", root).returncode == 0
    generated = (root / "ai-worker/db.py").read_text()
    (root / "ai-worker/db.py").write_text("from __future__ import annotations\n" + generated)
    done = run_cli("check", "--root", root, "--format", "json")
    assert done.returncode == 1
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["kind"], finding["target"]["line"]) == ("stale_region", 1)
    # Without relationships in the mirror, the lazy annotations are the worker's business.
    (root / "pyproject.toml").write_text("[tool.modelsync]\nrelationships = false\n")
    done = run_cli("generate", "--root", root)
    assert done.returncode == 0, done.stderr
    printed = run_in_worker(
        root,
        "import db\nfrom sqlalchemy.orm import configure_mappers\n"
        "configure_mappers()\nprint(sorted(db.SQLModel.metadata.tables))",
    )
    assert printed == "['team', 'user']"
