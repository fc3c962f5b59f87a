"""Column("db_name", ...) renames the column; primary_key/unique/index/ForeignKey(ondelete) inside Column."""
from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, sa_column=Column("user_id", BigInteger, primary_key=True))
    email: str = Field(sa_column=Column("email_address", String(255), unique=True, nullable=False))


class Resume(SQLModel, table=True):
    __tablename__ = "resumes"

    id: Optional[int] = Field(default=None, sa_column=Column(Integer, primary_key=True))
    owner_id: int = Field(
        sa_column=Column("owner", BigInteger, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reviewer_id: Optional[int] = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("users.user_id", ondelete="SET NULL"))
    )
    uploaded_at: datetime = Field(sa_column=Column("uploaded", DateTime(timezone=True), nullable=False))
    file_name: str = Field(sa_column=Column("filename", String(200), index=True, unique=True))
