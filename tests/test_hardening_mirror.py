"""Hardening, class 3: no hand-written line is lost (issue 10).

Adopting an unmarked ``db.py`` replaces its mirrored classes; the code the source's class
does not also have (a method, a nested class, any other statement) is refused by line,
never dropped silently (``--force`` drops it on purpose), and a comment inside the class is
carried out, just above the region, naming its class. Marker text inside a string
is not a marker; a mirrored class under a block is refused, not duplicated; BOM, CR-only
and CRLF files keep their bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.harness import (
    SOURCE,
    TARGET_PATH,
    Case,
    generated_target,
    run_case,
    run_inprocess,
)

# SOURCE's class User ends at line 24; members appended to it start at line 25.
MEMBERS = {
    "method": ("\n    def is_passing(self):\n        return True\n", 26, 2),
    "async_method": ("    async def fetch(self):\n        return 1\n", 25, 2),
    "property": ("    @property\n    def label(self):\n        return self.name\n", 25, 3),
    "classmethod": ("    @classmethod\n    def make(cls):\n        return cls()\n", 25, 3),
    "staticmethod": ("    @staticmethod\n    def helper():\n        return 1\n", 25, 3),
    "nested_config": ("    class Config:\n        orm_mode = True\n", 25, 2),
    "comment_between_fields": None,  # built below
    "trailing_comment": None,
    "if_block": ("    if True:\n        extra = 1\n", 25, 2),
    "expression": ("    print('hello')\n", 25, 1),
    "for_loop": ("    for _i in range(2):\n        pass\n", 25, 2),
    "try_block": ("    try:\n        pass\n    except Exception:\n        pass\n", 25, 4),
    "with_block": ("    with open('x') as f:\n        pass\n", 25, 2),
    "import_in_class": ("    import os\n", 25, 1),
    "del_statement": ("    x = 1\n    del x\n", 26, 1),
    "match_block": ("    match 1:\n        case 1:\n            pass\n", 25, 3),
    "assert_statement": ("    assert True\n", 25, 1),
}


def _hand(extra: str) -> str:
    return SOURCE + extra


CASES: list[Case] = []
for _name, _spec in MEMBERS.items():
    if _spec is None:
        continue
    _extra, _line, _count = _spec
    _text = _hand(_extra)
    CASES.append(
        Case(
            f"adopt_refuses_{_name}",
            ("generate",),
            2,
            files={TARGET_PATH: _text},
            target="none",
            where=f"{TARGET_PATH}:{_line}",
            needle="hand-written code",
            after=lambda project, text=_text: _unchanged(project, text),
        )
    )
    CASES.append(
        Case(
            f"adopt_force_drops_{_name}",
            ("generate", "--force"),
            0,
            files={TARGET_PATH: _text},
            target="none",
        )
    )
_between = SOURCE.replace(
    '    __tablename__ = "users"\n', '    __tablename__ = "users"\n    # why\n'
)
_trailing = SOURCE.replace(
    "    level: Level = Level.junior", "    level: Level = Level.junior  # mine"
)
# A comment inside a class is carried out, just above the region; (target, the carried
# line, text that must be gone from the file).
for _name, _text, _line, _gone in [
    ("between_fields", _between, "# (from class User) why", "    # why"),
    ("trailing", _trailing, "# (from class User, level) mine", "  # mine"),
    (
        "on_class_line",
        SOURCE.replace("class Stamped(SQLModel):", "class Stamped(SQLModel):  # hi"),
        "# (from class Stamped) hi",
        "  # hi",
    ),
]:
    CASES.append(
        Case(
            f"adopt_carries_comment_{_name}",
            ("generate",),
            0,
            files={TARGET_PATH: _text},
            target="none",
            after=lambda project, line=_line, gone=_gone: _carried(project, line, gone),
        )
    )
CASES += [
    Case(
        # After the class's last statement the comment is outside its span: it stays.
        "adopt_keeps_comment_after_the_class",
        ("generate",),
        0,
        files={TARGET_PATH: _hand("    # the worker also reads this\n")},
        target="none",
        after=lambda project: _contains(project, "    # the worker also reads this\n"),
    ),
    Case(
        # Marker text in a comment inside a class is carried out as a comment that is
        # no marker: the file has one region, and the next run finds it up to date.
        "adopt_carries_marker_text_in_a_class",
        ("generate",),
        0,
        files={
            TARGET_PATH: SOURCE.replace(
                '    __tablename__ = "users"\n',
                '    __tablename__ = "users"\n    # --- modelsync: end generated; inputs=0 content=0 ---\n',
            )
        },
        target="none",
        after=lambda project: _carried(
            project,
            "# (from class User) --- modelsync: end generated; inputs=0 content=0 ---",
            "    # --- modelsync",
            again=True,
        ),
    ),
    Case(
        "adopt_keeps_what_the_source_has",
        ("generate",),
        0,
        files={TARGET_PATH: SOURCE},
        target="none",
    ),
    Case(
        "adopt_same_method_in_source",
        ("generate",),
        0,
        files={
            "backend-core/models.py": _hand("\n    def is_passing(self):\n        return True\n"),
            TARGET_PATH: _hand("\n    def is_passing(self):\n        return True\n"),
        },
        target="none",
        after=lambda project: _contains(
            project, "    def is_passing(self):\n        return True\n"
        ),
    ),
    Case(
        "adopt_decorated_class",
        ("generate",),
        2,
        files={TARGET_PATH: SOURCE.replace("class User(", "@dataclass_like\nclass User(")},
        target="none",
        where=f"{TARGET_PATH}:18",
        needle="decorators",
    ),
    Case(
        "region_edited_by_hand",
        ("generate",),
        1,
        files={
            TARGET_PATH: generated_target().replace(
                "    note: Optional[str] = None\n",
                "    note: Optional[str] = None\n    extra: int = 0\n",
            )
        },
        needle="edited by hand",
    ),
    Case(
        "region_comment_added",
        ("generate",),
        1,
        files={TARGET_PATH: generated_target().replace("class User(", "# mine\nclass User(")},
        needle="edited by hand",
    ),
    Case(
        "marker_text_in_docstring",
        ("generate",),
        0,
        files={
            TARGET_PATH: '"""See:\n# --- modelsync: begin generated from elsewhere\n"""\n'
            + generated_target()
        },
        needle="up to date",
    ),
    Case(
        "marker_text_in_string_only",
        ("generate",),
        0,
        files={
            TARGET_PATH: 'X = """\n# --- modelsync: end generated; inputs=0 content=0 ---\n"""\n'
            + SOURCE
        },
        target="none",
        after=lambda project: _contains(
            project, '# --- modelsync: end generated; inputs=0 content=0 ---\n"""'
        ),
    ),
    Case(
        "marker_text_in_f_string",
        ("check",),
        0,
        files={
            TARGET_PATH: 'Y = f"""{1}\n# --- modelsync: begin generated from x\n"""\n'
            + generated_target()
        },
    ),
    Case(
        "duplicate_real_markers",
        ("generate",),
        2,
        files={TARGET_PATH: generated_target() + "\n# --- modelsync: begin generated from x ---\n"},
        where=TARGET_PATH,
        line=True,
    ),
]
for _block, _wrap in {
    "if": "if True:\n{body}",
    "else": "if False:\n    pass\nelse:\n{body}",
    "for": "for _ in range(1):\n{body}",
    "while": "while True:\n{body}    break\n",
    "match": "match 1:\n    case 1:\n{body2}",
    "with": "with open(__file__):\n{body}",
    "try": "try:\n{body}except Exception:\n    pass\n",
    "except": "try:\n    pass\nexcept Exception:\n{body}",
}.items():
    _class = "class User(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
    _body = "".join("    " + line + "\n" for line in _class.splitlines())
    _body2 = "".join("        " + line + "\n" for line in _class.splitlines())
    for _marked in (True, False):
        _base = generated_target() if _marked else "from sqlmodel import Field, SQLModel\n"
        CASES.append(
            Case(
                f"class_under_{_block}_{'marked' if _marked else 'unmarked'}",
                ("generate",),
                2,
                files={TARGET_PATH: _base + "\n\n" + _wrap.format(body=_body, body2=_body2)},
                target="none",
                where=TARGET_PATH,
                line=True,
                # (with/try blocks bind their names, so the collision check speaks first)
                needle="defined in a block"
                if _block in ("if", "else", "for", "while", "match")
                else "is bound here",
            )
        )


