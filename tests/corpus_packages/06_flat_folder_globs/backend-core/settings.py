import os

EMBEDDING_DIM = 768
# Read at run time: not a constant modelsync can know, and no model uses it.
DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+psycopg://admin:1234@db:5432/interview_db")
