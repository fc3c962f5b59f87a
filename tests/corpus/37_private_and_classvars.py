"""Underscore-prefixed attributes, PrivateAttr, ClassVar, model_config, methods and properties: no columns."""
from typing import ClassVar, Optional

from pydantic import PrivateAttr
from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    DEFAULT_PLAN: ClassVar[str] = "free"
    SUPPORTED: ClassVar[tuple[str, ...]] = ("KAKAO", "NAVER", "LINE")

    id: str = Field(primary_key=True, max_length=20)
    name: str
    _logo_cache: Optional[bytes] = PrivateAttr(default=None)
    _dirty: bool = False
    __secret: int = 0

    @property
    def slug(self) -> str:
        return self.id.lower()

    def display(self) -> str:
        return f"{self.name} ({self.id})"


class Settings(SQLModel):
    _env: str = "prod"
    api_base: str = "https://example.invalid"
