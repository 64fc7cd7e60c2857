"""procedure_documents.content_enc: the procedures' PDFs sealed under the data key (they name
the applicant and carry the reference, amounts and reasons). Documents already stored are
encrypted in batches by id (keyset), then the clear ``content`` column is dropped; ``sha256``
stays the hash of the PDF itself. Downgrade opens them again with the configured keys.

On SQLite the NOT NULL change rebuilds ``procedure_documents`` (batch mode); no table points
at it, so the rebuild trips no foreign key.

Revision ID: pdoc0001
Revises: sig00001
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.kit.crypto import get_cipher

revision: str = "pdoc0001"
down_revision: str | None = "sig00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A PDF is tens of kilobytes: fewer rows per batch than the text fields' 500.
BATCH = 100
TABLE = "procedure_documents"


def _copy(source: str, target: str, change: Callable[[Any], Any]) -> None:
    """Rewrite ``target`` from ``source`` in batches by id."""
    bind = op.get_bind()
    documents = sa.table(TABLE, sa.column("id"), sa.column(source), sa.column(target))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(documents.c.id, documents.c[source])
            .where(documents.c.id > last_id, documents.c[source].is_not(None))
            .order_by(documents.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            documents.update()
            .where(documents.c.id == sa.bindparam("row_id"))
            .values({target: sa.bindparam("value")}),
            [{"row_id": row_id, "value": change(value)} for row_id, value in rows],
        )
        last_id = rows[-1][0]


def upgrade() -> None:
    cipher = get_cipher()
    with op.batch_alter_table(TABLE, recreate="never") as batch:
        batch.add_column(sa.Column("content_enc", sa.Text(), nullable=True))
    _copy("content", "content_enc", lambda pdf: cipher.encrypt_bytes(bytes(pdf)))
    with op.batch_alter_table(TABLE, recreate="never") as batch:
        batch.drop_column("content")
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("content_enc", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    cipher = get_cipher()
    with op.batch_alter_table(TABLE, recreate="never") as batch:
        batch.add_column(sa.Column("content", sa.LargeBinary(), nullable=True))
    _copy("content_enc", "content", cipher.decrypt_bytes)
    with op.batch_alter_table(TABLE, recreate="never") as batch:
        batch.drop_column("content_enc")
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("content", existing_type=sa.LargeBinary(), nullable=False)
