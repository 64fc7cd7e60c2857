"""households.care_arrangement: how a tekun household is supported (特困供养方式: dispersed
分散供养, centralized 集中供养), set by the tekun decision and by staff; NULL when not recorded.
A plain nullable column: no table is rebuilt on SQLite.

Revision ID: tekun001
Revises: mon00001
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tekun001"
down_revision: str | None = "mon00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("households", sa.Column("care_arrangement", sa.String(16), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+ too): rebuilding ``households``
    # would trip the foreign keys of every table that points at it.
    with op.batch_alter_table("households", recreate="never") as batch:
        batch.drop_column("care_arrangement")
