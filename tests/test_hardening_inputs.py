"""Hardening, class 4: bad input never crashes, hangs or prints many lines (issue 10)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hardening.harness import SOURCE_PATH, Case, run_case
from tests.oracle import sqlmodel_schemas

HEAD = "from typing import Annotated, Optional, Union\nfrom sqlmodel import Field, SQLModel\n"
TABLE = "class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"


def _models(text: str) -> dict[str, object]:
    return {SOURCE_PATH: text}


def _field(annotation: str) -> str:
    return HEAD + TABLE + f"    x: {annotation}\n"


# Annotations typing or SQLModel refuse, and their valid neighbours. Each is checked
# against real SQLModel (test_annotations_agree_with_sqlmodel): a located exit 2 exactly
# when SQLModel refuses, except the ones modelsync cannot read statically, which are a
# warning (it never guesses a type).
ANNOTATIONS = [
    "Optional[()]",
    "Annotated[()]",
    "Union[()]",
    "list[()]",
    "Optional[(), ()]",
    "Annotated[int]",
    "'Optional[()]'",
    "'Annotated[()]'",
    "Optional[Optional[()]]",
    "'('",
    "Optional[1:2]",
    "dict[(), ()]",
    "Optional[int, str]",
    "Optional[(int,)]",
    "Optional[int,]",
    "Annotated[Optional[()], 1]",
    "Union[int, Optional[()]]",
    "int | Optional[()]",
    "list[Optional[()]]",
    "Annotated[(int, 1)]",
    "Union[(int,)]",
    "Optional[(int)]",
    "Optional['int']",
]
UNREADABLE = {"'('", "Optional[1:2]"}

CASES: list[Case] = []
# A non-decimal literal past the digits Python prints (the parser itself refuses a
# decimal one); just under the limit is read.
for _name, _literal, _code in [
    ("hex_over_4300_digits", "0x" + "f" * 3600, 2),
    ("octal_over_4300_digits", "0o" + "7" * 4800, 2),
    ("binary_over_4300_digits", "0b" + "1" * 14300, 2),
    ("hex_with_underscores_over_4300_digits", "0x" + "_".join(["ffff"] * 900), 2),
    ("hex_in_a_call_over_4300_digits", "Field(default=-0x" + "f" * 3600 + ")", 2),
    ("hex_under_the_limit", "0x" + "f" * 3560, 0),
]:
    CASES.append(
        Case(
            _name,
            ("schema", SOURCE_PATH, "--format", "json"),
            _code,
            files=_models(HEAD + TABLE + f"    x: int = {_literal}\n"),
            where=SOURCE_PATH + ":5" if _code else None,
            needle="integer literal too large" if _code else "",
        )
    )
# What CPython's compiler refuses in future imports, located as it locates them.
_TAIL = "\n" + HEAD + TABLE
FUTURE_CASES = [
    ("future_braces", "from __future__ import braces", 1),
    ("future_unknown_feature", "from __future__ import annotations, nope", 1),
    ("future_after_code", "import os\nfrom __future__ import annotations", 2),
    ("future_after_two_docstrings", '"""a"""\n"""b"""\nfrom __future__ import annotations', 3),
    ("future_in_function", "def f():\n    from __future__ import annotations", 2),
    (
        "future_in_class_method_block",
        "class B:\n  def f(self):\n    if 1:\n      from __future__ import annotations",
        4,
    ),
    ("future_in_if", "if True:\n    from __future__ import annotations", 2),
]
for _name, _head, _line in FUTURE_CASES:
    CASES.append(
        Case(
            _name,
            ("schema", SOURCE_PATH),
            2,
            files=_models(_head + _TAIL),
            where=f"{SOURCE_PATH}:{_line}",
            needle="syntax error",
        )
    )
CASES.append(
    Case(
        "future_after_docstring_is_fine",
        ("schema", SOURCE_PATH),
        0,
        files=_models(
            '"""Models."""\nfrom __future__ import annotations\nfrom __future__ import division'
            + _TAIL
        ),
    )
)

CASES += [
    Case(
        "int_over_4300_digits",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + f"    x: int = {'9' * 5000}\n"),
        where=SOURCE_PATH,
        line=True,
    ),
    Case(
        "huge_product",
        ("schema", SOURCE_PATH),
        0,
        files=_models(
            HEAD
            + "A0 = 10 ** 4\n"
            + "".join(f"A{i + 1} = A{i} * A{i}\n" for i in range(40))
            + TABLE
            + "    x: str = Field(max_length=A40)\n"
        ),
    ),
    Case(
        "doubling_constants_30",
        ("schema", SOURCE_PATH),
        0,
        files=_models(
            HEAD
            + "A0 = 1\n"
            + "".join(f"A{i + 1} = A{i} + A{i}\n" for i in range(30))
            + TABLE
            + "    x: int = A30\n"
        ),
    ),
    Case(
        "doubling_constant_cycle",
        ("schema", SOURCE_PATH),
        0,
        files=_models(HEAD + "A = B + B\nB = A + A\n" + TABLE + "    x: int = A\n"),
    ),
    Case(
        "term_100000_in_field",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + "    x: int = " + "+".join(["1"] * 100000) + "\n"),
        where=SOURCE_PATH + ":5",
    ),
    Case(
        "term_100000_constant",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "X = " + "+".join(["1"] * 100000) + "\n" + TABLE),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "nested_parens",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + "    x: int = " + "(" * 300 + "1" + ")" * 300 + "\n"),
        where=SOURCE_PATH,
        line=True,
    ),
    Case(
        "nested_lists_deep",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + "    x: int = " + "[" * 5000 + "]" * 5000 + "\n"),
        where=SOURCE_PATH,
        line=True,
    ),
    Case(
        "constant_chain_3000",
        ("schema", SOURCE_PATH),
        2,
        files=_models(
            HEAD
            + "A0 = 1\n"
            + "".join(f"A{i + 1} = A{i} + 1\n" for i in range(3000))
            + TABLE
            + "    x: int = A3000\n"
        ),
        where=SOURCE_PATH,
        line=True,
    ),
    Case(
        "inheritance_600",
        ("schema", SOURCE_PATH),
        0,
        files=_models(
            HEAD
            + "class C0(SQLModel):\n    id: int = Field(primary_key=True)\n"
            + "".join(f"class C{i}(C{i - 1}):\n    f{i}: int = 0\n" for i in range(1, 600))
            + "class T(C599, table=True):\n    pass\n"
        ),
        needle="f599",
    ),
    Case(
        "module_return",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "return 1\n"),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "class_return",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + "    return\n"),
        where=SOURCE_PATH + ":5",
    ),
    Case(
        "module_break",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "break\n"),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "loop_else_break",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "for i in []:\n    pass\nelse:\n    break\n"),
        where=SOURCE_PATH + ":6",
    ),
    Case(
        "module_yield",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "yield 1\n"),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "module_await",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "await x\n"),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "module_nonlocal",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "nonlocal x\n"),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "repeated_keyword_module",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "f(a=1, a=2)\n"),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "repeated_keyword_field",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + "    x: int = Field(default=1, default=2)\n"),
        where=SOURCE_PATH + ":5",
    ),
    Case(
        "repeated_class_keyword",
        ("schema", SOURCE_PATH),
        2,
        files=_models(
            HEAD
            + "class B(SQLModel, table=True, table=False):\n    id: int = Field(primary_key=True)\n"
        ),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "tablename_newline_forges_line",
        ("check",),
        2,
        files=_models(HEAD + TABLE + '    __tablename__ = "a\\nmodelsync: error: forged"\n'),
        where=SOURCE_PATH + ":3",
        needle="control character",
    ),
    Case(
        "tablename_carriage_return",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + '    __tablename__ = "a\\rb"\n'),
        where=SOURCE_PATH + ":3",
    ),
    Case(
        "nul_in_source",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + "x = 1\x00\n"),
        where=SOURCE_PATH + ":3",
        needle="contains a NUL byte",
    ),
    Case(
        "nul_in_cr_only_source",
        ("schema", SOURCE_PATH),
        2,
        files={SOURCE_PATH: (HEAD + "\nx = 1\x00\n").replace("\n", "\r").encode()},
        where=SOURCE_PATH + ":4",
    ),
    Case(
        "nul_in_target",
        ("check",),
        2,
        files={"ai-worker/db.py": "import os\n\n# \x00\n"},
        where="ai-worker/db.py:3",
    ),
    Case(
        # Without a byte order mark, UTF-16 reads as UTF-8 with a NUL after each letter.
        "utf16_le_without_bom",
        ("schema", SOURCE_PATH),
        2,
        files={SOURCE_PATH: (HEAD + TABLE).encode("utf-16-le")},
        where=SOURCE_PATH + ":1",
        needle="looks like UTF-16",
    ),
    Case(
        "utf16_with_bom",
        ("check",),
        2,
        files={SOURCE_PATH: (HEAD + TABLE).encode("utf-16")},
        where=SOURCE_PATH + ":1",
        needle="looks like UTF-16",
    ),
    Case(
        "nul_in_migration",
        ("lint", "--format", "json"),
        1,
        files={"infra/postgres/migrations/001_a.sql": "SELECT 1;\n\nSELECT 2;\x00 DROP TABLE a;\n"},
        needle='"line": 3',
    ),
    Case(
        "utf16_migration",
        ("lint",),
        1,
        files={"infra/postgres/migrations/001_a.sql": "SELECT 1;\n".encode("utf-16-le")},
        needle="001_a.sql:1: MS843 [migration-sql] contains a NUL byte; the file looks like UTF-16",
    ),
    Case(
        "not_utf8_migration",
        ("lint",),
        1,
        files={"infra/postgres/migrations/001_a.sql": b"SELECT 1;\nSELECT '\xff';\n"},
        needle="001_a.sql:2: MS843 [migration-sql] not UTF-8 (byte 0xff)",
    ),
    Case(
        "not_utf8",
        ("schema", SOURCE_PATH),
        2,
        files={SOURCE_PATH: b"x = '\xff'\n"},
        where=SOURCE_PATH + ":1",
    ),
    Case(
        "bom_only",
        ("schema", SOURCE_PATH),
        2,
        files={SOURCE_PATH: b"\xef\xbb\xbf"},
        where=SOURCE_PATH,
    ),
    Case(
        "lone_surrogate_escape",
        ("schema", SOURCE_PATH),
        0,
        files=_models(HEAD + 'X = "\\ud800"\n' + TABLE),
    ),
    Case(
        "tabs_and_spaces",
        ("schema", SOURCE_PATH),
        2,
        files=_models(HEAD + TABLE + "\tx: int\n"),
        where=SOURCE_PATH,
        line=True,
    ),
    Case(
        "parser_syntax_warnings_are_not_printed",
        ("schema", SOURCE_PATH),
        0,
        files=_models(HEAD + "X = [0x1for x in []]\nY = 1if 1 else 2\nZ = 1 is 1\n" + TABLE),
        subprocess=True,
        quiet=True,
    ),
    Case("form_feed", ("schema", SOURCE_PATH), 0, files=_models(HEAD + "\x0c\n" + TABLE)),
    Case(
        "star_import",
        ("schema", SOURCE_PATH),
        2,
        files=_models("from sqlmodel import *\n"),
        where=SOURCE_PATH + ":1",
    ),
    # pyproject.toml that is not what it should be: the key's own line.
    Case(
        "tool_not_table",
        ("check",),
        2,
        files={"pyproject.toml": "tool = 1\n"},
        where="pyproject.toml:1",
    ),
    Case(
        "modelsync_not_table",
        ("check",),
        2,
        files={"pyproject.toml": "[tool]\nmodelsync = 'x'\n"},
        where="pyproject.toml:2",
    ),
    Case(
        "modelsync_array",
        ("check",),
        2,
        files={"pyproject.toml": "[[tool.modelsync]]\nsource = 'x'\n"},
        where="pyproject.toml",
    ),
    Case(
        "toml_syntax",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\nsource = \n"},
        where="pyproject.toml:2",
    ),
    Case(
        "toml_not_utf8",
        ("check",),
        2,
        files={"pyproject.toml": b"[tool.modelsync]\n# \xff\n"},
        where="pyproject.toml:2",
    ),
    Case(
        "unknown_key_line",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\n\n\nsorce = 'x'\n"},
        where="pyproject.toml:4",
    ),
    Case(
        "wrong_type_line",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\nsource = 'a.py'\nrelationships = 'yes'\n"},
        where="pyproject.toml:3",
    ),
    Case(
        "ignore_not_strings",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\n\nignore = [1]\n"},
        where="pyproject.toml:3",
    ),
    Case(
        "unknown_drift_kind_line",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\n\nignore = ['indexes']\n"},
        where="pyproject.toml:3",
    ),
    Case(
        "bad_version_line",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\n\nsqlmodel_version = 'latest'\n"},
        where="pyproject.toml:3",
    ),
    Case(
        "internal_key_refused",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\nkey_lines = 1\n"},
        where="pyproject.toml:2",
    ),
    Case(
        "vector_dim_bool",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\nvector_dim = true\n"},
        where="pyproject.toml:2",
    ),
    Case(
        "long_unknown_key",
        ("check",),
        2,
        files={"pyproject.toml": "[tool.modelsync]\n" + "k" * 300 + " = 1\n"},
        where="pyproject.toml:2",
    ),
    Case(
        "deep_toml",
        ("check",),
        2,
        files={"pyproject.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n"},
        where="pyproject.toml",
    ),
    Case(
        "dotted_key_line",
        ("check",),
        2,
        files={"pyproject.toml": "[tool]\nname = 1\nmodelsync.sorce = 'x'\n"},
        where="pyproject.toml:3",
    ),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(tmp_path: Path, case: Case) -> None:
    run_case(tmp_path, case)


@pytest.mark.parametrize(("name", "head", "line"), FUTURE_CASES, ids=[c[0] for c in FUTURE_CASES])
def test_future_import_cases_are_what_cpython_refuses(name: str, head: str, line: int) -> None:
    with pytest.raises(SyntaxError) as refused:
        compile(head + _TAIL, "models.py", "exec")
    assert refused.value.lineno == line


@pytest.fixture(scope="module")
def sqlmodel_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    """Annotation -> whether real SQLModel imports a table with it (one subprocess)."""
    folder = tmp_path_factory.mktemp("annotations")
    paths = {}
    for number, annotation in enumerate(ANNOTATIONS):
        paths[annotation] = folder / f"m{number}.py"
        paths[annotation].write_text(_field(annotation), encoding="utf-8")
    verdicts = sqlmodel_schemas(paths.values())
    return {a: "error" not in verdicts[str(path)] for a, path in paths.items()}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("annotation", ANNOTATIONS)
def test_annotations_agree_with_sqlmodel(
    tmp_path: Path, annotation: str, sqlmodel_verdicts: dict[str, bool]
) -> None:
    accepted = sqlmodel_verdicts[annotation]
    refused = not accepted and annotation not in UNREADABLE
    case = Case(
        "annotation",
        ("schema", SOURCE_PATH),
        2 if refused else 0,
        files=_models(_field(annotation)),
        where=SOURCE_PATH + ":5" if refused else None,
    )
    outcome = run_case(tmp_path, case)
    if annotation in UNREADABLE:
        assert not accepted and "cannot resolve the annotation" in outcome.stderr


@pytest.mark.timeout(30)
def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    """A real process and a real SIGINT: 130 (1 would mean drift to CI), one line."""
    models = tmp_path / "models.py"
    models.write_text(
        "from sqlmodel import Field, SQLModel\n"
        + "".join(
            f"class A{i}(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
            for i in range(12000)
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "modelsync", "schema", str(models)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    time.sleep(0.8)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["modelsync: interrupted"]
