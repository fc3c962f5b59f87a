"""Hardening, the property over ``generate`` (issue 10): random hand-written statements,
comments and class members spliced into a valid ``db.py``. After ``generate`` every
hand-written line is still there byte for byte (a comment from inside a replaced class:
carried above the region, naming the class), or the command refused with exit 1 or 2 and
left the file untouched.

Two starting points: a target ``generate`` wrote (a marked region), and a hand mirror
being adopted (its mirrored classes are replaced). The mirror's own members, fields and
``__tablename__``, are not hand-written code in this sense: replacing them is the fix for
drift, so the inserted members are methods, nested classes, comments and statements.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.harness import (
    SOURCE,
    TARGET_PATH,
    Case,
    build,
    generated_target,
    run_inprocess,
)

_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name not in {"if", "in", "is", "or", "and", "not", "for", "def", "del", "try",
                              "as", "with", "else", "elif", "from", "pass", "class", "while",
                              "return", "lambda", "yield", "import", "global", "assert",
                              "break", "raise", "async", "await", "except", "finally",
                              "continue", "nonlocal", "match", "case"}
)  # fmt: skip
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30
)


@st.composite
def snippet(draw) -> list[str]:
    """Lines of hand-written code at some indentation (0 or 4 spaces)."""
    name = draw(_NAMES)
    indent = draw(st.sampled_from(["", "    "]))
    kind = draw(st.sampled_from(["comment", "assign", "def", "class", "call", "docstring_marker"]))
    if kind == "comment":
        lines = [f"# {draw(_TEXT)}".rstrip()]
    elif kind == "assign":
        lines = [f"{name}_v = {draw(st.integers(-1000, 1000))}"]
    elif kind == "def":
        lines = [f"def {name}_f(self=None):", f"    return {draw(st.integers(0, 9))}"]
    elif kind == "class":
        lines = [f"class {name.capitalize()}X:", "    orm_mode = True"]
    elif kind == "call":
        lines = [f"print({draw(_TEXT)!r})"]
    else:
        lines = ['"""', "# --- modelsync: begin generated from elsewhere", '"""']
    return [indent + line for line in lines]


@st.composite
def spliced(draw, base: str) -> tuple[str, list[str]]:
    """``base`` with 1-3 snippets inserted at random line boundaries."""
    lines = base.splitlines(keepends=True)
    inserted: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines)))
        block = draw(snippet())
        lines[at:at] = [line + "\n" for line in block]
        inserted.extend(block)
    return "".join(lines), inserted


def _check(text: str, inserted: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = build(Path(folder), Case("property", ("generate",), 0, target="none"))
        target = project / TARGET_PATH
        target.write_text(text, encoding="utf-8")
        outcome = run_inprocess(project, ("generate",))
        after = target.read_text(encoding="utf-8")
        assert outcome.exception is None, outcome.exception
        assert "internal error" not in outcome.stderr
        if outcome.code in (1, 2):
            assert after == text, "a refusal changed the file"
            return
        assert outcome.code == 0, outcome.stdout + outcome.stderr
        kept = after.splitlines()
        for line in inserted:
            assert _kept(line, kept), f"hand-written line lost: {line!r}\n{outcome.stdout}"


def _kept(line: str, kept: list[str]) -> bool:
    """The line as it was, or (a comment adoption carried out of a class) as
    ``# (from class Name[, attribute]) text`` directly above the region or another one."""
    if line in kept:
        return True
    comment = line.strip()
    if not comment.startswith("#"):
        return False
    body = comment[1:].removeprefix(" ")
    ending = f") {body}" if body else ")"
    for number, candidate in enumerate(kept):
        if candidate.startswith("# (from class ") and candidate.endswith(ending):
            below = kept[number + 1 :]
            following = next(k for k in below if not k.startswith("# (from class "))
            return following.startswith("# --- modelsync: begin generated")
    return False


_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@pytest.mark.timeout(120)
@_SETTINGS
@given(st.data())
def test_generated_target_keeps_or_refuses(data) -> None:
    text, inserted = data.draw(spliced(generated_target()))
    _check(text, inserted)


@pytest.mark.timeout(120)
@_SETTINGS
@given(st.data())
def test_adopted_target_keeps_or_refuses(data) -> None:
    text, inserted = data.draw(spliced(SOURCE))
    _check(text, inserted)
