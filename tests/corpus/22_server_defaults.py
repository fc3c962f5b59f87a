"""server_default forms: text("now()"), a plain string, func.now(), sa.false(), text("0")."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Integer, String, func, text
from sqlmodel import Field, SQLModel


class Resume(SQLModel, table=True):
    __tablename__ = "resumes"

    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), server_default=text("now()"), nullable=False)
    )
    updated_at: Optional[datetime] = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
    )
    status: str = Field(sa_column=Column(String(20), server_default="draft", nullable=False))
    quoted_note: str = Field(sa_column=Column(String(40), server_default="it's new"))
    is_public: bool = Field(sa_column=Column(sa.Boolean, server_default=sa.false(), nullable=False))
    is_verified: bool = Field(sa_column=Column(sa.Boolean(), server_default=sa.true()))
    view_count: int = Field(sa_column=Column(Integer, server_default=text("0"), nullable=False))
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    synced_at: Optional[datetime] = Field(default=None, sa_column_kwargs={"server_default": sa.func.now()})
