"""Hostile text from a model in every output format (issue 18): a table name with U+202E
and a column comment with ESC, BEL and C1 controls reach the findings of ``check``. In
``text`` and ``github`` they are spelled out as escapes (no byte a terminal, a log viewer or
a review page acts on, no forged line or workflow command); in ``json`` and ``sarif`` they
are JSON escapes, so the document is ASCII and gives back the exact text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelsync.findings.inert import inert
from tests.hardening.harness import SOURCE_PATH, TARGET_PATH, Case, run_case

TABLE = "users\u202egnp.exe\u2066"
COMMENTS = ("a\x1b[2J\x07b\x9b1m", "c\x1b]0;title\x07\u200f\u2028::error::forged\r\nd")
RAW = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if c not in (0x09, 0x0A)]
RAW += ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"]


def _models(comment: str, note_type: str) -> str:
    return (
        "from sqlmodel import Field, SQLModel\n\n"
        "class User(SQLModel, table=True):\n"
        f"    __tablename__ = {TABLE!r}\n"
        "    id: int = Field(primary_key=True)\n"
        f"    note: {note_type} = Field(sa_column_kwargs={{'comment': {comment!r}}})\n"
    )


def _check(tmp_path: Path, output_format: str) -> str:
    files = {SOURCE_PATH: _models(COMMENTS[0], "str"), TARGET_PATH: _models(COMMENTS[1], "int")}
    outcome = run_case(tmp_path, Case(output_format, ("check", "--format", output_format), 1,
                                      files=files, target="none"))  # fmt: skip
    return outcome.stdout + outcome.stderr


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_text_and_github_spell_hostile_characters_out(tmp_path: Path, output_format: str) -> None:
    output = _check(tmp_path, output_format)
    assert not [c for c in RAW if c in output], output
    lines = output.splitlines()
    if output_format == "github":
        assert len(lines) == 2 and all(line.startswith("::error file=") for line in lines)
    else:
        assert len(lines) == 3  # two findings and the headline: no forged line
    for hostile in (TABLE, *COMMENTS):
        assert inert(hostile) in output


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_json_and_sarif_escape_and_keep_the_exact_text(tmp_path: Path, output_format: str) -> None:
    output = _check(tmp_path, output_format)
    assert output.isascii(), "every non-ASCII or control character is a JSON escape"
    document = json.loads(output)
    if output_format == "json":
        messages = [f["message"] for f in document["findings"]]
        assert {f["table"] for f in document["findings"]} == {TABLE}
    else:
        messages = [r["message"]["text"] for r in document["runs"][0]["results"]]
    assert any(COMMENTS[0] in m and COMMENTS[1] in m for m in messages), messages
