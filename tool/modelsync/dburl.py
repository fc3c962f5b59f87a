"""A PostgreSQL connection string as libpq reads it, and the same string fit to be shown.

``parse_database_url(text)`` takes what a user passes as ``--database-url`` or
``DATABASE_URL``: a URI (``postgresql://user:password@host:port/dbname?param=value``,
``postgres://``, or SQLAlchemy's ``postgresql+psycopg://``) or libpq's keyword/value form
(``host=h dbname=d password='x y'``). It reads it by libpq's own rules (``conninfo_parse``
and ``conninfo_uri_parse`` of libpq's fe-connect.c: several hosts, ``[IPv6]`` hosts,
percent-decoding, quoting and backslashes), in pure Python so that the light ``check`` path
can use it without psycopg. A malformed string is a one-line ``ConfigError`` that does not
repeat the string (it may hold a password).

The result gives psycopg a keyword/value ``conninfo`` and messages a ``redacted`` text: the
text as written, each secret in it replaced by ``***``. Secrets are the values of
``password``, ``sslpassword``, ``oauth_client_secret`` and the SCRAM keys (in the userinfo,
a query parameter or a keyword), and of any ``-c name=value`` setting in ``options`` whose
name looks like one (password, secret, token). Keywords are not checked against libpq's list
(it grows with each release): libpq refuses an unknown one when connecting. ``redact(text,
url)`` scrubs those values from any message (a driver's error may quote them) in every
spelling a message may use: as written (quoted or not, with or without its backslashes),
decoded, percent-encoded (strictly, or as JavaScript's ``encodeURIComponent`` leaves
``!'()*~``) and escaped as a keyword/value string escapes it (a backslash before each
backslash and quote, as ``conninfo`` writes it). A ``passfile`` is a path, not a secret,
and is shown.
"""

from __future__ import annotations

from urllib.parse import quote

from modelsync.errors import ConfigError
from modelsync.records import field, record

MASK = "***"
# libpq marks the first three as passwords; SCRAM keys log in as well as the password.
SECRET_KEYWORDS = frozenset(
    {"password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"}
)
# A setting in ``options`` whose name holds one of these is a secret too.
_SECRET_SETTING_WORDS = ("password", "passwd", "secret", "token")
_SCHEMES = ("postgresql", "postgres")
# C's isspace() in the C locale, which libpq uses between keyword/value pairs.
_SPACE = " \t\n\v\f\r"


@record
class DatabaseUrl:
    """A parsed connection string. ``params`` are libpq's keywords and values as libpq
    reads them (a later value of a keyword replaces the earlier one); ``redacted`` is
    how to show it."""

    params: tuple[tuple[str, str], ...] = field(repr=False)
    redacted: str
    # Every secret as it must never be shown: decoded, and as written when encoded.
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def get(self, keyword: str) -> str | None:
        return dict(self.params).get(keyword)

    @property
    def conninfo(self) -> str:
        """libpq's keyword/value form, each value quoted, for ``psycopg.connect``."""
        return " ".join(f"{key}={_quote(value)}" for key, value in self.params)

    def with_params(self, **values: str | None) -> DatabaseUrl:
        """The same connection with keywords replaced, added or (None) removed; it is
        shown in keyword/value form, with every secret masked."""
        merged = dict(self.params)
        for key, value in values.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        params = tuple(merged.items())
        secrets = _spellings((*self.secrets, *_secret_values(params)), ())
        return DatabaseUrl(params, _redacted_keywords(params), secrets)


