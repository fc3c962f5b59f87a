"""modelsync: keep SQLModel table models, their mirror and their migrations in agreement."""

__version__ = "0.1.0"
