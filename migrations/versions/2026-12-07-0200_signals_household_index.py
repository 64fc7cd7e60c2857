"""Drops ``ix_signals_household_source``: no statement reads signals by household (the rules
match signals to members by the keyed hash, which ``ix_signals_person_source_date`` serves),
and each of a million-row import's rows paid for keeping it

Revision ID: mon00001
Revises: cal00001
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "mon00001"
down_revision: str | None = "mp000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_signals_household_source", table_name="signals")


def downgrade() -> None:
    op.create_index("ix_signals_household_source", "signals", ["household_id", "source"])
