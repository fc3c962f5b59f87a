"""``modelsync lint``: the database standard as rules, each finding at its file and line.

Everything here is static: models and engine modules are read with ``ast`` (the model
rules go through the schema IR, so their lines are the ones ``check`` prints), migrations
with pglast, the compose file through ``compose``. Nothing of the user's is imported, nor
SQLAlchemy, SQLModel, jinja2 or libcst.
"""
