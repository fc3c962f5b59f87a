"""Find the templates: the user's ``templates_dir`` first, then the bundled ones.

Lookup reads plain files, so ``check`` can fingerprint the templates without importing
jinja2; rendering builds its environment from exactly the same texts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from modelsync.errors import ConfigError

TEMPLATE_NAMES = (
    "db.py.j2",
    "region.py.j2",
    "table.py.j2",
    "enum.py.j2",
    "base.py.j2",
    "definition.py.j2",
)

# The ``modelsync`` package folder (this module sits in its ``mirror`` subpackage).
_PACKAGE = Path(__file__).resolve().parent.parent


def bundled_templates_dir() -> Path:
    """Inside the wheel the templates sit in the package; in a source checkout (editable
    install) they are the repository's top-level ``templates/``."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent.parent / "templates"):
        if (candidate / "region.py.j2").is_file():
            return candidate
    raise ConfigError(f"modelsync's bundled templates are missing (looked in {_PACKAGE})")


def template_sources(user_dir: Path | None) -> tuple[tuple[str, str], ...]:
    """(name, text) of every template, each from the user's folder when it has one."""
    if user_dir is not None and not user_dir.is_dir():
        raise ConfigError("templates_dir is not a directory", str(user_dir))
    bundled = bundled_templates_dir()
    sources = []
    for name in TEMPLATE_NAMES:
        chosen = user_dir / name if user_dir and (user_dir / name).is_file() else bundled / name
        try:
            sources.append((name, chosen.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read template: {exc}", str(chosen)) from None
    return tuple(sources)


@lru_cache(maxsize=4)
def environment(sources: tuple[tuple[str, str], ...]):
    """One jinja2 environment per set of template texts."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.DictLoader(dict(sources)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
