"""Identifiers as people type them: full-width digits and letters from Chinese input methods,
ideographic spaces (U+3000) and invisible marks around them, a lower-case check character.
Every code is brought to one form before it is validated, hashed, masked or stored, so the same
person or place cannot pass as two."""

from __future__ import annotations

import unicodedata

# Not whitespace to ``str.strip`` but invisible around pasted text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def normalise_code(value: str, *, upper: bool = True) -> str:
    """NFKC (``５１０`` → ``510``, ``Ｘ`` → ``X``, U+3000 → space), trimmed, upper-cased."""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    value = value.strip().strip(_INVISIBLE).strip()
    return value.upper() if upper else value
