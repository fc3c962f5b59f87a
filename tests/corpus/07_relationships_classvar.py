"""Relationship(), ClassVar and underscore attributes are not columns."""
from typing import ClassVar, List, Optional

from pydantic import PrivateAttr
from sqlmodel import Field, Relationship, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)

    MAX_RESUMES: ClassVar[int] = 5
    _cached_token: Optional[str] = PrivateAttr(default=None)
    _scratch: dict = {}

    resumes: List["Resume"] = Relationship(back_populates="owner", cascade_delete=True)
    interviews: list["Interview"] = Relationship(back_populates="candidate")


class Resume(SQLModel, table=True):
    __tablename__ = "resumes"

    id: Optional[int] = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    body: str

    owner: Optional[User] = Relationship(back_populates="resumes")
    kind: ClassVar[str] = "resume"


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    candidate_id: Optional[int] = Field(default=None, foreign_key="users.id")

    candidate: "User" = Relationship(back_populates="interviews")

    def label(self) -> str:
        return f"interview #{self.id}"