def parse_database_url(text: str) -> DatabaseUrl:
    """Read a URI or a keyword/value string as libpq does; ConfigError when malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("the database URL is empty")
    if "\0" in text:
        raise ConfigError("the database URL contains a NUL character")
    scheme, sep, _ = text.partition("://")
    if sep and _is_uri_scheme(scheme):
        params, spans = _parse_uri(text, len(scheme) + 3)
    elif sep and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
        raise ConfigError(f"the database URL must be a postgresql:// URL, not {scheme[:40]}://...")
    else:
        params, spans = _parse_keywords(text)
    merged = dict(params)
    try:  # libpq keeps bytes; a value that ends up not UTF-8 cannot be sent by psycopg
        "".join(merged.values()).encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError("the database URL is malformed: a %-escape that is not UTF-8") from None
    secrets = _secret_values(tuple(merged.items()))
    written = tuple(text[start:end] for start, end in spans)
    redacted = _mask_spans(text, spans)
    return DatabaseUrl(tuple(merged.items()), redacted, _spellings(secrets, written))


def redact(text: str, url: DatabaseUrl) -> str:
    """``text`` with every secret of ``url`` replaced by ``***``, longest first (so that
    a secret holding another is masked whole)."""
    for secret in sorted(url.secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def _is_uri_scheme(scheme: str) -> bool:
    base, _, driver = scheme.partition("+")
    return base in _SCHEMES and (not driver or driver.replace("_", "").isalnum())


# ---------------------------------------------------------------- the URI form


def _parse_uri(text: str, start: int) -> tuple[list[tuple[str, str]], list[tuple[int, int]]]:
    """libpq's conninfo_uri_parse_options: ``[user[:password]@][hosts][/dbname][?params]``.
    Gives the keywords in order and the spans of the secrets as written."""
    params: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    p = start
    # libpq looks for '@' up to the first '/', not '?': "h?x=a@b" is userinfo "h?x=a".
    look = p
    while look < len(text) and text[look] not in "@/":
        look += 1
    if look < len(text) and text[look] == "@":
        colon = text.find(":", p, look)
        user_end = colon if colon != -1 else look
        if user_end > p:
            params.append(("user", _decode(text[p:user_end])))
        if colon != -1 and look > colon + 1:
            params.append(("password", _decode(text[colon + 1 : look])))
            spans.append((colon + 1, look))
        p = look + 1
    query = text.find("?", p)
    if "@" in text[p : len(text) if query == -1 else query]:
        # libpq takes the first '@' (or none before a '/') as the end of the user info, so
        # a password holding '/' or '@' unencoded becomes hosts, a port and a database
        # name, and its pieces would be shown in messages. Stricter than libpq: refused.
        raise ConfigError(
            "the database URL is malformed: an '@' after the host (a user or password "
            "holding '/' or '@' must be percent-encoded: %2F, %40)"
        )
    p = _parse_hosts(text, p, params)
    if p < len(text) and text[p] == "/":
        end = text.find("?", p + 1)
        end = len(text) if end == -1 else end
        if end > p + 1:
            params.append(("dbname", _decode(text[p + 1 : end])))
        p = end
    if p < len(text) and text[p] == "?":
        _parse_query(text, p + 1, params, spans)
    return params, spans


def _parse_hosts(text: str, p: int, params: list[tuple[str, str]]) -> int:
    hosts: list[str] = []
    ports: list[str] = []
    while True:
        if text.startswith("[", p):
            close = text.find("]", p + 1)
            if close == -1:
                raise ConfigError("the database URL is malformed: an IPv6 host has no closing ']'")
            if close == p + 1:
                raise ConfigError("the database URL is malformed: an IPv6 host is empty")
            host, p = text[p + 1 : close], close + 1
            if p < len(text) and text[p] not in ":/?,":
                raise ConfigError(
                    "the database URL is malformed: an IPv6 host's ']' must be followed "
                    "by ':', '/', '?' or ','"
                )
        else:
            end = p
            while end < len(text) and text[end] not in ":/?,":
                end += 1
            host, p = text[p:end], end
        hosts.append(host)
        port = ""
        if p < len(text) and text[p] == ":":
            end = p + 1
            while end < len(text) and text[end] not in "/?,":
                end += 1
            port, p = text[p + 1 : end], end
        ports.append(port)
        if p < len(text) and text[p] == ",":
            p += 1
            continue
        break
    host_text, port_text = ",".join(hosts), ",".join(ports)
    if host_text:
        params.append(("host", _decode(host_text)))
    if port_text:
        params.append(("port", _decode(port_text)))
    return p


def _parse_query(
    text: str, p: int, params: list[tuple[str, str]], spans: list[tuple[int, int]]
) -> None:
    """libpq's conninfo_uri_parse_params: ``key=value`` pairs joined by ``&``."""
    while p < len(text):
        end = text.find("&", p)
        end = len(text) if end == -1 else end
        pair = text[p:end]
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(
                "the database URL is malformed: a query parameter has no '=' "
                "between its name and its value"
            )
        if "=" in value:
            raise ConfigError("the database URL is malformed: a query parameter has a second '='")
        key, decoded = _decode(key), _decode(value)
        if key == "ssl" and decoded == "true":
            key, decoded = "sslmode", "require"
        params.append((key, decoded))
        value_start = p + len(pair) - len(value)
        if _is_secret(key, decoded):
            spans.append((value_start, end))
        elif key == "options":
            spans += _secret_option_spans(value, value_start)
        p = end + 1


