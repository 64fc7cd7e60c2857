"""Normalise stored identifiers: full-width digits, spaces, lower-case x

Before identifiers were normalised on input (NFKC, trimmed, upper-case ``X``), an ID number
or phone typed in full-width digits was stored, hashed and masked as typed, so it was another
person to search, de-duplication and the one-active-household index. This opens every sealed
identifier (with the configured data keys), normalises it, and where it changes re-encrypts it
and recomputes its keyed hash and mask; hashes that other tables copied (signals, warnings)
follow. Rows are read in batches by id.

Two active household members that turn out to be the same person cannot both keep the hash
(``uq_household_members_active_person``): the member of the older household (smaller id)
keeps it; the other's ``id_hash`` becomes ``conflict-<member id>`` (never a real hash, so the
index holds and no search finds it by mistake), its ciphertext and mask are normalised, and
the conflict is logged with both member and household ids for an operator to merge.

Downgrade does nothing: the normalised values are the same identifiers.

Revision ID: norm0001
Revises: edge0001
Create Date: 2026-11-30 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import structlog
from alembic import op

from app.kit.codes import normalise_code
from app.kit.crypto import FieldCipher, get_cipher, mask_id_number, mask_phone

revision: str = "norm0001"
down_revision: str | None = "edge0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
CONFLICT_PREFIX = "conflict-"
log = structlog.get_logger()

members = sa.table(
    "household_members",
    sa.column("id", sa.BigInteger),
    sa.column("household_id", sa.BigInteger),
    sa.column("relation", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("removed_at", sa.DateTime),
    sa.column("id_enc", sa.Text),
    sa.column("id_hash", sa.String),
    sa.column("id_masked", sa.String),
)
households = sa.table(
    "households", sa.column("id", sa.BigInteger), sa.column("head_id_masked", sa.String)
)
applications = sa.table(
    "applications",
    sa.column("id", sa.BigInteger),
    *(
        sa.column(f"{field}_{part}", sa.Text)
        for field in ("subject_id", "subject_phone", "reporter_phone")
        for part in ("enc", "hash", "masked")
    ),
)
signals = sa.table(
    "signals",
    sa.column("id", sa.BigInteger),
    sa.column("person_hash", sa.String),
    sa.column("person_id_enc", sa.Text),
    sa.column("person_id_masked", sa.String),
)
warnings = sa.table(
    "warnings",
    sa.column("id", sa.BigInteger),
    sa.column("rule_code", sa.String),
    sa.column("status", sa.String),
    sa.column("subject_key", sa.String),
    sa.column("person_hash", sa.String),
    sa.column("person_id_masked", sa.String),
)
OPEN_WARNING = ("open", "dispatched", "verified")


def _batches(
    bind: sa.Connection, table: sa.TableClause, columns: list[str], where: Any = None
) -> Any:
    """Rows of ``table`` in id order, ``BATCH`` at a time (never the whole table at once)."""
    last_id = 0
    while True:
        stmt = sa.select(table.c.id, *(table.c[name] for name in columns)).where(
            table.c.id > last_id
        )
        if where is not None:
            stmt = stmt.where(where)
        rows = bind.execute(stmt.order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def _normalised(cipher: FieldCipher, token: str | None) -> tuple[str, str] | None:
    """``(old plain, new plain)`` when the stored value changes on normalising, else None."""
    if token is None:
        return None
    plain = cipher.decrypt(token)
    value = normalise_code(plain)
    return None if value == plain else (plain, value)


def _members(bind: sa.Connection, cipher: FieldCipher, moved: dict[str, tuple[str, str]]) -> None:
    columns = ["household_id", "relation", "active", "removed_at", "id_enc", "id_hash", "id_masked"]
    conflicts = 0
    for rows in _batches(bind, members, columns):
        for row_id, household_id, relation, active, removed_at, token, old_hash, old_mask in rows:
            change = _normalised(cipher, token)
            if change is None:
                continue
            value = change[1]
            new_hash = cipher.keyed_hash(value)
            if active:
                twin = bind.execute(
                    sa.select(members.c.id, members.c.household_id).where(
                        members.c.id_hash == new_hash,
                        members.c.active.is_(True),
                        members.c.id != row_id,
                    )
                ).first()
                if twin is not None:
                    conflicts += 1
                    twin_is_older = (twin.household_id, twin.id) < (household_id, row_id)
                    # Ids only: never an ID number in a log.
                    log.warning(
                        "identifier_conflict",
                        kept_member_id=twin.id if twin_is_older else row_id,
                        kept_household_id=twin.household_id if twin_is_older else household_id,
                        marked_member_id=row_id if twin_is_older else twin.id,
                        marked_household_id=household_id if twin_is_older else twin.household_id,
                        marked_id_hash=f"{CONFLICT_PREFIX}{row_id if twin_is_older else twin.id}",
                    )
                    if twin_is_older:
                        new_hash = f"{CONFLICT_PREFIX}{row_id}"
                    else:  # this household is the older one: it keeps the hash
                        bind.execute(
                            sa.update(members)
                            .where(members.c.id == twin.id)
                            .values(id_hash=f"{CONFLICT_PREFIX}{twin.id}")
                        )
            new_mask = mask_id_number(value)
            bind.execute(
                sa.update(members)
                .where(members.c.id == row_id)
                .values(id_enc=cipher.encrypt(value), id_hash=new_hash, id_masked=new_mask)
            )
            if relation == "head" and removed_at is None:
                bind.execute(
                    sa.update(households)
                    .where(households.c.id == household_id, households.c.head_id_masked == old_mask)
                    .values(head_id_masked=new_mask)
                )
            if not new_hash.startswith(CONFLICT_PREFIX):
                moved[old_hash] = (new_hash, new_mask)
    if conflicts:
        log.warning("identifier_conflicts", count=conflicts, marked_id_hash="conflict-<member id>")


def _applications(bind: sa.Connection, cipher: FieldCipher) -> None:
    fields = (
        ("subject_id", mask_id_number),
        ("subject_phone", mask_phone),
        ("reporter_phone", mask_phone),
    )
    columns = [f"{field}_enc" for field, _ in fields]
    for rows in _batches(bind, applications, columns):
        for row_id, *tokens in rows:
            values: dict[str, str] = {}
            for (field, mask), token in zip(fields, tokens, strict=True):
                change = _normalised(cipher, token)
                if change is None:
                    continue
                value = change[1]
                values[f"{field}_enc"] = cipher.encrypt(value)
                values[f"{field}_hash"] = cipher.keyed_hash(value)
                values[f"{field}_masked"] = mask(value)
            if values:
                bind.execute(
                    sa.update(applications).where(applications.c.id == row_id).values(**values)
                )


def _signals(bind: sa.Connection, cipher: FieldCipher, moved: dict[str, tuple[str, str]]) -> None:
    for rows in _batches(
        bind, signals, ["person_id_enc", "person_hash"], signals.c.person_id_enc.is_not(None)
    ):
        for row_id, token, old_hash in rows:
            change = _normalised(cipher, token)
            if change is None:
                continue
            value = change[1]
            new_hash, new_mask = cipher.keyed_hash(value), mask_id_number(value)
            bind.execute(
                sa.update(signals)
                .where(signals.c.id == row_id)
                .values(
                    person_id_enc=cipher.encrypt(value),
                    person_hash=new_hash,
                    person_id_masked=new_mask,
                )
            )
            moved[old_hash] = (new_hash, new_mask)


def _follow(bind: sa.Connection, moved: dict[str, tuple[str, str]]) -> None:
    """Hashes copied from members and signals: matched signals and warnings about a person."""
    for old_hash, (new_hash, new_mask) in moved.items():
        bind.execute(
            sa.update(signals)
            .where(signals.c.person_hash == old_hash, signals.c.person_id_enc.is_(None))
            .values(person_hash=new_hash, person_id_masked=new_mask)
        )
        bind.execute(
            sa.update(warnings)
            .where(warnings.c.person_hash == old_hash)
            .values(person_hash=new_hash, person_id_masked=new_mask)
        )
        # The subject of a warning about a person; an open warning keeps its old key when the
        # same rule already has one open under the new key (one open warning per subject).
        twin = warnings.alias("twin")
        bind.execute(
            sa.update(warnings)
            .where(
                warnings.c.subject_key == f"p:{old_hash}",
                sa.or_(
                    warnings.c.status.not_in(OPEN_WARNING),
                    ~sa.exists().where(
                        twin.c.rule_code == warnings.c.rule_code,
                        twin.c.subject_key == f"p:{new_hash}",
                        twin.c.status.in_(OPEN_WARNING),
                    ),
                ),
            )
            .values(subject_key=f"p:{new_hash}")
        )


def upgrade() -> None:
    bind = op.get_bind()
    cipher = get_cipher()
    moved: dict[str, tuple[str, str]] = {}
    _members(bind, cipher, moved)
    _applications(bind, cipher)
    _signals(bind, cipher, moved)
    _follow(bind, moved)


def downgrade() -> None:
    """Nothing to undo: normalised identifiers are the same identifiers."""
