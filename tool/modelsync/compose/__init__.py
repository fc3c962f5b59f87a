"""The project's docker-compose file, read statically: what its PostgreSQL service mounts
into ``/docker-entrypoint-initdb.d``, the folder the postgres image runs on a fresh volume.

``read`` finds and parses the file (PyYAML's node API, so every value keeps its line),
``interpolate`` does Compose's ``${VAR}`` substitution from the ``.env`` beside it,
``services`` finds the PostgreSQL services and their mounts, ``initdir`` lists the files
the image's entrypoint will see. Nothing here connects, runs or imports the user's code.
"""
