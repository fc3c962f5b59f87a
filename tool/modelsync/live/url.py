"""A database URL as the user gives it -> what libpq connects with, and what may be shown.

Accepted: ``postgresql://`` and ``postgres://`` URIs, SQLAlchemy's ``postgresql+DRIVER://``
spelling (the standard's ``postgresql+psycopg://``), and libpq's keyword form
(``host=... dbname=...``). A bare ``--database-url`` or the value ``env`` reads
``DATABASE_URL`` (the standard's 2.1).

The password never leaves this module in a message: ``redacted`` is rebuilt from the parsed
parts without it, and ``scrubbed`` takes it (in every spelling it may have been written in)
out of a driver's message. ``parse_database_url`` is the one entry point the rest uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from modelsync.errors import ConfigError
from modelsync.records import record

ENV_NAME = "DATABASE_URL"
# What stands for "read DATABASE_URL": the bare flag's value, or written out.
FROM_ENVIRONMENT = "env"
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9.+-]*)://")
_SCHEMES = ("postgresql", "postgres")
MASK = "***"


@record
class DatabaseUrl:
    """``conninfo`` is what libpq takes; ``redacted`` is how messages name the database
    (no password, no query); ``secrets`` are the texts no output may contain."""

    conninfo: str
    redacted: str
    secrets: tuple[str, ...] = ()

    def scrubbed(self, text: str) -> str:
        """``text`` with every secret masked (a driver may echo part of a connection string)."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


def given_url(value: str, environ: Mapping[str, str]) -> str:
    """The URL text a ``--database-url`` / ``--from-database`` value stands for."""
    if value != FROM_ENVIRONMENT:
        return value
    text = environ.get(ENV_NAME, "")
    if not text.strip():
        raise ConfigError(f"{ENV_NAME} is not set (a bare --database-url, or `env`, reads it)")
    return text


def parse_database_url(text: str) -> DatabaseUrl:
    """Read a database URL. A malformed one raises ``ConfigError`` naming no secret."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    text = text.strip()
    secrets = _secrets_of(text)
    match = _SCHEME.match(text)
    conninfo = text
    if match:
        scheme = match.group("scheme")
        base = scheme.split("+", 1)[0].lower()
        if base not in _SCHEMES:
            shown = scheme if len(scheme) <= 40 else scheme[:40] + "..."
            raise ConfigError(f"the database URL must be a postgresql:// URL, not {shown}://")
        conninfo = "postgresql://" + text[match.end() :]
    elif "=" not in text:
        raise ConfigError("the database URL is neither a postgresql:// URL nor key=value pairs")
    try:
        parts = conninfo_to_dict(conninfo)
    except ProgrammingError:
        # libpq's message may quote a fragment of the password: it is never shown.
        raise ConfigError(
            "the database URL is malformed (libpq cannot read it: check its quoting and "
            "that every query parameter is a libpq connection parameter)"
        ) from None
    password = parts.get("password")
    if password:
        secrets = (*secrets, str(password))
    # libpq's keyword form, built from the parts: the scheme and its driver are gone.
    conninfo = make_conninfo("", **{k: v for k, v in parts.items() if v is not None})
    return DatabaseUrl(conninfo, _redacted(parts), _spellings(secrets))


def _redacted(parts: Mapping[str, object]) -> str:
    """``postgresql://user@host:port/dbname``, built from the parts: nothing else of the
    URL (its query may carry a password) is repeated."""
    user = str(parts.get("user") or "")
    host = str(parts.get("host") or parts.get("hostaddr") or "")
    port = str(parts.get("port") or "")
    dbname = str(parts.get("dbname") or "")
    socket = host.startswith("/")
    # Every part percent-encoded: a name holding a newline must not make a second line
    # in a message or in a migration file's header comment.
    host, port = quote(host, safe="/:[],"), quote(port, safe=",")
    netloc = (quote(user, safe="") + "@" if user else "") + ("" if socket else host)
    if port and not socket:
        netloc += f":{port}"
    shown = f"postgresql://{netloc}/{quote(dbname, safe='')}"
    return shown + (f"?host={host}" if socket else "")


def _secrets_of(text: str) -> tuple[str, ...]:
    """Everything in the raw text that may be a password: the URI's userinfo after its
    first colon, and every ``password=`` value (query or keyword form), as written."""
    found: list[str] = []
    match = _SCHEME.match(text)
    if match:
        rest = text[match.end() :]
        authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
        userinfo = authority.rpartition("@")[0]
        if ":" in userinfo:
            found.append(userinfo.split(":", 1)[1])
    for value in re.findall(r"password\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s]+)", text, re.IGNORECASE):
        found.append(value)
        if value.startswith("'") and value.endswith("'") and len(value) > 1:
            found.append(value[1:-1])
    return tuple(found)


def _spellings(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret as written, percent-decoded and percent-encoded, and with libpq's
    keyword escapes undone (a message may show any of them)."""
    from urllib.parse import unquote

    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        plain = unquote(secret)
        forms = (
            secret,
            plain,
            quote(plain, safe=""),
            quote(plain, safe="!'()*~"),
            secret.replace("\\", ""),
            plain.replace("\\", "\\\\").replace("'", "\\'"),
        )
        found.update(form for form in forms if form)
    return tuple(sorted(found))
