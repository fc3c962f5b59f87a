"""A live PostgreSQL database, read-only, against the models.

``url`` reads a database URL (the password never reaches a message); ``connect`` opens one
read-only transaction with a statement and a connect timeout; ``inspect`` reads the catalog
of one schema, one query per kind of object, into the frozen records of ``catalog``;
``types`` and ``expressions`` say when PostgreSQL's spelling and the models' mean the same;
``to_ir`` turns the catalog into the Schema IR (in the models' spelling wherever the two
agree, so ``drift.compare`` and ``migrate.plan`` serve unchanged), ``objects`` matches
indexes and constraints by definition; ``findings`` anchors each drift at the model's line
with the database as its second place.
"""
