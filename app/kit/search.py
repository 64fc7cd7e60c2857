"""The one search box of staff lists: ``q`` is a reference, a full ID number, or the start of a
name. An ID number is searched by its keyed hash, never in clear."""

from __future__ import annotations

import re

from app.kit.crypto import get_cipher
from app.kit.idnumber import InvalidIdNumber, normalise_id_number

REFERENCE_PATTERN = re.compile(r"^[A-Z]{1,6}\d{4}-\d{6,}$")


def parse_query(q: str) -> dict[str, str | None]:
    """``reference``, ``id_hash`` or ``name_prefix``: the one ``q`` stands for, the others None."""
    q = q.strip()
    if REFERENCE_PATTERN.match(q.upper()):
        return {"reference": q.upper(), "id_hash": None, "name_prefix": None}
    try:
        id_number = normalise_id_number(q)
    except InvalidIdNumber:
        return {"reference": None, "id_hash": None, "name_prefix": q}
    return {"reference": None, "id_hash": get_cipher().keyed_hash(id_number), "name_prefix": None}
