"""The line each [tool.modelsync] key is written on, as config errors name it."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelsync.config import load_config
from modelsync.errors import ConfigError

CASES = [
    # (pyproject text, key expected in the error, its line)
    ('[tool.modelsync]\nsource = "a.py"\nvector_dim = "x"\n', 3),
    ('[project]\nname = "p"\n\n[tool.modelsync]\n"vector_dim" = "x"\n', 5),
    ("[tool.modelsync]\n  'vector_dim'   =  'x'\n", 2),
    ('[tool]\nmodelsync.vector_dim = "x"\n', 2),
    ('tool.modelsync.source = "a.py"\ntool.modelsync.vector_dim = "x"\n', 2),
    # A key of the same name in a later table is not the one meant.
    ('[tool.modelsync]\nsource = "a.py"\nvector_dim = "x"\n[other]\nvector_dim = 1\n', 3),
    ('[other]\nvector_dim = 1\n[tool.modelsync]\nvector_dim = "x"\n', 4),
]


@pytest.mark.parametrize(("text", "line"), CASES)
def test_a_bad_value_is_named_at_its_line(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path, {})
    assert "vector_dim" in error.value.message
    assert (error.value.path, error.value.line) == ("pyproject.toml", line)


def test_every_key_keeps_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.modelsync]\nsource = "a.py"\n\n"target" = "b.py"\nvector_dim = 384\n'
    )
    config = load_config(tmp_path, {})
    assert [(k, config.line_of(k)) for k in ("source", "target", "vector_dim")] == [
        ("source", 2),
        ("target", 4),
        ("vector_dim", 5),
    ]


def test_integers_past_pythons_digit_limit(tmp_path: Path) -> None:
    # tomllib reads 0x and 4,000 hex digits (repr() would refuse to print it); a decimal
    # integer past 4,300 digits makes tomllib itself raise. Neither may crash.
    hexadecimal = "[tool.other]\nbig = 0x" + "f" * 4000 + "\n[tool.modelsync]\nvector_dim = 384\n"
    (tmp_path / "pyproject.toml").write_text(hexadecimal)
    for _ in range(2):  # the second reading would come from the cache
        assert load_config(tmp_path, {}).vector_dim == 384
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nbig = " + "9" * 5000 + "\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path, {})
