"""Signals keep one index for both of their jobs: ``uq_signals_person_event`` (person_hash,
source, occurred_on, row_digest) is unique and replaces ``ix_signals_person_source_date`` (the
rules' lookups, its leading columns) and ``uq_signals_row_digest`` (the same event landing
once). The digest covers the source, the person and the date, so two rows with one digest
have the same three: unique on the four is unique on the digest. Each landed row maintains one
random-order index fewer (about a third of an import's landing)

Revision ID: sig00001
Revises: tekun001
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sig00001"
down_revision: str | None = "tekun001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["person_hash", "source", "occurred_on", "row_digest"]


def upgrade() -> None:
    op.create_index("uq_signals_person_event", "signals", COLUMNS, unique=True)
    op.drop_index("ix_signals_person_source_date", table_name="signals")
    op.drop_index("uq_signals_row_digest", table_name="signals")


def downgrade() -> None:
    op.create_index("uq_signals_row_digest", "signals", ["row_digest"], unique=True)
    op.create_index(
        "ix_signals_person_source_date", "signals", ["person_hash", "source", "occurred_on"]
    )
    op.drop_index("uq_signals_person_event", table_name="signals")
