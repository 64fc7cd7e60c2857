"""The one search box of staff lists: ``q`` is a reference, a full ID number, or the start of a
name. An ID number is searched by its keyed hash, never in clear.

``q`` is NFKC-normalised and trimmed first (:func:`app.kit.codes.normalise_code`), so a
full-width ID number finds the same person as the ASCII one; a ``q`` that is blank after that
(spaces, U+3000) is refused rather than read as "the start of every name"."""

from __future__ import annotations

import re

from app.errors import Invalid
from app.kit.codes import normalise_code
from app.kit.crypto import get_cipher, mask_id_number
from app.kit.idnumber import InvalidIdNumber, normalise_id_number

REFERENCE_PATTERN = re.compile(r"^[A-Z]{1,6}[0-9]{4}-[0-9]{6,}$")


class BlankQuery(Invalid):
    code = "query_blank"
    message = "搜索词不能为空白（空格、全角空格）"


def parse_query(q: str) -> dict[str, str | None]:
    """``reference``, ``id_hash`` or ``name_prefix``: the one ``q`` stands for, the others None;
    ``shown``: ``q`` as it may be echoed back (an ID number masked)."""
    q = normalise_code(q, upper=False)
    if not q:
        raise BlankQuery()
    if REFERENCE_PATTERN.match(q.upper()):
        return {"reference": q.upper(), "id_hash": None, "name_prefix": None, "shown": q.upper()}
    try:
        id_number = normalise_id_number(q)
    except InvalidIdNumber:
        return {"reference": None, "id_hash": None, "name_prefix": q, "shown": q}
    return {
        "reference": None,
        "id_hash": get_cipher().keyed_hash(id_number),
        "name_prefix": None,
        "shown": mask_id_number(id_number),
    }
