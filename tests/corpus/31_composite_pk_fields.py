"""Composite primary key from two primary_key=True fields; link table used by Relationship(link_model=...)."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class InterviewTag(SQLModel, table=True):
    __tablename__ = "interview_tags"

    interview_id: Optional[int] = Field(
        default=None, foreign_key="interviews.id", primary_key=True, ondelete="CASCADE"
    )
    tag_id: Optional[int] = Field(default=None, foreign_key="tags.id", primary_key=True)
    tagged_at: Optional[datetime] = None


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    tags: list["Tag"] = Relationship(back_populates="interviews", link_model=InterviewTag)


class Tag(SQLModel, table=True):
    __tablename__ = "tags"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=40)
    interviews: list[Interview] = Relationship(back_populates="tags", link_model=InterviewTag)


class QuestionTranslation(SQLModel, table=True):
    __tablename__ = "question_translations"

    language: str = Field(primary_key=True, max_length=8)
    question_id: int = Field(primary_key=True, foreign_key="questions.id")
    text: str


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
