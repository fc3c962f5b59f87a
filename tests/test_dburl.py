"""``modelsync.dburl``: connection strings read as libpq reads them, shown without secrets.

libpq itself is the oracle: psycopg's ``conninfo_to_dict`` calls ``PQconninfoParse``, and
every string here (hand-picked and generated) must give the same keywords and values, or
be refused by both. Then the secrets: no form libpq accepts may show its password.
"""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from modelsync.dburl import parse_database_url, redact
from modelsync.errors import ConfigError

CASES = [
    "postgresql://u:p%40ss@h1:5432,h2:5433/db?sslmode=require&password=zz",
    "postgresql://[::1]:5432/db",
    "postgresql://[::1],[fe80::1]:5433/db",
    "postgresql://h1,h2/db",
    "postgresql:///db?host=/tmp/socket%20dir",
    "postgres://h?x=a@b",
    "postgresql://u@",
    "postgresql://",
    "postgresql://h/db?ssl=true",
    "postgresql://u:@h",
    "postgresql://:p@h",
    "postgresql://u:a:b@h/d",
    "postgresql://h/d?options=-c%20search_path%3Dx&application_name=a+b",
    "postgresql://h/%64b",
    "host=h password='a b\\\\ c\\'' dbname = x",
    "host=h password=a\\ b",
    "  dbname=x   user = y  ",
    "host=h dbname=",
    "dbname=''",
    "postgresql://h/db?",
]
MALFORMED = [
    "postgresql://h/db?&&port=1",
    "postgresql://[::1",
    "postgresql://[::1/db",
    "postgresql://[]/db",
    "postgresql://[::1]x/db",
    "postgresql://h/db?password",
    "postgresql://h/db?password=a=b",
    "postgresql://u:S3cret%zz@h/db",
    "postgresql://u:S3cret%00@h/db",
    "host=h password='S3cret",
    "S3cret",
    "host=h S3cret",
]


def libpq(text: str):
    try:
        return conninfo_to_dict(text)
    except (psycopg.ProgrammingError, UnicodeDecodeError):  # psycopg decodes as UTF-8
        return "refused"


def ours(text: str):
    try:
        return dict(parse_database_url(text).params)
    except ConfigError:
        return "refused"


# libpq refuses a keyword it does not know; dburl leaves that to libpq's connect.
KNOWN = frozenset(o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults())


def same_as_libpq(text: str) -> None:
    mine, theirs = ours(text), libpq(text)
    if isinstance(mine, dict) and not set(mine) <= KNOWN:
        assert theirs == "refused"
    elif mine == "refused" and _at_after_the_host(text):
        pass  # stricter than libpq on purpose: see test_an_at_after_the_host_is_refused
    else:
        assert mine == theirs


def _at_after_the_host(text: str) -> bool:
    """An '@' between the end of the user info (libpq's: the first '@' before any '/')
    and the query."""
    if "://" not in text:
        return False
    rest = text.split("://", 1)[1]
    slash, at = rest.find("/"), rest.find("@")
    if at != -1 and (slash == -1 or at < slash):
        rest = rest[at + 1 :]
    return "@" in rest.split("?", 1)[0]


@pytest.mark.parametrize("text", CASES + MALFORMED)
def test_reads_as_libpq_reads(text):
    assert ours(text) == libpq(text)


@pytest.mark.parametrize("text", CASES)
def test_the_conninfo_is_the_same_connection(text):
    url = parse_database_url(text)
    assert conninfo_to_dict(url.conninfo) == conninfo_to_dict(text)


_KEYS = ("host", "port", "dbname", "user", "password", "options", "sslmode", "application_name")
_TRICKY = st.text(alphabet="ab:@/?&=%,[]' \\\t4f0", max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    user=_TRICKY,
    password=_TRICKY,
    hosts=st.lists(_TRICKY, min_size=0, max_size=3),
    path=_TRICKY,
    query=st.lists(st.tuples(st.sampled_from(_KEYS + ("ssl",)), _TRICKY), max_size=3),
)
def test_generated_uris_read_as_libpq_reads(user, password, hosts, path, query):
    text = f"postgresql://{user}:{password}@{','.join(hosts)}/{path}"
    if query:
        text += "?" + "&".join(f"{k}={v}" for k, v in query)
    same_as_libpq(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_KEYS), _TRICKY, st.booleans()), min_size=1, max_size=4))
def test_generated_keyword_strings_read_as_libpq_reads(pairs):
    def value(text: str, quoted: bool) -> str:
        if quoted:
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return text

    text = " ".join(f"{k}={value(v, q)}" for k, v, q in pairs)
    same_as_libpq(text)


SECRET = "S3cret"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"postgresql://admin:{SECRET}@db:5432/app", "postgresql://admin:***@db:5432/app"),
        (
            f"postgresql+psycopg://admin:{SECRET}@db/app",
            "postgresql+psycopg://admin:***@db/app",
        ),
        (f"postgresql://admin@db/app?password={SECRET}", "postgresql://admin@db/app?password=***"),
        (
            f"postgresql://db/app?sslpassword={SECRET}&sslmode=verify-full",
            "postgresql://db/app?sslpassword=***&sslmode=verify-full",
        ),
        (
            f"postgresql://db/app?options=-c%20password%3D{SECRET}",
            "postgresql://db/app?options=***",
        ),
        (
            f"postgresql://db/app?options=-capp.secret%3D{SECRET}",
            "postgresql://db/app?options=***",
        ),
        (
            f"host=db options='-c search_path=app --app.token={SECRET}'",
            "host=db options=***",
        ),
        (f"host=db password={SECRET} dbname=app", "host=db password=*** dbname=app"),
        (f"host=db password = '{SECRET} x' dbname=app", "host=db password = *** dbname=app"),
        (f"host=db options='-c password={SECRET}'", "host=db options=***"),
        (f"postgresql://admin:{SECRET}%21@db/app", "postgresql://admin:***@db/app"),
    ],
)
def test_every_form_of_a_password_is_masked(text, shown):
    url = parse_database_url(text)
    assert url.redacted == shown
    assert SECRET not in repr(url)
    secrets = [value for key, value in url.params if SECRET in value]
    message = f"could not connect with {text}: password {secrets} was refused"
    assert SECRET not in redact(message, url)
    derived = url.with_params(dbname="scratch")
    assert SECRET not in derived.redacted and SECRET not in redact(message, derived)


