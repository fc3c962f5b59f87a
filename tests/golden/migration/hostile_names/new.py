"""After: hostile names in new columns, constraints, an index, enum labels, a comment and a table."""

from typing import Optional

from sqlalchemy import CheckConstraint, Column, Enum, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Account(SQLModel, table=True):
    __tablename__ = "acc'ounts\u202e%s"
    __table_args__ = (
        CheckConstraint("score >= 0\n    AND score <= 100", name="ck\nDROP TABLE victims;--"),
        UniqueConstraint("score", name='uq"\nscore'),
        Index("ix\nDROP TABLE victims;--", "note\\x"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    mood: Optional[str] = Field(default=None, sa_column=Column("mo\nod", Enum("ok", "bad", "so\nso", name="mo\nod_type")))
    tone: Optional[str] = Field(default=None, sa_column=Column("tone", Enum("a", "it's\nnew $$", "b", name="tone\u202e")))
    score: Optional[int] = None
    note: Optional[str] = Field(
        default=None,
        sa_column=Column("note\\x", Text, comment="first line\nDROP TABLE victims; -- 50%", server_default=text("'multi\n  line'")),
    )


class Child(SQLModel, table=True):
    __tablename__ = "chi'ld"

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: Optional[int] = Field(default=None, foreign_key="acc'ounts\u202e%s.id", index=True)
