"""After: a column added with a comment (ADD COLUMN cannot carry it: COMMENT ON follows)."""

from typing import Optional

from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255)
    bio: Optional[str] = Field(default=None, sa_column_kwargs={"comment": "shown on the profile"})