def test_settings_that_are_not_secret_are_shown():
    text = "postgresql://u@db/app?options=-c%20search_path%3Dapp"
    assert parse_database_url(text).redacted == text
    url = parse_database_url("host=db options='-c search_path=app'")
    assert url.redacted == "host=db options='-c search_path=app'"
    assert url.secrets == ()


def test_a_percent_encoded_password_is_masked_decoded_and_as_written():
    url = parse_database_url("postgresql://u:p%40ss%2Fword@h/d")
    assert url.get("password") == "p@ss/word"
    assert redact("p@ss/word and p%40ss%2Fword", url) == "*** and ***"


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_url_is_one_line_without_its_secret(text):
    with pytest.raises(ConfigError) as raised:
        parse_database_url(text)
    assert "\n" not in str(raised.value) and SECRET not in str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        # libpq reads host "app", port "ab", database "cd+ef==@db:5432/app"; its messages
        # would show those pieces of the password.
        "postgresql://app:ab/cd+ef==@db:5432/app",
        "postgresql://app:S3cret@x@db:5432/app",
    ],
)
def test_an_at_after_the_host_is_refused(text):
    with pytest.raises(ConfigError, match="an '@' after the host") as raised:
        parse_database_url(text)
    assert "cd+ef" not in str(raised.value) and SECRET not in str(raised.value)


def test_other_schemes_are_refused():
    with pytest.raises(ConfigError, match="must be a postgresql:// URL, not mysql://"):
        parse_database_url(f"mysql://u:{SECRET}@h/d")


def test_with_params_replaces_and_removes():
    url = parse_database_url("postgresql://u:pw@h:5/d?options=-c%20x%3D1")
    scratch = url.with_params(dbname="s", options=None, user="v")
    assert dict(scratch.params) == {
        "user": "v",
        "password": "pw",
        "host": "h",
        "port": "5",
        "dbname": "s",
    }
    assert scratch.redacted == "user='v' password=*** host='h' port='5' dbname='s'"


# A password with a percent sign, a space, an at sign and a quote: each spelling differs.
HARD = "s3cr%t p@ss'w"
HARD_FORMS = {
    "userinfo": "postgresql://admin:s3cr%25t%20p%40ss'w@db/app",
    "query": "postgres://admin@db/app?password=s3cr%25t%20p%40ss'w&sslmode=disable",
    "keywords": "host=db dbname=app password='s3cr%t p@ss\\'w'",
    "bare keyword": "host=db dbname=app password=s3cr%t\\ p@ss\\'w",
}
HARD_SPELLINGS = {
    "decoded": HARD,
    "percent-encoded as written": "s3cr%25t%20p%40ss'w",
    "percent-encoded strictly": "s3cr%25t%20p%40ss%27w",
    "keyword-escaped": "s3cr%t p@ss\\'w",
    "quoted": "'s3cr%t p@ss\\'w'",
}


@pytest.mark.parametrize("form", HARD_FORMS)
@pytest.mark.parametrize("spelling", HARD_SPELLINGS)
def test_a_message_that_quotes_the_password_in_any_spelling_is_masked(form, spelling):
    url = parse_database_url(HARD_FORMS[form])
    assert url.get("password") == HARD
    assert "s3cr" not in url.redacted
    message = f"connection failed: password {HARD_SPELLINGS[spelling]} rejected"
    assert "s3cr" not in redact(message, url), redact(message, url)
    # The connection string psycopg is given escapes the password: that spelling is masked.
    assert "s3cr" not in redact(url.conninfo, url)


@pytest.mark.parametrize(
    ("text", "shown", "conninfo_has"),
    [
        (
            "postgres://admin@db/app?password=1234&sslmode=disable",
            "postgres://admin@db/app?password=***&sslmode=disable",
            "sslmode='disable'",
        ),
        (
            "host=db port=5433 dbname=app user=admin password=1234",
            "host=db port=5433 dbname=app user=admin password=***",
            "port='5433'",
        ),
        ("host=/tmp/sock dbname=app", "host=/tmp/sock dbname=app", "host='/tmp/sock'"),
    ],
)
def test_other_forms_connect_as_written_and_show_no_password(text, shown, conninfo_has):
    url = parse_database_url(text)
    assert url.redacted == shown
    assert conninfo_has in url.conninfo


@pytest.mark.parametrize(
    "text",
    [
        f"host=db password={SECRET} oops",
        "just-some-words",
        # A URL with a space before it is read as keyword/value: its "keyword" holds the
        # password, which libpq's "invalid connection option" would repeat.
        f"  postgresql://u:{SECRET}@/db?host=/tmp",
        f"postgres ://u:{SECRET}@h/db?sslmode=require",
    ],
)
def test_words_without_a_value_are_a_malformed_url(text):
    with pytest.raises(ConfigError, match="^the database URL is malformed: neither") as raised:
        parse_database_url(text)
    assert SECRET not in str(raised.value)
