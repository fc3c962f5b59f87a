"""Which primary key becomes SERIAL: SQLAlchemy's autoincrement rules through SQLModel."""
from typing import Optional

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, SmallInteger, text
from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True, max_length=20)


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"
    id: Optional[int] = Field(default=None, sa_column=Column(BigInteger, primary_key=True))


class InterviewStats(SQLModel, table=True):
    __tablename__ = "interview_stats"
    interview_id: int = Field(primary_key=True, foreign_key="interviews.id")
    answers: int = 0


class Counter(SQLModel, table=True):
    __tablename__ = "counters"
    id: int = Field(default=0, primary_key=True)


class ManualKey(SQLModel, table=True):
    __tablename__ = "manual_keys"
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class Sequenced(SQLModel, table=True):
    __tablename__ = "sequenced"
    id: int = Field(primary_key=True, sa_column_kwargs={"server_default": text("42")})


class Attempt(SQLModel, table=True):
    __tablename__ = "attempts"
    interview_id: int = Field(primary_key=True)
    number: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=True))


class Pair(SQLModel, table=True):
    __tablename__ = "pairs"
    left_id: int = Field(primary_key=True)
    right_id: int = Field(primary_key=True)


class Linked(SQLModel, table=True):
    __tablename__ = "linked"
    id: int = Field(sa_column=Column(Integer, ForeignKey("interviews.id"), primary_key=True, autoincrement="ignore_fk"))
