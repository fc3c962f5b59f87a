"""Aliases of every kind: ``import x.y as z``, ``from x import A as B``, and a module
imported by its dotted name."""

from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field

import shop.common.palette as pal
import shop.common.types
from shop.common import SkuMixin
from shop.common import SoftDeleteMixin as Deletable
from shop.common.types import Money


class Product(Deletable, SkuMixin, table=True):
    __tablename__ = "products"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: shop.common.types.Title
    price: Money
    color: pal.Color = Field(
        sa_column=sa.Column(sa.Enum(pal.Color, name="product_color"), nullable=False)
    )
