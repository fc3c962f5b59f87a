import enum
from enum import IntEnum, StrEnum


class JobStatus(StrEnum):
    QUEUED = enum.auto()
    RUNNING = enum.auto()


class Priority(IntEnum):
    LOW = 1
    HIGH = 2


class Channel(str, enum.Enum):
    EMAIL = "email"
    SMS = "sms"