def _unchanged(project: Path, text: str) -> None:
    assert (project / TARGET_PATH).read_text(encoding="utf-8") == text


def _carried(project: Path, line: str, gone: str, again: bool = False) -> None:
    """``line`` stands directly above the begin marker, and ``gone`` is nowhere."""
    text = (project / TARGET_PATH).read_text(encoding="utf-8")
    assert f"{line}\n# --- modelsync: begin generated" in text, text
    assert gone not in text, text
    if again:
        outcome = run_inprocess(project, ("generate", "--check"))
        assert (outcome.code, outcome.stdout) == (0, f"{TARGET_PATH}: up to date\n"), outcome


def _contains(project: Path, text: str) -> None:
    assert text in (project / TARGET_PATH).read_text(encoding="utf-8")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hand_written_code(tmp_path: Path, case: Case) -> None:
    run_case(tmp_path, case)


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("label", "encode"),
    [
        ("bom", lambda text: b"\xef\xbb\xbf" + text.encode()),
        ("cr_only", lambda text: text.replace("\n", "\r").encode()),
        ("crlf", lambda text: text.replace("\n", "\r\n").encode()),
        ("bom_crlf", lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()),
    ],
)
@pytest.mark.parametrize("start", ["adopt", "marked"])
def test_line_endings_and_bom_are_kept(tmp_path: Path, label: str, encode, start: str) -> None:
    text = SOURCE + "\n\ndef helper():\n    return 1\n" if start == "adopt" else generated_target()
    if start == "marked":  # a source change makes generate rewrite the region
        source_change = {"backend-core/models.py": SOURCE + "    age: int = 0\n"}
    else:
        source_change = {}
    case = Case(
        label, ("generate",), 0, files={TARGET_PATH: encode(text), **source_change}, target="none"
    )
    run_case(tmp_path, case)
    written = (tmp_path / "project" / TARGET_PATH).read_bytes()
    original = encode(text)
    assert written.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    body = written.removeprefix(b"\xef\xbb\xbf")
    if label in ("crlf", "bom_crlf"):
        assert body.count(b"\r\n") == body.count(b"\n") and b"\r\n" in body
    elif label == "cr_only":
        assert b"\n" not in body and b"\r" in body
    assert written != original  # the region was written
    again = run_inprocess(tmp_path / "project", ("check",))
    assert again.code == 0, again.stdout + again.stderr


