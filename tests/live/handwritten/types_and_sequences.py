"""Hand-written DDL (types_and_sequences.sql) for these models: nothing to report but notes."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    REAL,
    BigInteger,
    Column,
    Computed,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    Interval,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True)
    name: str = Field(max_length=50, sa_column_kwargs={"comment": "shown to others"})
    age: Optional[int] = None
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    score: Optional[float] = Field(default=None, sa_column_kwargs={"server_default": text("0.5")})
    rating: Optional[float] = Field(default=None, sa_column=Column(REAL))
    balance: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False, server_default=text("0")))
    tags: Optional[list[str]] = Field(default=None, sa_column=Column(ARRAY(Text)))
    meta: dict = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()))
    updated_at: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=True), server_default=text("CURRENT_TIMESTAMP")))
    seen_at: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=False)))


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    id: Optional[int] = Field(default=None, sa_column=Column(Integer, Identity(), primary_key=True))
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    body: Optional[str] = Field(default=None, sa_column=Column(Text))


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    id: Optional[int] = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id")
    body: str = Field(sa_column=Column(Text, nullable=False))


class Tag(SQLModel, table=True):
    __tablename__ = "tags"
    id: Optional[int] = Field(default=None, primary_key=True)
    label: Optional[str] = Field(default=None, sa_column=Column(Text))


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    id: Optional[int] = Field(default=None, sa_column=Column(BigInteger, primary_key=True, server_default=text("nextval('shared_numbers')")))
    total: Optional[Decimal] = Field(default=None, sa_column=Column(Numeric))


class Item(SQLModel, table=True):
    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_search", "search", postgresql_using="gin"),
        Index("ix_items_name_fts", text("to_tsvector('english', name)"), postgresql_using="gin"),
    )
    id: Optional[int] = Field(default=None, sa_column=Column(Integer, Identity(always=True, start=1000, increment=1), primary_key=True))
    price: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    qty: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    total: Optional[Decimal] = Field(default=None, sa_column=Column(Numeric(12, 2), Computed("price * qty", persisted=True)))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    search: Optional[str] = Field(default=None, sa_column=Column(TSVECTOR, Computed("to_tsvector('english', coalesce(name, ''))", persisted=True)))
    name_lower: Optional[str] = Field(default=None, sa_column=Column(Text, Computed("lower(name)", persisted=False)))
    ttl: timedelta = Field(sa_column=Column(Interval, nullable=False, server_default="1 hour"))
    starts: Optional[date] = Field(default=None, sa_column=Column(Date, server_default="2020-1-1"))
