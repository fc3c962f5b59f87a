import enum

HOT = "hot"


class LabelledEnum(str, enum.Enum):
    """An enum base without members, subclassed in another module."""

    def label(self) -> str:
        return self.value.title()
