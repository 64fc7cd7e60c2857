"""Privacy hardening: applications' description, reporter name and case notes sealed under the
data key (existing rows encrypted in batches, clear columns dropped), and so are the responses
kept for Idempotency-Key replays; the privacy-notice version
consented to; consent withdrawals; the retention mark

Revision ID: priv0001
Revises: norm0001
Create Date: 2026-11-30 03:20:00
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.kit.crypto import get_cipher

revision: str = "priv0001"
down_revision: str | None = "norm0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
# (table, clear column, sealed column, the clear column's type, its server default)
FIELDS: tuple[tuple[str, str, str, sa.types.TypeEngine[str], str | None], ...] = (
    ("applications", "description", "description_enc", sa.Text(), ""),
    ("applications", "reporter_name", "reporter_name_enc", sa.String(length=50), None),
    ("application_events", "note", "note_enc", sa.Text(), ""),
    ("application_events", "public_note", "public_note_enc", sa.Text(), ""),
)


def _copy(
    table: str,
    source: str,
    target: str,
    change: Callable[[Any], Any],
    json_column: str | None = None,
) -> None:
    """Rewrite ``target`` from ``source`` row by row, in batches by id (keyset). The JSON
    column, if one is named, is read and written as JSON (values are Python objects)."""
    bind = op.get_bind()

    def column(name: str) -> sa.ColumnClause[Any]:
        return sa.column(name, sa.JSON()) if name == json_column else sa.column(name)

    rows_table = sa.table(table, sa.column("id"), column(source), column(target))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(rows_table.c.id, rows_table.c[source])
            .where(rows_table.c.id > last_id, rows_table.c[source].is_not(None))
            .order_by(rows_table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        updates = [
            {"row_id": row_id, "value": change(value)} for row_id, value in rows if value != ""
        ]
        if updates:
            bind.execute(
                rows_table.update()
                .where(rows_table.c.id == sa.bindparam("row_id"))
                .values({target: sa.bindparam("value")}),
                updates,
            )
        last_id = rows[-1][0]


def upgrade() -> None:
    cipher = get_cipher()
    with op.batch_alter_table("idempotency_records", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("response_enc", sa.Text(), nullable=True))
    _copy(
        "idempotency_records",
        "response",
        "response_enc",
        lambda body: cipher.encrypt(json.dumps(body, ensure_ascii=False)),
        json_column="response",
    )
    with op.batch_alter_table("idempotency_records", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("response")
    for table, clear, sealed, _type, _default in FIELDS:
        # SQLite alters in place (ADD/DROP COLUMN): recreating a table that others reference
        # would fail their foreign keys once it holds rows.
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column(sealed, sa.Text(), nullable=True))
        _copy(table, clear, sealed, cipher.encrypt)
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column(clear)
    with op.batch_alter_table("applications", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("consent_version", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("consent_withdrawn_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "consent_withdrawals",
        sa.Column(
            "resident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("regranted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("regranted_version", sa.String(length=20), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_consent_withdrawals_resident_id_residents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
    )
    with op.batch_alter_table("consent_withdrawals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_withdrawals_resident_id"), ["resident_id"], unique=False
        )


def downgrade() -> None:
    cipher = get_cipher()
    with op.batch_alter_table("consent_withdrawals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_withdrawals_resident_id"))
    op.drop_table("consent_withdrawals")
    with op.batch_alter_table("applications", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("consent_withdrawn_at")
        batch_op.drop_column("consent_version")
    for table, clear, sealed, type_, default in reversed(FIELDS):
        # NOT NULL columns come back with a server default so SQLite can add them in place.
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column(clear, type_, nullable=default is None, server_default=default)
            )
        _copy(table, sealed, clear, cipher.decrypt)
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column(sealed)
        if default is not None and op.get_bind().dialect.name != "sqlite":
            op.alter_column(table, clear, existing_type=type_, server_default=None)
    with op.batch_alter_table("idempotency_records", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("response", sa.JSON(), nullable=True))
    _copy(
        "idempotency_records",
        "response_enc",
        "response",
        lambda token: json.loads(cipher.decrypt(token)),
        json_column="response",
    )
    with op.batch_alter_table("idempotency_records", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("response_enc")