_HELPER = "\n\ndef helper():\n    return 1\n"
_ENDINGS = {
    "lf": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "cr_only": lambda text: text.replace("\n", "\r"),
    "crlf_first_line_then_lf": lambda text: text.replace("\n", "\r\n", 1),
    "lf_then_crlf_last_line": lambda text: (
        text[: text.rstrip("\n").rfind("\n")]
        + text[text.rstrip("\n").rfind("\n") :].replace("\n", "\r\n")
    ),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("final", ["final_newline", "no_final_newline"])
@pytest.mark.parametrize("source_change", ["column", "column_with_import"])
@pytest.mark.parametrize("start", ["adopt", "marked"])
@pytest.mark.parametrize("ending", list(_ENDINGS))
def test_what_follows_the_region_keeps_its_bytes(
    tmp_path: Path, ending: str, start: str, source_change: str, final: str
) -> None:
    """Whatever the line endings (CR-only, CRLF, mixed) and whether the file ends with one,
    the lines after the region come out byte for byte, the last one's ending included,
    also when an import must be added (libcst drops a CR-only file's final ending)."""
    body = (SOURCE if start == "adopt" else generated_target()) + _HELPER
    text = _ENDINGS[ending](body)
    if final == "no_final_newline":
        text = text.rstrip("\r\n")
    column = "    day: datetime.date | None = None\n" if "import" in source_change else ""
    source = ("import datetime\n" if column else "") + SOURCE + "    age: int = 0\n" + column
    case = Case(
        ending,
        ("generate",),
        0,
        files={TARGET_PATH: text.encode(), "backend-core/models.py": source},
        target="none",
    )
    run_case(tmp_path, case)
    written = (tmp_path / "project" / TARGET_PATH).read_bytes()
    original = text.encode()
    assert written[written.index(b"def helper") :] == original[original.index(b"def helper") :]
    again = run_inprocess(tmp_path / "project", ("generate", "--check"))
    assert again.code == 0, again.stdout + again.stderr
