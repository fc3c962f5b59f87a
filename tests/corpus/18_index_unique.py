"""index=True, unique=True and both: ix_<table>_<column> names, unique indexes, column unique flags."""
from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True, index=True)
    email: str = Field(unique=True)
    username: str = Field(index=True, unique=True, max_length=30)
    display_name: str = Field(index=True)
    phone: Optional[str] = Field(default=None, unique=True, index=False)
    external_ref: Optional[str] = Field(default=None, index=True, unique=False)


class ApiKey(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
