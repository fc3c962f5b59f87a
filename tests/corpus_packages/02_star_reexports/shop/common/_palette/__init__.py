from .colors import *  # noqa: F403
