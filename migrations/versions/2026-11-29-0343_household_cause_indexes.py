"""Household search by cause: a partial index per cause bit, and statistics on the bits

A cause filter (``cause_mask & bit <> 0``) matched no index, so a search with a rare or empty
combination of category, risk and cause read every household. Each partial index holds only the
households with one cause, in id order. On PostgreSQL, extended statistics on each bit together
with category and risk level let the planner see how rare a combination is and pick them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:43:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BITS = range(8)


def _predicate(bit: int) -> sa.TextClause:
    return sa.text(f"(cause_mask & {1 << bit}) <> 0")


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        for bit in BITS:
            batch_op.create_index(
                f"ix_households_cause_bit{bit}",
                ["id"],
                unique=False,
                postgresql_where=_predicate(bit),
                sqlite_where=_predicate(bit),
            )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,):
        for bit in BITS:
            op.execute(
                f"CREATE STATISTICS st_households_cause_bit{bit} "
                f"ON category, risk_level, (cause_mask & {1 << bit}) FROM households"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for bit in BITS:
            op.execute(f"DROP STATISTICS IF EXISTS st_households_cause_bit{bit}")
    with op.batch_alter_table("households", schema=None) as batch_op:
        for bit in BITS:
            batch_op.drop_index(
                f"ix_households_cause_bit{bit}",
                postgresql_where=_predicate(bit),
                sqlite_where=_predicate(bit),
            )
