"""What generate copies from a package into one mirror file: every definition spelled by
its own name, whatever the module that used it called it.

In one file a name means one thing, so ``S`` (``from .enums import Status as S``) and
``enums.Status`` (``from . import enums``) are copied as ``Status``. Each case runs the
mirror's region as Python (with the source's imports) to prove it defines what the tables
need before they use it; ``tests/test_package_cli.py`` imports whole generated files with
real SQLModel.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from modelsync.mirror.state import mirror_state
from modelsync.modules.tree import DiskTree
from modelsync.schema.load import load_side
from modelsync.schema.release import SqlmodelRules, parse_version

RULES = SqlmodelRules(parse_version("0.0.50"))
HEADER = """\
import enum
from typing import Optional

from sqlmodel import Field, SQLModel
"""


# A package with one enum, Kind, in app/kinds.py.
KINDS = {
    "app/__init__.py": "",
    "app/kinds.py": HEADER + 'class Kind(str, enum.Enum):\n    A = "a"\n',
}


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        header = HEADER if text.startswith(HEADER) else ""
        path.write_text(header + textwrap.dedent(text.removeprefix(header)), encoding="utf-8")
    return root


def region(root: Path, source: str):
    side = load_side(DiskTree(root), (source,), RULES)
    state = mirror_state(side, side.schema, None, None, True)
    texts = [item.text for item in state.region_input.items]
    return texts, state.warnings


# Runs a region as a module of its own, in a child (its tables must not land in this
# process's SQLModel metadata), and prints each class's fields and defaults.
RUNNER = """
import json, sys, types
module = types.ModuleType("mirror_region")
sys.modules["mirror_region"] = module
exec(compile(sys.stdin.read(), "<region>", "exec"), module.__dict__)
found = {}
for name, value in vars(module).items():
    fields = getattr(value, "model_fields", None)
    if isinstance(value, type) and fields is not None and value.__module__ == "mirror_region":
        found[name] = {f: repr(info.get_default(call_default_factory=True))
                       for f, info in fields.items()}
print(json.dumps(found))
"""


def run_region(texts: list[str]) -> dict[str, dict[str, str]]:
    """Run the region's definitions in order, as the mirror file would: class name ->
    field -> repr of its default."""
    code = HEADER + "\n\n".join(texts)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER], input=code, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, code + "\n" + done.stderr
    return json.loads(done.stdout)


def test_one_alias_meaning_two_things_in_two_modules_is_spelled_out(tmp_path: Path) -> None:
    # ``Phase`` is Draft's enum in one module and Review's in another, and ``Parent`` two
    # different mixins: the mirror has one namespace, so each use names its definition.
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/enums.py": HEADER + """
            class DraftPhase(str, enum.Enum):
                OPEN = "open"


            class ReviewPhase(str, enum.Enum):
                WAITING = "waiting"
            """,
        "app/mixins.py": HEADER + """
            class Named(SQLModel):
                name: str = ""


            class Coded(SQLModel):
                code: str = ""
            """,
        "app/draft.py": HEADER + """
            from .enums import DraftPhase as Phase
            from .mixins import Named as Parent


            class Draft(Parent, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                phase: Phase = Phase.OPEN
            """,
        "app/review.py": HEADER + """
            from .enums import ReviewPhase as Phase
            from .mixins import Coded as Parent


            class Review(Parent, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                phase: Phase = Phase.WAITING
            """,
    })  # fmt: skip
    texts, warnings = region(root, "app")
    assert warnings == ()
    text = "\n".join(texts)
    assert not [line for line in text.splitlines() if line.startswith(("Phase", "Parent"))]
    assert "class Draft(Named, table=True):" in text
    assert "phase: DraftPhase = DraftPhase.OPEN" in text
    assert "class Review(Coded, table=True):" in text
    assert "phase: ReviewPhase = ReviewPhase.WAITING" in text
    classes = run_region(texts)
    assert classes["Draft"] == {"name": "''", "id": "None", "phase": "<DraftPhase.OPEN: 'open'>"}
    assert classes["Review"]["phase"] == "<ReviewPhase.WAITING: 'waiting'>"
    assert set(classes["Review"]) == {"id", "code", "phase"}


def test_names_reached_through_a_module_are_spelled_by_their_name(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/config.py": "WIDTH = 30\nDIM = 8\n",
        "app/enums.py": HEADER + """
            class Role(str, enum.Enum):
                MEMBER = "member"  # ünïcode in a comment shifts no column
            """,
        "app/models/__init__.py": "",
        "app/models/user.py": HEADER + """
            import app.core.config
            from .. import enums
            from ..core import config as cfg


            class User(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                name: str = Field(default="é", max_length=cfg.WIDTH)  # é before the edit
                role: enums.Role = Field(default=enums.Role.MEMBER)
                size: int = app.core.config.DIM
            """,
    })  # fmt: skip
    texts, warnings = region(root, "app/models")
    assert warnings == ()
    text = "\n".join(texts)
    assert 'name: str = Field(default="é", max_length=WIDTH)  # é before the edit' in text
    assert "role: Role = Field(default=Role.MEMBER)" in text
    assert "size: int = DIM" in text
    assert run_region(texts)["User"]["size"] == "8"


def test_an_alias_in_a_string_annotation_is_defined_before_its_use(tmp_path: Path) -> None:
    # A string is not respelled: the alias gets a line right after its definition.
    root = write(tmp_path, {
        **KINDS,
        "app/models.py": HEADER + """
            from app.kinds import Kind as K


            class Thing(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                kind: "K" = K.A
            """,
    })  # fmt: skip
    texts, warnings = region(root, "app/models.py")
    assert warnings == ()
    assert texts.index("K = Kind") == texts.index(next(t for t in texts if "class Kind" in t)) + 1
    assert 'kind: "K" = Kind.A' in "\n".join(texts)
    run_region(texts)


def test_a_name_the_copied_code_binds_itself_is_left_alone(tmp_path: Path) -> None:
    root = write(tmp_path, {
        **KINDS,
        "app/models.py": HEADER + """
            from app.kinds import Kind as K


            def label(K: str = "x") -> str:
                return K.upper()


            class Thing(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                kind: K = K.A
                title: str = Field(default_factory=label)
            """,
    })  # fmt: skip
    texts, warnings = region(root, "app/models.py")
    assert warnings == ()
    text = "\n".join(texts)
    assert 'def label(K: str = "x") -> str:\n    return K.upper()' in text
    assert "kind: Kind = Kind.A" in text
    assert run_region(texts)["Thing"]["title"] == "'X'"


def test_a_module_used_as_a_value_is_a_warning_at_its_line(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/kinds.py": "WIDTH = 3\n",
        "app/models.py": HEADER + """
            from app import kinds


            class Thing(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                note: str = Field(default=str(kinds))
            """,
    })  # fmt: skip
    _, warnings = region(root, "app/models.py")
    assert [(w.path, w.line) for w in warnings] == [("app/models.py", 11)]
    assert "kinds is a module of the source" in warnings[0].message
