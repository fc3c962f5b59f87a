import enum

__all__ = ["Color"]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Finish(enum.Enum):  # not exported: __all__ names Color only
    MATTE = "matte"
