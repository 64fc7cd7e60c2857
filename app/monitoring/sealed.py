"""Personal fields of the monitoring domain under the data key, for its rotation
(:mod:`app.kit.rotation`): the ID numbers of people known only from agency files."""

from __future__ import annotations

from app.kit.rotation import EncryptedField
from app.models.monitoring import Signal

SEALED_COLUMNS = [
    EncryptedField("signal.person_id", Signal.id, Signal.person_id_enc, Signal.person_hash),
]
