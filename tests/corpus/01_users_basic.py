"""Basic table: explicit __tablename__, int autoincrement PK, str with/without max_length, bool, defaults."""
from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    name: str = Field(max_length=50)
    bio: str
    nickname: Optional[str] = None
    is_active: bool = True
    is_admin: bool = Field(default=False)
    login_count: int = 0
    rating: float = 0.0


class UserCreate(SQLModel):
    email: str = Field(max_length=255)
    name: str
    password: str


class UserRead(SQLModel):
    id: int
    email: str
    name: str
