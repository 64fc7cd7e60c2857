"""Regions carry their resident population (常住人口), imported with the region tree: the
denominator of the monitored population's coverage; decisions indexed by effective date (the
statistics of a day read those taking effect between it and today)

Revision ID: stat0001
Revises: assist01
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "stat0001"
down_revision: str | None = "assist01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("regions") as batch:
        batch.add_column(sa.Column("population", sa.Integer(), nullable=True))
    op.create_index("ix_category_changes_effective", "category_changes", ["effective_date"])


def downgrade() -> None:
    op.drop_index("ix_category_changes_effective", table_name="category_changes")
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+ too): rebuilding ``regions`` would
    # trip the foreign keys every table with a region code holds.
    with op.batch_alter_table("regions", recreate="never") as batch:
        batch.drop_column("population")
