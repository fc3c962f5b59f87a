"""Text from a model made inert for a terminal, a CI log or a review page.

A table, column or file name comes from a pull request. Printed raw, a newline would forge
a second output line (a fake finding, a fake ``::error::`` workflow command), an ESC or BEL
would drive the terminal or the log viewer, and a bidirectional override (U+202E) would
show the line in another order than it is (the "Trojan Source" attack). Each of these is
spelled out as an escape instead: ``\\n``, ``\\x1b``, ``\\u202e``. Tabs stay.
"""

from __future__ import annotations

# C0 controls but tab, DEL, the C1 controls (U+009B is a terminal's CSI), the line and
# paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
_INVISIBLE = [
    *(code for code in range(0x20) if code != 0x09),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_SPELLED = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _INVISIBLE}
_SPELLED.update({0x0A: "\\n", 0x0D: "\\r"})


def inert(text: str) -> str:
    """``text`` on one line, with nothing in it that a terminal or a viewer acts on."""
    return text.translate(_SPELLED)
