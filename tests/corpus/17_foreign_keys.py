"""foreign_key with and without ondelete (CASCADE, SET NULL, RESTRICT), on int and str columns."""
from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    interviewer_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    company_id: str = Field(foreign_key="companies.id", ondelete="RESTRICT", max_length=20)
    referrer_id: Optional[int] = Field(default=None, foreign_key="users.id")
    previous_interview_id: Optional[int] = Field(
        default=None, foreign_key="interviews.id", ondelete="SET NULL", index=True
    )
