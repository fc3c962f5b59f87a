"""Before: names, labels and comments that hold line breaks, quotes, a bidi override and SQL."""

from typing import Optional

from sqlalchemy import Column, Enum, Text
from sqlmodel import Field, SQLModel


class Account(SQLModel, table=True):
    __tablename__ = "acc'ounts\u202e%s"

    id: Optional[int] = Field(default=None, primary_key=True)
    mood: Optional[str] = Field(default=None, sa_column=Column("mo\nod", Enum("ok", "so\nso", "bad", name="mo\nod_type")))
    tone: Optional[str] = Field(default=None, sa_column=Column("tone", Enum("a", "b", name="tone\u202e")))
    score: Optional[int] = None
    legacy: Optional[str] = Field(default=None, sa_column=Column("leg\nacy;--", Text))
