"""The SQL that rewrites an enum type whose labels were dropped or reordered."""

from __future__ import annotations

from modelsync.migrate import ops as o
from modelsync.migrate.ddl import create_enum, name_text, quote
from modelsync.migrate.names import object_name, stored
from modelsync.migrate.sqltext import INDENT, dollar_quoted, indent, literal


def rewrite_enum(op: o.RewriteEnum, plain: bool, regtype: str):
    """Labels dropped or reordered: rename the type away, make it anew, convert every
    column that uses the old one (found in the catalog, defaults kept), drop the old one.
    Guarded: only where the type exists with other labels."""
    # The old type's name while both exist: NAME_old, NAME cut to leave room for "_old"
    # when it is long (PostgreSQL would cut NAME_old back to NAME).
    kept = object_name(op.new.name, None, "old")
    name, old_name = quote(op.new.name), quote(kept)
    comments = (
        f"PostgreSQL cannot drop or reorder enum labels: {op.new.name} is made anew and",
        "every column of the old type is converted to it.",
    )
    if any(label not in op.new.labels for label in op.old.labels):
        dropped = ", ".join(label for label in op.old.labels if label not in op.new.labels)
        comments += (f"TODO: rows holding {dropped} must be changed first, or this fails.",)
    create = create_enum(op.new)
    if plain:
        statements = [f"ALTER TYPE {name} RENAME TO {old_name}", create]
        for table, column, default in op.columns:
            alter = f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)}"
            if default:
                statements.append(f"{alter} DROP DEFAULT")
            statements.append(f"{alter} TYPE {name} USING {quote(column)}::text::{name}")
            if default:
                statements.append(f"{alter} SET DEFAULT {default}")
        statements.append(f"DROP TYPE {old_name}")
        return tuple(statements), comments
    labels = ", ".join(literal(label) for label in op.new.labels)
    # The names as the catalog prints them (pg_get_expr, ::regtype), always as literals:
    # EXECUTE's format() puts them in with %I, never into its format string.
    old_text = literal(name_text(kept))
    new_name, old_cast = literal(op.new.name), literal("::" + name_text(kept))
    new_cast = literal("::" + name_text(stored(op.new.name)))
    current = (
        "(SELECT array_agg(enumlabel::text ORDER BY enumsortorder) FROM pg_enum "
        f"WHERE enumtypid = {regtype})"
    )
    body = "\n".join(
        (
            "DECLARE",
            f"{INDENT}col record;",
            "BEGIN",
            f"{INDENT}IF {regtype} IS NOT NULL",
            f"{INDENT * 2}AND {current} IS DISTINCT FROM ARRAY[{labels}] THEN",
            f"{INDENT * 2}ALTER TYPE {name} RENAME TO {old_name};",
            indent(create + ";", 2),
            f"{INDENT * 2}FOR col IN",
            f"{INDENT * 3}SELECT a.attrelid::regclass AS tab, quote_ident(a.attname) AS name,",
            f"{INDENT * 3}{INDENT}pg_get_expr(d.adbin, d.adrelid) AS def",
            f"{INDENT * 3}FROM pg_attribute a LEFT JOIN pg_attrdef d",
            f"{INDENT * 3}{INDENT}ON d.adrelid = a.attrelid AND d.adnum = a.attnum",
            f"{INDENT * 3}WHERE a.atttypid = {old_text}::regtype",
            f"{INDENT * 3}{INDENT}AND a.attnum > 0 AND NOT a.attisdropped",
            # Tables only: an index on the column is rebuilt by the ALTER (under a new oid).
            f"{INDENT * 3}{INDENT}AND a.attrelid IN (SELECT oid FROM pg_class",
            f"{INDENT * 3}{INDENT * 2}WHERE relkind IN ('r', 'p'))",
            f"{INDENT * 2}LOOP",
            f"{INDENT * 3}IF col.def IS NOT NULL THEN",
            f"{INDENT * 4}EXECUTE format('ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT', "
            "col.tab, col.name);",
            f"{INDENT * 3}END IF;",
            f"{INDENT * 3}EXECUTE format('ALTER TABLE %s ALTER COLUMN %s TYPE %I "
            "USING %s::text::%I',",
            f"{INDENT * 4}col.tab, col.name, {new_name}, col.name, {new_name});",
            f"{INDENT * 3}IF col.def IS NOT NULL THEN",
            f"{INDENT * 4}EXECUTE format('ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s', "
            "col.tab, col.name,",
            f"{INDENT * 5}replace(col.def, {old_cast}, {new_cast}));",
            f"{INDENT * 3}END IF;",
            f"{INDENT * 2}END LOOP;",
            f"{INDENT * 2}DROP TYPE {old_name};",
            f"{INDENT}END IF;",
            "END",
        )
    )
    return ("DO " + dollar_quoted(body),), comments
