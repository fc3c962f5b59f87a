import enum


class Stage(str, enum.Enum):
    NEW = "new"
    WON = "won"
    LOST = "lost"
