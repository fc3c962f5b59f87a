"""Type details: collations, timestamp precision, non-native UUIDs, reserved-word enum names, pydantic.Field."""
import enum
import uuid
from datetime import datetime
from typing import Optional

import pydantic
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel


class Order(str, enum.Enum):
    NEWEST = "newest"
    OLDEST = "oldest"


class User(str, enum.Enum):
    CANDIDATE = "candidate"


class Listing(SQLModel, table=True):
    __tablename__ = "listings"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(sa_type=sa.String(80, collation="C"))
    body: str = Field(sa_type=sa.Text(collation="C"))
    labels: list[str] = Field(sa_type=pg.ARRAY(sa.String(12, collation="C")))
    posted_at: datetime = Field(sa_type=pg.TIMESTAMP(True, 3))
    closes_at: Optional[datetime] = Field(default=None, sa_type=pg.TIME(False, 2))
    legacy_key: uuid.UUID = Field(sa_type=sa.Uuid(native_uuid=False))
    sort_order: Order = Order.NEWEST
    audience: User = User.CANDIDATE
    slug: str = pydantic.Field(max_length=40)
