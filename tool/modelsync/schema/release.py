"""The DDL rules of a SQLModel release.

SQLModel changed what it creates over time; modelsync follows the release installed
beside it unless ``sqlmodel_version`` in the config pins another one.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from modelsync.errors import ConfigError

# The newest release whose rules modelsync knows; used when none is installed.
LATEST_KNOWN = (0, 0, 50)


@dataclass(frozen=True, slots=True)
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


def installed_sqlmodel_version() -> tuple[int, ...] | None:
    """Read the version from the ``sqlmodel-X.dist-info`` folder name.

    Listing site-packages is much cheaper than ``importlib.metadata`` and than importing
    sqlmodel, and the check path must stay light.
    """
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            match = re.fullmatch(r"sqlmodel-(\d+(?:\.\d+)*)\.dist-info", name)
            if match:
                return tuple(int(part) for part in match.group(1).split("."))
    return None
