"""A live PostgreSQL database, read-only, against the models.

``run.open_url`` reads a database URL (with ``dburl``: the password never reaches a
message; a bare flag stands for ``DATABASE_URL``); ``connect`` opens one read-only
transaction with a statement and a connect timeout; ``inspect`` reads the catalog of one
schema, one query per kind of object, into the frozen records of ``catalog``; ``types`` and
``expressions`` say when PostgreSQL's spelling and the models' mean the same; ``names``
gives the names PostgreSQL cut to 63 bytes the models' spelling back; ``to_ir`` turns the
catalog into the Schema IR (in the models' spelling wherever the two agree, so
``drift.compare`` and ``migrate.plan`` serve unchanged), ``objects`` matches indexes and
constraints by definition; ``findings`` anchors each drift at the model's line with the
database as its second place; ``migration`` gives ``migration --from-database`` the database
as its old schema, with notes.
"""
