"""Adopting a hand-written mirror is one command that loses nothing (issue 17, item 3).

A comment inside a mirrored class that the region replaces is carried out of the class and
kept just above the region, naming the class it came from (and the attribute, for one on a
field's own lines); methods and other code are still refused by line, and the refusal names
the command that goes on and exactly what it drops. The bundled example, a real hand
mirror with comments inside its classes, adopts without ``--force``, and the adopted file
imports with real SQLModel and has the source's schema.
"""

from __future__ import annotations

import io
import re
import shutil
import tokenize
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_cli
from tests.hardening.harness import SOURCE, SOURCE_PATH, TARGET_PATH, run_inprocess
from tests.oracle import sqlmodel_schemas
from tests.test_differential import differences, normalize

_REGION = re.compile(
    r"^# --- modelsync: begin generated .*?^# --- modelsync: end generated[^\n]*\n",
    re.MULTILINE | re.DOTALL,
)


def _outside_region(text: str) -> str:
    """The file with its region shown as one ``<region>`` line: what adoption left."""
    return _REGION.sub("<region>\n", text)


def _project(tmp_path: Path, target: str, source: str = SOURCE) -> Path:
    (tmp_path / "backend-core").mkdir()
    (tmp_path / "ai-worker").mkdir()
    (tmp_path / SOURCE_PATH).write_text(source, encoding="utf-8")
    (tmp_path / TARGET_PATH).write_bytes(target.encode("utf-8"))
    return tmp_path


# The source's imports and its two module-level names, which the target keeps as they are.
_HEAD = SOURCE.split("class Level", 1)[0]

_SAME = SOURCE.replace("    note: Optional[str] = None", "    note: Optional[str] = None  # same")

