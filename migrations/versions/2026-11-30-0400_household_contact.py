"""Households keep a contact phone (sealed, keyed hash, masked) and the household size declared
on the application that registered them

Revision ID: hhct0001
Revises: visits02
Create Date: 2026-11-30 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "hhct0001"
down_revision: str | None = "visits02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("phone_enc", sa.Text(), nullable=True))
        batch.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("phone_masked", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("declared_size", sa.Integer(), nullable=True))
    op.create_index("ix_households_phone_hash", "households", ["phone_hash"])


def downgrade() -> None:
    op.drop_index("ix_households_phone_hash", table_name="households")
    with op.batch_alter_table("households") as batch:
        batch.drop_column("declared_size")
        batch.drop_column("phone_masked")
        batch.drop_column("phone_hash")
        batch.drop_column("phone_enc")
