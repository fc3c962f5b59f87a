"""Nullability from annotations: Optional/Union/| None in every spelling, `x: int = None`, explicit nullable."""
import typing
from typing import Optional, Union

from sqlmodel import Field, SQLModel


class CandidateProfile(SQLModel, table=True):
    __tablename__ = "candidate_profiles"

    id: Optional[int] = Field(default=None, primary_key=True)
    headline: Optional[str] = None
    github_url: str | None = None
    blog_url: None | str = None
    years: Union[int, None] = None
    salary: Union[None, int] = None
    location: typing.Optional[str] = None
    region: typing.Union[str, None] = Field(default=None, max_length=30)
    # No default, but Optional: still NULL.
    referral_code: Optional[str]
    # Default None on a non-Optional annotation: SQLModel keeps NOT NULL.
    age: int = None
    nickname: str = Field(default=None, max_length=40)
    # Explicit nullable wins over the annotation in both directions.
    phone: Optional[str] = Field(default=None, nullable=False)
    memo: str = Field(default="", nullable=True)
    score: float = Field(nullable=True)