def _decode(text: str) -> str:
    """libpq's conninfo_uri_decode (libpq 17): spaces around a part are dropped, a space
    inside it is an error; ``%XX`` escapes (no ``+`` for space); ``%00`` and a broken
    escape are errors."""
    stripped = text.strip(" ")
    if " " in stripped:
        raise ConfigError(
            "the database URL is malformed: a space inside a part of the URL (write %20)"
        )
    if "%" not in stripped:
        return stripped
    out = bytearray()
    try:
        raw = stripped.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError("the database URL is not valid UTF-8") from None
    i = 0
    while i < len(raw):
        if raw[i] != 0x25:  # '%'
            out.append(raw[i])
            i += 1
            continue
        digits = raw[i + 1 : i + 3]
        if len(digits) != 2 or not all(chr(d) in "0123456789abcdefABCDEF" for d in digits):
            raise ConfigError("the database URL is malformed: a broken %-escape")
        value = int(digits, 16)
        if value == 0:
            raise ConfigError("the database URL is malformed: %00 is not allowed")
        out.append(value)
        i += 3
    return out.decode("utf-8", "surrogateescape")  # checked once all values are known


# ---------------------------------------------------------------- the keyword/value form


def _parse_keywords(text: str) -> tuple[list[tuple[str, str]], list[tuple[int, int]]]:
    """libpq's conninfo_parse: ``keyword = value`` pairs separated by white space; a
    value is bare (a backslash escapes the next character) or in single quotes."""
    params: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    p = 0
    while p < len(text):
        if text[p] in _SPACE:
            p += 1
            continue
        start = p
        while p < len(text) and text[p] != "=" and text[p] not in _SPACE:
            p += 1
        keyword = text[start:p]
        if not _is_keyword(keyword):
            # No libpq keyword is anything but a word, and this one may be a whole URL (a
            # space before postgresql://) with its password: refused before libpq names it.
            raise ConfigError(
                "the database URL is malformed: neither a postgresql:// URL nor libpq's "
                "'keyword=value' form (a keyword is not a word; a URL starts with its scheme, "
                "no space before it)"
            )
        while p < len(text) and text[p] in _SPACE:
            p += 1
        if p >= len(text) or text[p] != "=":
            raise ConfigError(
                "the database URL is malformed: neither a postgresql:// URL nor libpq's "
                "'keyword=value' form (a word has no '=' after it)"
            )
        p += 1
        while p < len(text) and text[p] in _SPACE:
            p += 1
        value_start = p
        value, p = _keyword_value(text, p)
        params.append((keyword, value))
        if _is_secret(keyword, value):
            spans.append((value_start, p))
        elif keyword == "options" and _secret_option_values(value):
            spans.append((value_start, p))  # quoting makes exact spans not worth the risk
    return params, spans


def _is_keyword(word: str) -> bool:
    """A word as libpq's keywords are: ASCII letters, digits and ``_``."""
    return word != "" and all(c.isascii() and (c.isalnum() or c == "_") for c in word)


