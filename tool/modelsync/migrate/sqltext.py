"""Text from a model, or from a schema state, as it may stand in a migration's SQL.

Everything a person wrote (a table, column, index or constraint name, an enum label, a
column comment, a file label) reaches the SQL in one of three forms, made here and nowhere
else:

- an identifier (``quoted_identifier``, which ``ddl``'s SQLAlchemy dialect uses too): in
  double quotes, and as ``U&"..."`` with escapes when it holds a character that would
  break a line or hide text from a reviewer (a control character, U+2028, a bidi override);
- a string literal (``literal``): in single quotes, and as ``E'...'`` with escapes when it
  holds such a character or a backslash (so that it reads the same whatever the server's
  ``standard_conforming_strings``);
- a ``--`` comment (``comment``): always one line, every control, format and separator
  character escaped, so nothing a name holds can end the comment and run as a statement.

So no quoted name or literal ever spans two lines. The SQL fragments a model writes as SQL
(a server default, a CHECK, an index expression) are written as ``create_all`` writes them,
once ``fragments`` has checked that each is one self-contained expression; they may span
lines, so ``indent`` never indents a line that starts inside a token (a literal, a quoted
name, a comment), and ``dollar_quoted`` picks a tag the body does not contain.
"""

from __future__ import annotations

import unicodedata

INDENT = "    "

# Bidi controls: they make text display in an order other than the one it has (CVE-2021-42574).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Categories that end a line or hide text: controls, line and paragraph separators,
# surrogates (which no UTF-8 file can hold).
_BREAKING = frozenset(("Cc", "Zl", "Zp", "Cs"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _breaks(char: str) -> bool:
    """Whether a character would break a line or hide text inside quotes."""
    return char in _BIDI or unicodedata.category(char) in _BREAKING


def _hidden_in_comment(char: str) -> bool:
    # A tab neither ends a comment nor hides text; every other control, format (zero
    # width, bidi) and separator character is shown escaped.
    if char == "\t":
        return False
    return char in _BIDI or unicodedata.category(char) in (*_BREAKING, "Cf")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def inert(text: str) -> str:
    """The text on one line, every character that could end a comment or hide text shown
    as an escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    if not any(_hidden_in_comment(c) for c in text):
        return text
    return "".join(_escape(c) if _hidden_in_comment(c) else c for c in text)


def comment(text: str = "") -> str:
    """One ``--`` comment line holding the text, made inert."""
    return f"-- {inert(text)}" if text else "--"


def quoted_identifier(name: str) -> str:
    """``"name"`` (quotes doubled), or ``U&"..."`` with ``\\XXXX`` escapes when the name
    holds a character that breaks a line or hides text."""
    if not any(_breaks(c) for c in name):
        return '"' + name.replace('"', '""') + '"'
    return 'U&"' + _escaped(name, '"', _unicode_escape) + '"'


def literal(text: str) -> str:
    """A SQL string literal: ``'text'`` (quotes doubled), or ``E'...'`` with escapes when
    the text holds a backslash or a character that breaks a line or hides text."""
    if not any(c == "\\" or _breaks(c) for c in text):
        return "'" + text.replace("'", "''") + "'"
    return "E'" + _escaped(text, "'", _string_escape) + "'"


def _escaped(text: str, quote: str, escape) -> str:
    """The body of a ``U&"..."`` or ``E'...'`` token: the quote doubled, a backslash
    doubled, and each character that breaks a line or hides text as ``escape`` spells it."""
    out = []
    for char in text:
        if char == quote:
            out.append(quote + quote)
        elif char == "\\":
            out.append("\\\\")
        elif _breaks(char):
            out.append(escape(char))
        else:
            out.append(char)
    return "".join(out)


def _unicode_escape(char: str) -> str:
    # U&"..." spells a code point as \XXXX, or \+XXXXXX beyond the 16-bit range.
    code = ord(char)
    return f"\\{code:04X}" if code < 0x10000 else f"\\+{code:06X}"


def _string_escape(char: str) -> str:
    # E'...' has short names for the common controls, and \uXXXX / \UXXXXXXXX for the rest.
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def indent(statement: str, levels: int) -> str:
    """The statement indented by ``levels``, line by line, except the lines that start
    inside a token (a multi-line literal, quoted name or comment): indenting those would
    change the text the token holds."""
    pad = INDENT * levels
    inside = _starts_inside_tokens(statement)
    lines = statement.split("\n")
    out, offset = [], 0
    for line in lines:
        out.append(pad + line if line and offset not in inside else line)
        offset += len(line) + 1
    return "\n".join(out)


def _starts_inside_tokens(statement: str) -> set[int]:
    """The offsets of line starts that fall inside a token of the statement."""
    if "\n" not in statement:
        return set()
    from pglast.parser import ParseError, scan

    try:
        tokens = scan(statement)
    except ParseError:
        # Not SQL the scanner reads: indent no continuation line (all are left as written).
        return {i + 1 for i, c in enumerate(statement) if c == "\n"}
    starts = set()
    for token in tokens:
        text = statement[token.start : token.end + 1]
        starts |= {token.start + i + 1 for i, c in enumerate(text) if c == "\n"}
    return starts


def dollar_quoted(body: str) -> str:
    """The body between dollar quotes whose tag it does not contain: ``$$`` if it can,
    else ``$do$``, ``$do1$``, ``$do2$``..."""
    tag, number = "$$", 0
    while tag in body:
        tag = f"$do{number or ''}$"
        number += 1
    return f"{tag}\n{body}\n{tag}"
