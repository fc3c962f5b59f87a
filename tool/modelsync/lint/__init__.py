"""``modelsync lint``: the database standard as rules, each finding at its file and line.

Everything here is static: models and engine modules are read with ``ast`` (the model
rules go through the schema IR, so their lines are the ones ``check`` prints), migrations
with pglast. Nothing of the user's is imported, nor SQLAlchemy, SQLModel, jinja2 or libcst.

Records are ``NamedTuple``s rather than frozen dataclasses: just as immutable, but a
dataclass compiles its generated methods when its module is imported, and on the lint path
that import cost was a measurable share of a run on a small project (bench/bench_lint.py).
"""