def _keyword_value(text: str, p: int) -> tuple[str, int]:
    out: list[str] = []
    if p < len(text) and text[p] == "'":
        p += 1
        while True:
            if p >= len(text):
                raise ConfigError(
                    "the database URL is malformed: a quoted value has no closing quote"
                )
            char = text[p]
            if char == "\\":
                if p + 1 < len(text):
                    out.append(text[p + 1])
                p += 2
                continue
            if char == "'":
                return "".join(out), p + 1
            out.append(char)
            p += 1
    while p < len(text) and text[p] not in _SPACE:
        if text[p] == "\\":
            if p + 1 < len(text):
                out.append(text[p + 1])
            p += 2
            continue
        out.append(text[p])
        p += 1
    return "".join(out), min(p, len(text))


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ---------------------------------------------------------------- secrets


def _is_secret(keyword: str, value: str) -> bool:
    return keyword in SECRET_KEYWORDS and value != ""


def _secret_values(params: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    found: list[str] = []
    for keyword, value in params:
        if _is_secret(keyword, value):
            found.append(value)
        elif keyword == "options":
            found += _secret_option_values(value)
    return tuple(found)


def _option_settings(value: str) -> list[tuple[str, str, int, int]]:
    """``-c name=value`` and ``--name=value`` settings of an ``options`` value, as the
    server splits it (white space; a backslash keeps the next character): (name,
    value, start and end of the value in ``value``)."""
    words: list[tuple[str, int, int]] = []
    p = 0
    while p < len(value):
        if value[p] in _SPACE:
            p += 1
            continue
        start = p
        while p < len(value) and value[p] not in _SPACE:
            p += 2 if value[p] == "\\" else 1
        words.append((value[start:p], start, p))
    settings = []
    for index, (word, start, end) in enumerate(words):
        if word == "-c" and index + 1 < len(words):
            word, start, end = words[index + 1]
        elif word.startswith(("--", "-c")):
            word, start = word[2:], start + 2
        else:
            continue
        name, sep, setting = word.partition("=")
        if sep:
            settings.append((name, setting, start + len(name) + 1, end))
    return settings


def _looks_secret(name: str) -> bool:
    return any(word in name.lower() for word in _SECRET_SETTING_WORDS)


def _secret_option_values(value: str) -> list[str]:
    return [setting for name, setting, _, _ in _option_settings(value) if _looks_secret(name)]


def _secret_option_spans(written: str, offset: int) -> list[tuple[int, int]]:
    """Spans of secret settings in a URI's ``options`` value as written (percent-encoded
    text is masked whole when it holds one: its offsets do not map)."""
    if "%" in written:
        return [(offset, offset + len(written))] if _secret_option_values(_decode(written)) else []
    return [
        (offset + start, offset + end)
        for name, _, start, end in _option_settings(written)
        if _looks_secret(name)
    ]


def _spellings(values: tuple[str, ...], written: tuple[str, ...]) -> tuple[str, ...]:
    """Every text a message may show a secret as: each value (decoded) as it is,
    percent-encoded both ways and keyword-escaped; each text as written, without its quotes
    and without its backslashes."""
    found: list[str] = []
    for value in values:
        found += (
            value,
            quote(value, safe=""),
            quote(value, safe="!'()*~"),
            _quote(value)[1:-1],
        )
    for text in written:
        inner = text[1:-1] if len(text) > 1 and text[0] == text[-1] == "'" else text
        found += (text, inner, inner.replace("\\", ""))
    return tuple(dict.fromkeys(form for form in found if form))


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out += [text[last:start], MASK]
        last = end
    out.append(text[last:])
    return "".join(out)


def _redacted_keywords(params: tuple[tuple[str, str], ...]) -> str:
    shown = []
    for keyword, value in params:
        if _is_secret(keyword, value) or (keyword == "options" and _secret_option_values(value)):
            shown.append(f"{keyword}={MASK}")
        else:
            shown.append(f"{keyword}={_quote(value)}")
    return " ".join(shown)
