"""Constants that the models of several modules share."""

BASE_DIM = 192
# Computed from another constant of this module.
EMBEDDING_DIM = BASE_DIM * 2
NAME_MAX = 120
EMAIL_MAX = NAME_MAX + 135
