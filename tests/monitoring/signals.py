"""Signal rows straight in the database, as an import would leave them, so rule tests need no
agency files."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from decimal import Decimal

from app.db.session import session_scope
from app.kit.crypto import get_cipher, mask_id_number
from app.models.monitoring import MonitoringImport, Signal

_rows = itertools.count(1)


async def new_import(source: str) -> int:
    """An import record, done, for signals to point at."""
    async with session_scope() as session:
        record = MonitoringImport(
            source=source,
            status="done",
            file_sha256=hashlib.sha256(str(next(_rows)).encode() + source.encode()).hexdigest(),
            filename=f"{source}.csv",
        )
        session.add(record)
        await session.flush()
        return record.id


async def add_signal(
    source: str,
    id_number: str,
    occurred_on: date,
    *,
    import_id: int | None = None,
    name: str = "某某",
    amount: str | None = None,
    quantity: int | None = None,
    flag: str | None = None,
    region_code: str | None = None,
) -> int:
    """One signal about the person with ``id_number``; returns its id."""
    cipher = get_cipher()
    row = next(_rows)
    if import_id is None:
        import_id = await new_import(source)
    async with session_scope() as session:
        signal = Signal(
            source=source,
            import_id=import_id,
            row_number=row,
            row_digest=hashlib.sha256(f"{source}:{row}:{id_number}".encode()).hexdigest(),
            person_hash=cipher.keyed_hash(id_number),
            person_id_enc=cipher.encrypt(id_number),
            person_id_masked=mask_id_number(id_number),
            person_name=name,
            region_code=region_code,
            occurred_on=occurred_on,
            amount=Decimal(amount) if amount is not None else None,
            quantity=quantity,
            flag=flag,
            detail={},
        )
        session.add(signal)
        await session.flush()
        return signal.id
