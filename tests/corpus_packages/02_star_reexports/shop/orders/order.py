"""Star imports of the package: names from the mixins (no __all__) and the types (with)."""

from typing import Optional

from sqlmodel import Field

from shop.common import *  # noqa: F403


class Order(TimestampMixin, table=True):  # noqa: F405
    __tablename__ = "orders"

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: Sku  # noqa: F405
    note: Title = ""  # noqa: F405
    product_id: int = Field(foreign_key="products.id", ondelete="RESTRICT")
    code_width: int = Field(default=CODE_LEN)  # noqa: F405
