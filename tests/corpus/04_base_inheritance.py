"""Fields inherited from a non-table SQLModel base; API schemas (no table) share the base."""
from typing import Optional

from sqlmodel import Field, SQLModel


class ResumeBase(SQLModel):
    title: str = Field(max_length=200)
    content: str
    is_public: bool = False


class Resume(ResumeBase, table=True):
    __tablename__ = "resumes"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str


class ResumeCreate(ResumeBase):
    user_id: int


class ResumePublic(ResumeBase):
    id: int
    user_id: int


class ResumeUpdate(SQLModel):
    title: Optional[str] = None
    content: Optional[str] = None
