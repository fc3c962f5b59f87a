from .product import *  # noqa: F403
from .product import Product as CatalogProduct  # noqa: F401
