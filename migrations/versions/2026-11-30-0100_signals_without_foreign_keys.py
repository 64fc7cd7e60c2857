"""Signals without foreign keys: an import lands a million rows in one INSERT

A per-row foreign-key check on ``import_id``, ``household_id`` and ``member_id`` cost more than
the insert itself. Imports, households and members are never deleted (households exit, members
are marked inactive), so the keys guarded nothing the application does.

Revision ID: mon0002
Revises: mon0001, visits01 (one head again)
Create Date: 2026-11-30 00:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "mon0002"
down_revision: tuple[str, ...] | None = ("mon0001", "visits01")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = (
    ("fk_signals_household_id_households", "household_id", "households"),
    ("fk_signals_import_id_monitoring_imports", "import_id", "monitoring_imports"),
    ("fk_signals_member_id_household_members", "member_id", "household_members"),
)


def upgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        for name, _column, _table in KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        for name, column, table in KEYS:
            batch_op.create_foreign_key(name, table, [column], ["id"])
