"""The table models, re-exported by name (the FastAPI template's ``app.models``)."""

from .item import Item, ItemTag
from .user import User as User

__all__ = ["Item", "ItemTag", "User"]
