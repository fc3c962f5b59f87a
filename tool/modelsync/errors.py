"""One exception hierarchy; every error knows where in which file it happened."""

from __future__ import annotations


class ModelsyncError(Exception):
    """Bad input that stops a command: formats as ``path:line: message``."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class InputError(ModelsyncError):
    """A file is missing, unreadable, not UTF-8, empty or not valid Python."""


class ModelError(ModelsyncError):
    """The models themselves are invalid: SQLModel/SQLAlchemy would refuse them too."""


class UnsupportedConstruct(ModelsyncError):
    """A construct that cannot be resolved statically and cannot be skipped safely."""


class ConfigError(ModelsyncError):
    """``[tool.modelsync]`` or a flag holds a value modelsync cannot use."""


class DatabaseError(ModelsyncError):
    """A live database cannot be reached or its catalog cannot be read."""
