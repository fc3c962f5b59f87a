from common.units import CURRENCY_LEN, MONEY_DIGITS  # noqa: F401
