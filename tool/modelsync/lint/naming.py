"""Names as the standard wants them (3.2): snake_case, plural table names.

Plurality is judged from English spelling, which is a heuristic: a name it misjudges can
be suppressed with ``# modelsync: ignore[table-name]`` on the class line.
"""

from __future__ import annotations

import re

SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Plurals that do not end in s, and words that are the same in both numbers.
_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "datum": "data",
    "criterion": "criteria",
    "medium": "media",
    "index": "indexes",
    "analysis": "analyses",
    "status": "statuses",
}
_PLURAL_WORDS = set(_IRREGULAR.values()) | {
    "data",
    "metadata",
    "news",
    "series",
    "species",
    "analytics",
    "settings",
    "info",
    "information",
    "equipment",
    "feedback",
    "staff",
}
# Endings that look plural but are singular words (status, address, analysis).
_SINGULAR_ENDINGS = ("ss", "us", "is")


def is_snake_case(name: str) -> bool:
    return SNAKE.fullmatch(name) is not None


def to_snake_case(name: str) -> str:
    """``EvaluationReport`` / ``evaluationReport`` / ``Evaluation-Report`` ->
    ``evaluation_report``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_") or name.lower()


def is_plural(name: str) -> bool:
    last = name.rsplit("_", 1)[-1]
    if last in _PLURAL_WORDS:
        return True
    if last in _IRREGULAR:
        return False
    return last.endswith("s") and not last.endswith(_SINGULAR_ENDINGS)


def plural_of(name: str) -> str:
    """The plural snake_case name: ``user`` -> ``users``, ``company`` -> ``companies``."""
    snake = to_snake_case(name)
    head, _, last = snake.rpartition("_")
    if is_plural(snake):
        return snake
    if last in _IRREGULAR:
        plural = _IRREGULAR[last]
    elif re.search(r"[^aeiou]y$", last):
        plural = last[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", last):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head}_{plural}" if head else plural
