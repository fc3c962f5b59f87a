"""A subclass re-declares inherited fields: new type, new max_length, index, nullability."""
from typing import Optional

from sqlmodel import Field, SQLModel


class QuestionBase(SQLModel):
    text: str
    category: str = Field(max_length=20)
    difficulty: int = 1
    hint: Optional[str] = None
    source: str = "generated"


class Question(QuestionBase, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str = Field(max_length=2000)
    category: str = Field(max_length=40, index=True)
    difficulty: Optional[int] = None
    hint: str = Field(default="", max_length=300)
    source: str = Field(default="generated", nullable=True)


class QuestionCreate(QuestionBase):
    category: str = Field(max_length=60)
