from .base import HOT, LabelledEnum


class Priority(LabelledEnum):
    LOW = "low"
    HIGH = HOT
