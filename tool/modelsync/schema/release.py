"""The DDL rules of a SQLModel release.

SQLModel changed what it creates over time. Which release's rules apply is chosen by
``pins`` (the flag, the config, the project's own pin, else the release installed beside
modelsync); ``rules_for`` gives a release's rules (with none given, the installed release's,
else the newest modelsync knows).
"""

from __future__ import annotations

import re
from functools import lru_cache

from modelsync.errors import ConfigError
from modelsync.records import record

# The newest release whose rules modelsync knows; used when none is installed.
LATEST_KNOWN = (0, 0, 50)


@record
class SqlmodelRules:
    version: tuple[int, ...]

    @property
    def honours_max_length(self) -> bool:
        """0.0.19 started compiling ``max_length`` into ``VARCHAR(n)``."""
        return self.version >= (0, 0, 19)

    @property
    def plain_datetime_is_aware(self) -> bool:
        """0.0.45 made plain ``datetime`` a ``TIMESTAMP WITH TIME ZONE``."""
        return self.version >= (0, 0, 45)

    @property
    def label(self) -> str:
        return ".".join(str(part) for part in self.version)


def parse_version(text: str) -> tuple[int, ...]:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)*)\S*\s*", text)
    if not match:
        raise ConfigError(f"sqlmodel_version {text!r} is not a version like '0.0.50'")
    return tuple(int(part) for part in match.group(1).split("."))


def rules_for(pinned: str | None) -> SqlmodelRules:
    if pinned:
        return SqlmodelRules(parse_version(pinned))
    installed = installed_sqlmodel_version()
    return SqlmodelRules(installed or LATEST_KNOWN)


@lru_cache(maxsize=1)  # asked for twice a run; the answer cannot change within one
def installed_sqlmodel_version() -> tuple[int, ...] | None:
    """The version of the SQLModel that ``import sqlmodel`` would load, without loading it.

    The import system finds the package on the real ``sys.path`` (``python -m modelsync``
    has dropped the current directory from it, so a project's own ``sqlmodel-0.0.1.dist-info``
    folder or ``sqlmodel.py`` cannot choose the rules), and the package's ``__version__``
    line is read from its ``__init__.py``. ``importlib.metadata`` gives the same answer but
    importing it costs the check path about 75 ms (email, zipfile, csv); it remains the
    fallback for a package whose ``__init__`` does not spell its version out.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("sqlmodel")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    version = _version_in(spec.origin) if spec.origin else None
    if version is None:
        version = _version_from_metadata()
    if version is None:
        return None
    match = re.match(r"(\d+(?:\.\d+)*)", version)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


_VERSION_LINE = re.compile(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)


def _version_in(origin: str) -> str | None:
    try:
        with open(origin, encoding="utf-8", errors="replace") as handle:
            head = handle.read(8192)
    except OSError:
        return None
    match = _VERSION_LINE.search(head)
    return match.group(1) if match else None


def _version_from_metadata() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("sqlmodel")
    except (metadata.PackageNotFoundError, OSError, ValueError):
        return None
