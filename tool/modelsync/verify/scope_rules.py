"""What acts beyond a database, as ``scope`` recognises it: statement kinds, objects every
database of a server shares, functions, languages and extensions, each with the reason given
in the finding. PostgreSQL 18's names; docs/security.md lists them for users."""

from __future__ import annotations

DATABASE = "acts on databases, and verify's own are made and dropped by verify alone"
ROLE = "changes roles, which every database of the server shares"
TABLESPACE = "changes tablespaces, which every database of the server shares"
SERVER = "acts on the whole server"
REPLICATION = "streams data to or from other servers"
FOREIGN = "reaches other servers over the network"
SESSION = "switches the session to another role"
FILES = "reads or writes the server's files or runs programs there"
SIGNALS = "signals other sessions or the server"
SHARED = "touches a catalog that every database of the server shares"
CODE = "runs code verify cannot read"
OUTLIVES = "leaves a transaction behind the session, which blocks dropping the database"
UNREADABLE = "cannot be read before it runs"
SETTINGS = (
    "changes settings by name at run time, as set_config() does, how the server reads SQL "
    "text among them"
)
READING = (
    "changes how the server reads SQL text (a backslash then ends no string), so verify "
    "would read other statements than the server runs"
)

STATEMENTS: dict[str, tuple[str, str]] = {
    "CreatedbStmt": ("CREATE DATABASE", DATABASE),
    "DropdbStmt": ("DROP DATABASE", DATABASE),
    "AlterDatabaseStmt": ("ALTER DATABASE", DATABASE),
    "AlterDatabaseSetStmt": ("ALTER DATABASE ... SET", DATABASE),
    "AlterDatabaseRefreshCollStmt": ("ALTER DATABASE ... REFRESH COLLATION VERSION", DATABASE),
    "CreateRoleStmt": ("CREATE ROLE", ROLE),
    "AlterRoleStmt": ("ALTER ROLE", ROLE),
    "AlterRoleSetStmt": ("ALTER ROLE ... SET", ROLE),
    "DropRoleStmt": ("DROP ROLE", ROLE),
    "GrantRoleStmt": ("GRANT or REVOKE of a role", ROLE),
    "ReassignOwnedStmt": ("REASSIGN OWNED", ROLE),
    "DropOwnedStmt": ("DROP OWNED", ROLE),
    "CreateTableSpaceStmt": ("CREATE TABLESPACE", TABLESPACE),
    "DropTableSpaceStmt": ("DROP TABLESPACE", TABLESPACE),
    "AlterTableSpaceOptionsStmt": ("ALTER TABLESPACE", TABLESPACE),
    "AlterTableMoveAllStmt": ("ALTER ... ALL IN TABLESPACE", TABLESPACE),
    "AlterSystemStmt": ("ALTER SYSTEM", SERVER),
    "LoadStmt": ("LOAD", SERVER),
    "CheckPointStmt": ("CHECKPOINT", SERVER),
    "CreateSubscriptionStmt": ("CREATE SUBSCRIPTION", REPLICATION),
    "AlterSubscriptionStmt": ("ALTER SUBSCRIPTION", REPLICATION),
    "DropSubscriptionStmt": ("DROP SUBSCRIPTION", REPLICATION),
    "CreatePublicationStmt": ("CREATE PUBLICATION", REPLICATION),
    "AlterPublicationStmt": ("ALTER PUBLICATION", REPLICATION),
    "CreateFdwStmt": ("CREATE FOREIGN DATA WRAPPER", FOREIGN),
    "AlterFdwStmt": ("ALTER FOREIGN DATA WRAPPER", FOREIGN),
    "CreateForeignServerStmt": ("CREATE SERVER", FOREIGN),
    "AlterForeignServerStmt": ("ALTER SERVER", FOREIGN),
    "CreateUserMappingStmt": ("CREATE USER MAPPING", FOREIGN),
    "AlterUserMappingStmt": ("ALTER USER MAPPING", FOREIGN),
    "DropUserMappingStmt": ("DROP USER MAPPING", FOREIGN),
    "ImportForeignSchemaStmt": ("IMPORT FOREIGN SCHEMA", FOREIGN),
    "CreateForeignTableStmt": ("CREATE FOREIGN TABLE", FOREIGN),
    "CreatePLangStmt": ("CREATE LANGUAGE", CODE),
}
# Objects that belong to the whole server, by pglast's ObjectType name, in the statements
# that take any kind of object (COMMENT ON, GRANT ON, ALTER ... OWNER TO, RENAME, DROP).
SHARED_OBJECTS = {
    "OBJECT_DATABASE": ("database", DATABASE),
    "OBJECT_ROLE": ("role", ROLE),
    "OBJECT_TABLESPACE": ("tablespace", TABLESPACE),
    "OBJECT_SUBSCRIPTION": ("subscription", REPLICATION),
    "OBJECT_PUBLICATION": ("publication", REPLICATION),
    "OBJECT_PARAMETER_ACL": ("server parameter", SERVER),
}
OBJECT_FIELD = {
    "CommentStmt": ("objtype", "COMMENT ON"),
    "SecLabelStmt": ("objtype", "SECURITY LABEL ON"),
    "GrantStmt": ("objtype", "GRANT or REVOKE ON"),
    "AlterOwnerStmt": ("objectType", "ALTER ... OWNER TO of a"),
    "RenameStmt": ("renameType", "ALTER ... RENAME of a"),
    "DropStmt": ("removeType", "DROP"),
}
# The catalogs PostgreSQL 18 shares between databases (pg_class.relisshared).
SHARED_CATALOGS = frozenset(
    {
        "pg_authid",
        "pg_auth_members",
        "pg_database",
        "pg_db_role_setting",
        "pg_tablespace",
        "pg_shdepend",
        "pg_shdescription",
        "pg_shseclabel",
        "pg_replication_origin",
        "pg_subscription",
        "pg_parameter_acl",
    }
)
# Relations of pg_catalog that read what every database shares or the server's files.
RELATIONS: dict[str, str] = {
    **dict.fromkeys(SHARED_CATALOGS, SHARED),
    "pg_shadow": SHARED,
    **dict.fromkeys(
        ("pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings", "pg_config"), FILES
    ),
    "pg_replication_origin_status": REPLICATION,
}
# Functions that act beyond the database, by name.
FUNCTIONS: dict[str, str] = {
    **dict.fromkeys(
        (
            "pg_terminate_backend",
            "pg_cancel_backend",
            "pg_reload_conf",
            "pg_rotate_logfile",
            "pg_promote",
            "pg_log_backend_memory_contexts",
            "pg_create_restore_point",
            "pg_switch_wal",
            "pg_backup_start",
            "pg_backup_stop",
            "pg_wal_replay_pause",
            "pg_wal_replay_resume",
            "pg_stat_reset_shared",
            "pg_stat_reset_slru",
            "pg_stat_reset_replication_slot",
            "pg_stat_reset_subscription_stats",
            "pg_stat_statements_reset",
            "pg_stat_reset_backend_stats",
            "pg_log_standby_snapshot",
        ),
        SIGNALS,
    ),
    **dict.fromkeys(
        (
            "pg_read_file",
            "pg_read_binary_file",
            "pg_stat_file",
            "pg_ls_dir",
            "pg_ls_logdir",
            "pg_ls_waldir",
            "pg_ls_tmpdir",
            "pg_ls_archive_statusdir",
            "pg_ls_logicalsnapdir",
            "pg_ls_logicalmapdir",
            "pg_ls_replslotdir",
            "pg_ls_summariesdir",
            "lo_import",
            "lo_export",
            "pg_file_write",
            "pg_file_rename",
            "pg_file_unlink",
            "pg_file_sync",
            "pg_logdir_ls",
            "pg_current_logfile",
            "pg_hba_file_rules",
            "pg_ident_file_mappings",
            "pg_show_all_file_settings",
            "pg_config",
        ),
        FILES,
    ),
    **dict.fromkeys(
        (
            "pg_create_physical_replication_slot",
            "pg_create_logical_replication_slot",
            "pg_copy_physical_replication_slot",
            "pg_copy_logical_replication_slot",
            "pg_drop_replication_slot",
            "pg_replication_slot_advance",
            "pg_sync_replication_slots",
            "pg_logical_slot_get_changes",
            "pg_logical_slot_peek_changes",
            "pg_logical_slot_get_binary_changes",
            "pg_logical_slot_peek_binary_changes",
            "pg_logical_emit_message",
            "pg_replication_origin_create",
            "pg_replication_origin_drop",
            "pg_replication_origin_advance",
            "pg_replication_origin_session_setup",
            "pg_replication_origin_session_reset",
            "pg_replication_origin_xact_setup",
            "pg_replication_origin_xact_reset",
        ),
        REPLICATION,
    ),
    # contrib functions that paste their text arguments into SQL they run (tablefunc's
    # connectby, xml2's xpath_table, spi/refint's triggers): no string to read.
    **dict.fromkeys(
        ("connectby", "xpath_table", "check_primary_key", "check_foreign_key"),
        "builds SQL from its arguments at run time, which verify cannot read",
    ),
}
# Functions that run SQL strings they are given, by name: by how many arguments a call
# has, the positions (from 0) and parameter names of those strings. Each string is read
# as the SQL of an EXECUTE is; any other use of the name (an operator's or a cast's
# function) is refused, since its strings are then not in sight. core: xml.c, tsvector_op.c,
# tsquery_rewrite.c; contrib: tablefunc.
_QUERY = ((0, "query"),)
SQL_ARGUMENTS: dict[str, dict[int, tuple[tuple[int, str | None], ...]]] = {
    "query_to_xml": {4: _QUERY},
    "query_to_xmlschema": {4: _QUERY},
    "query_to_xml_and_xmlschema": {4: _QUERY},
    "ts_stat": {1: _QUERY, 2: _QUERY},
    "ts_rewrite": {2: ((1, None),), 3: ()},  # (query, target, substitute): no SQL
    "crosstab": {1: ((0, None),), 2: ((0, None), (1, None))},
    "crosstab2": {1: ((0, None),)},
    "crosstab3": {1: ((0, None),)},
    "crosstab4": {1: ((0, None),)},
}
# Views whose UPDATE is set_config() (a rule of PostgreSQL's system_views.sql).
SETTINGS_VIEWS = frozenset({"pg_settings"})
# Settings that change how the server reads SQL text, and the values (as PostgreSQL's
# parse_bool reads them) that keep the reading pglast has; RESET goes back to the value
# the session started with, which verify's sessions set (apply.PINNED).
READING_SETTINGS = {"standard_conforming_strings": frozenset({"on", "true", "yes", "1"})}
# Function names by prefix: every dblink function reaches another server.
FUNCTION_PREFIXES = {"dblink": FOREIGN}
# Settings that switch the session's role.
ROLE_SETTINGS = frozenset({"role", "session_authorization"})
LANGUAGES = frozenset({"sql", "plpgsql"})
# Extensions whose functions reach other servers, the server's files or programs, or
# other databases (pg_cron runs jobs in any of them), and untrusted languages.
EXTENSIONS = frozenset(
    {
        "dblink",
        "postgres_fdw",
        "file_fdw",
        "adminpack",
        "pg_cron",
        "plpython3u",
        "plpythonu",
        "plpython2u",
        "plperlu",
        "pltclu",
    }
)

PREPARED = {
    "TRANS_STMT_PREPARE": "PREPARE TRANSACTION",
    "TRANS_STMT_COMMIT_PREPARED": "COMMIT PREPARED",
    "TRANS_STMT_ROLLBACK_PREPARED": "ROLLBACK PREPARED",
}
