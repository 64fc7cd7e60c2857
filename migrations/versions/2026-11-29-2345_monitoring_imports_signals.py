"""Monitoring: imports of agency files and the signals each row becomes

A signal is one row of an agency's file (medical spending, a death, a disability certificate...)
matched by the keyed hash of the ID number to a member of an active household, or kept
unmatched. ``row_digest`` is unique: the same event arriving in two files lands once.

Revision ID: mon0001
Revises: 0003
Create Date: 2026-11-29 23:41:01.684273
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mon0001"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitoring_imports",
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=True),
        sa.Column("file_format", sa.String(length=4), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_path", sa.String(length=300), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("warnings_opened", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("errors_total", sa.Integer(), nullable=False),
        sa.Column("failure_code", sa.String(length=40), nullable=True),
        sa.Column("failure_message", sa.String(length=500), nullable=True),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_monitoring_imports_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_imports")),
    )
    with op.batch_alter_table("monitoring_imports", schema=None) as batch_op:
        batch_op.create_index(
            "uq_monitoring_imports_source_sha", ["source", "file_sha256"], unique=True
        )

    op.create_table(
        "signals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("import_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("row_digest", sa.String(length=64), nullable=False),
        sa.Column("person_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id_enc", sa.Text(), nullable=True),
        sa.Column("person_id_masked", sa.String(length=18), nullable=False),
        sa.Column("person_name", sa.String(length=50), nullable=False),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("flag", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_signals_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["monitoring_imports.id"],
            name=op.f("fk_signals_import_id_monitoring_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_members.id"],
            name=op.f("fk_signals_member_id_household_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signals_household_source", ["household_id", "source"], unique=False
        )
        batch_op.create_index("ix_signals_import", ["import_id"], unique=False)
        batch_op.create_index(
            "ix_signals_person_source_date", ["person_hash", "source", "occurred_on"], unique=False
        )
        batch_op.create_index("uq_signals_row_digest", ["row_digest"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("uq_signals_row_digest")
        batch_op.drop_index("ix_signals_person_source_date")
        batch_op.drop_index("ix_signals_import")
        batch_op.drop_index("ix_signals_household_source")

    op.drop_table("signals")
    with op.batch_alter_table("monitoring_imports", schema=None) as batch_op:
        batch_op.drop_index("uq_monitoring_imports_source_sha")

    op.drop_table("monitoring_imports")
