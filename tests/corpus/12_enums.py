"""Enum columns: str mixin, IntEnum, plain Enum with an alias member; labels are member NAMES."""
import enum
from enum import Enum, IntEnum
from typing import Optional

from sqlmodel import Field, SQLModel


class InterviewStatus(str, Enum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Difficulty(IntEnum):
    EASY = 1
    MEDIUM = 2
    HARD = 3


class Channel(enum.Enum):
    VIDEO = 1
    VOICE = 2
    PHONE = 2  # alias of VOICE: not a separate label
    TEXT = 3


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    status: InterviewStatus = InterviewStatus.SCHEDULED
    channel: Optional[Channel] = None
    previous_status: Optional[InterviewStatus] = Field(default=None, index=True)


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    difficulty: Difficulty = Field(default=Difficulty.MEDIUM, nullable=True)
    status: InterviewStatus
