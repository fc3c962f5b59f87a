"""Users: ``from .. import enums`` then ``enums.Role``; items only under TYPE_CHECKING."""

from typing import TYPE_CHECKING, Optional

from sqlmodel import Field, Relationship

from .. import enums
from ..core import config
from .audit import AuditedBase

if TYPE_CHECKING:
    from .item import Item


class User(AuditedBase, table=True):
    __tablename__ = "users"

    email: str = Field(max_length=config.EMAIL_MAX, unique=True, index=True)
    full_name: Optional[str] = Field(default=None, max_length=config.NAME_MAX)
    role: enums.Role = Field(default=enums.Role.MEMBER)

    items: list["Item"] = Relationship(back_populates="owner")