# (name, the target before adoption, the target after it outside the region[, the source])
CASES = [
    (
        "comment_between_fields",
        SOURCE.replace('    __tablename__ = "users"\n', '    __tablename__ = "users"\n    # why\n'),
        _HEAD + "# (from class User) why\n<region>\n",
    ),
    (
        "comment_block_and_trailing_comments_in_two_classes",
        SOURCE.replace(
            "    note: Optional[str] = None",
            "    # Using Any to bypass\n"
            "    # a type inference bug\n    note: Optional[str] = None  # free text",
        ).replace("    level: Level = Level.junior", "    level: Level = Level.junior  # mine"),
        _HEAD + "# (from class Stamped) Using Any to bypass\n# (from class Stamped) a type "
        "inference bug\n# (from class Stamped, note) free text\n# (from class User, level) mine\n"
        "<region>\n",
    ),
    (
        "comment_inside_a_field_call_and_on_the_class_line",
        SOURCE.replace(
            "class User(Stamped, table=True):", "class User(Stamped, table=True):  # t"
        ).replace(
            "    name: str = Field(max_length=NAME_LENGTH)",
            "    name: str = Field(\n        max_length=NAME_LENGTH,  # the API's limit\n    )",
        ),
        _HEAD + "# (from class User) t\n# (from class User, name) the API's limit\n<region>\n",
    ),
    (
        "comment_of_an_enum_member",
        SOURCE.replace('    senior = "senior"', '    senior = "senior"  # 5+ years'),
        _HEAD + "# (from class Level, senior) 5+ years\n<region>\n",
    ),
    (
        # A comment the source's class has too is in the region already: not doubled.
        "comment_the_source_also_has",
        _SAME,
        _HEAD + "<region>\n",
        _SAME,
    ),
    (
        # Comments outside the classes stay where they are, an indented one after a class's
        # last statement too (Python counts it outside the class); the carried ones come
        # between them and the region.
        "comments_outside_the_classes_stay",
        SOURCE.replace("class Level(", "# the enums\nclass Level(").replace(
            "    level: Level = Level.junior",
            "    # level\n    level: Level = Level.junior\n    # last\n# after the class\n",
        ),
        _HEAD + "# the enums\n# (from class User) level\n<region>\n\n\n    # last\n"
        "# after the class\n\n",  # the file ends as it did, with a blank line
    ),
    (
        "empty_comment",
        SOURCE.replace('    __tablename__ = "users"\n', '    __tablename__ = "users"\n    #\n'),
        _HEAD + "# (from class User)\n<region>\n",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_adoption_keeps_comments_above_the_region(tmp_path: Path, case: tuple) -> None:
    _, before, after, *source = case
    project = _project(tmp_path, before, *source)
    outcome = run_inprocess(project, ("generate",))
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    written = (project / TARGET_PATH).read_text(encoding="utf-8")
    assert _outside_region(written) == after
    carried = after.count("# (from class")
    if carried:
        assert f"kept {carried} comment(s) from inside the replaced classes" in outcome.stdout
    again = run_inprocess(project, ("generate",))
    assert (again.code, again.stdout) == (0, f"{TARGET_PATH}: up to date\n")
    assert run_inprocess(project, ("check",)).code == 0


def test_crlf_target_gets_crlf_comments(tmp_path: Path) -> None:
    before = SOURCE.replace(
        "    level: Level = Level.junior", "    level: Level = Level.junior  # m"
    )
    project = _project(tmp_path, before.replace("\n", "\r\n"))
    assert run_inprocess(project, ("generate",)).code == 0
    written = (project / TARGET_PATH).read_bytes()
    assert b"\r\n# (from class User, level) m\r\n# --- modelsync: begin generated" in written
    assert written.count(b"\n") == written.count(b"\r\n")


METHOD = "    # a helper the worker uses\n    def label(self):\n        return self.name  # short\n"


def test_code_is_refused_naming_the_command_and_what_it_drops(tmp_path: Path) -> None:
    # SOURCE's class User ends at line 24: the comment, the method and its body are 25-27.
    before = SOURCE + METHOD
    before = before.replace("    note: Optional[str] = None", "    note: Optional[str] = None  # n")
    project = _project(tmp_path, before)
    refused = run_inprocess(project, ("generate", "--sqlmodel-version", "0.0.22"))
    assert refused.code == 2
    assert (project / TARGET_PATH).read_text(encoding="utf-8") == before
    assert refused.stderr == (
        f"modelsync: error: {TARGET_PATH}:25: hand-written code inside mirrored classes would "
        "be lost by replacing them with the source's classes: class User line(s) 25-27 (method "
        "label); move it out of the class (or into the source) and run `modelsync generate "
        f"--root {project} --sqlmodel-version 0.0.22` again, or run `modelsync generate --root "
        f"{project} --sqlmodel-version 0.0.22 --force`, which adopts the file and drops exactly "
        "those 3 line(s) (comments inside the classes are kept above the region either way)\n"
    )
    forced = run_inprocess(project, ("generate", "--force"))
    assert forced.code == 0, forced.stderr
    written = (project / TARGET_PATH).read_text(encoding="utf-8")
    # Exactly the three named lines went; the comment on a field stayed, carried out.
    assert _outside_region(written) == _HEAD + "# (from class Stamped, note) n\n<region>\n"


def test_refusal_lists_every_class_that_would_lose_code(tmp_path: Path) -> None:
    before = (
        SOURCE.replace(
            "    note: Optional[str] = None",
            "    note: Optional[str] = None\n    class Config:\n        orm_mode = True",
        )
        + METHOD
    )
    project = _project(tmp_path, before)
    refused = run_inprocess(project, ("generate",))
    assert refused.code == 2
    assert (
        "class Stamped line(s) 16-17 (class Config); class User line(s) 27-29 (method label)"
        in refused.stderr
    )
    assert "drops exactly those 5 line(s)" in refused.stderr


def _comments(text: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [token.string[1:].strip() for token in tokens if token.type == tokenize.COMMENT]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "interview"
    shutil.copytree(EXAMPLE, root)
    return root


def test_the_example_adopts_in_one_command_and_imports_with_sqlmodel(
    example: Path, tmp_path: Path
) -> None:
    """The bundled example's ``db.py`` is a hand mirror (no markers) with comments inside
    two mirrored classes; ``generate`` adopts it at once, keeping every comment."""
    target = example / TARGET_PATH
    before = target.read_text(encoding="utf-8")
    assert "# --- modelsync:" not in before
    adopted = run_cli("generate", "--root", example)
    assert adopted.returncode == 0, adopted.stderr
    assert "kept 2 comment(s)" in adopted.stdout
    after = target.read_text(encoding="utf-8")
    assert (
        "# (from class Company) The timestamp columns are spelled out here instead of "
        "inheriting TimestampMixin.\n# (from class Transcript) The backend declares this "
        "through sa_column=Column(Integer, ForeignKey(...)); same DDL.\n"
        "# --- modelsync: begin generated" in after
    )
    # Every comment of the hand mirror is still in the file (as written, or carried).
    kept = _comments(after)
    for comment in _comments(before):
        assert comment in kept or any(k.endswith(f") {comment}") for k in kept), comment
    assert run_cli("check", "--root", example).returncode == 0
    assert "up to date" in run_cli("generate", "--root", example).stdout
    snapshot = tmp_path / "adopted_db.py"
    snapshot.write_text(after, encoding="utf-8")
    oracle = sqlmodel_schemas([example / SOURCE_PATH, snapshot])
    source, mirror = oracle[str(example / SOURCE_PATH)], oracle[str(snapshot)]
    assert "error" not in mirror, mirror.get("error")
    assert not differences(normalize(source["schema"]), normalize(mirror["schema"]))


def test_a_generated_example_mirror_with_markers_stripped_adopts(example: Path) -> None:
    """A mirror that was generated once, its markers removed by hand and comments added to
    its classes: adopting keeps the new comments and does not double the source's own."""
    target = example / TARGET_PATH
    target.unlink()
    assert run_cli("generate", "--root", example).returncode == 0
    generated = target.read_text(encoding="utf-8")
    stripped = "".join(
        line for line in generated.splitlines(keepends=True) if "# --- modelsync:" not in line
    ).replace(
        "    embedding: Optional[list[float]] = Field(",
        "    # Using Any for embedding to bypass SQLModel type inference bug\n"
        "    embedding: Optional[list[float]] = Field(",
        1,
    )
    assert stripped != generated.replace("# --- modelsync:", "")
    target.write_text(stripped, encoding="utf-8")
    adopted = run_cli("generate", "--root", example)
    assert adopted.returncode == 0, adopted.stderr
    after = target.read_text(encoding="utf-8")
    carried = [line for line in after.splitlines() if line.startswith("# (from class ")]
    assert carried == [
        "# (from class Resume) Using Any for embedding to bypass SQLModel type inference bug"
    ]
    assert run_cli("check", "--root", example).returncode == 0


def test_a_carried_comment_never_becomes_an_encoding_declaration() -> None:
    """Python reads a ``coding:`` comment on line 1 or 2 as the file's encoding: a class at
    the top of the file has its carried comments pushed below line 2."""
    import ast

    from modelsync.mirror.splice import splice_adopting
    from modelsync.schema.load import ParsedFile

    text = "class Speaker(str, Enum):  # coding: utf-16\n    A = 'a'\n\n\nX = 1\n"
    target = ParsedFile("db.py", text, ast.parse(text))
    written, carried = splice_adopting(target, frozenset({"Speaker"}), "<region>\n")
    assert written == "\n\n# (from class Speaker) coding: utf-16\n<region>\n\n\nX = 1\n"
    assert [comment.line for comment in carried] == [1]


_REGION_FIRST = {
    # What stands above the region in the target: nothing, comments, a docstring.
    "region_alone": "",
    "comments_above": "#!/usr/bin/env python\n# The worker's models.\n\n",
    "docstring_above": '"""The worker\'s models."""\n\n',
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("above", list(_REGION_FIRST), ids=list(_REGION_FIRST))
def test_imports_go_above_a_region_that_is_the_first_statement(
    example: Path, above: str, newline: str
) -> None:
    """A target that holds little but its region (the imports above it deleted): the
    imports it needs are added above the begin marker, never inside the region, and the
    file then checks clean and imports with real SQLModel."""
    target = example / TARGET_PATH
    target.unlink()
    assert run_cli("generate", "--root", example).returncode == 0
    region = _REGION.search(target.read_text(encoding="utf-8")).group(0)
    written = (_REGION_FIRST[above] + region).replace("\n", newline)
    target.write_bytes(written.encode("utf-8"))
    result = run_cli("generate", "--root", example)
    assert result.returncode == 0, result.stderr
    after = target.read_bytes().decode("utf-8")
    assert _REGION.search(after.replace(newline, "\n")).group(0) == region
    assert after.startswith(_REGION_FIRST[above].replace("\n", newline))
    # Every line ending is the file's own: no bare LF in a CRLF file, no CR in an LF one.
    stray = "\n" in after.replace("\r\n", "") if newline == "\r\n" else "\r" in after
    assert not stray
    checked = run_cli("check", "--root", example)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "up to date" in run_cli("generate", "--check", "--root", example).stdout
    oracle = sqlmodel_schemas([target])[str(target)]
    assert "error" not in oracle, oracle.get("error")
