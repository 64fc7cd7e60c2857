"""The working-day calendar (holidays and make-up working days per year), seeded from the
installed ``chinesecalendar`` package; an application's due date may be unknown (its deadline
crosses into a year with no schedule); category decisions dated in the future wait for their
date (applied_at, cancelled_at); households' amounts recalculated under a new standard, as
confirmed (standard_recalculations)

Revision ID: cal00001
Revises: stat0001
Create Date: 2026-12-07 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.calendar.seed import package_days, package_source

revision: str = "cal00001"
down_revision: str | None = "stat0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _due_at_nullable(nullable: bool) -> None:
    """``applications.due_at`` NULL or NOT NULL. SQLite changes that only by rebuilding the
    table, and the rows pointing at applications (events, attachments, households...) would
    refuse its drop: the rebuild runs with foreign keys off (outside a transaction, as that
    pragma requires), and every key is checked once it is done."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column(
            "applications", "due_at", existing_type=sa.DateTime(timezone=True), nullable=nullable
        )
        return
    # The pragma is ignored inside a transaction: commit what the run migrated so far (the
    # DBAPI's own commit; SQLite opens a transaction only before writing rows).
    raw = bind.connection.dbapi_connection
    assert raw is not None
    raw.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        with op.batch_alter_table("applications", schema=None, recreate="always") as batch:
            batch.alter_column(
                "due_at", existing_type=sa.DateTime(timezone=True), nullable=nullable
            )
        raw.commit()
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild of applications: {broken[:5]}")


def upgrade() -> None:
    years = op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    days = op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "kind IN ('holiday', 'workday')", name=op.f("ck_calendar_days_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["calendar_years.year"],
            name=op.f("fk_calendar_days_year_calendar_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_days_year"), ["year"], unique=False)
    _due_at_nullable(True)

    with op.batch_alter_table("category_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_category_changes_pending"),
            ["applied_at", "effective_date"],
            unique=False,
        )
    op.create_table(
        "standard_recalculations",
        sa.Column(
            "standard_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("old_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("new_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "confirmed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["staff.id"],
            name=op.f("fk_standard_recalculations_confirmed_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_standard_recalculations_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_standard_recalculations_standard_id_standards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_recalculations")),
        sa.UniqueConstraint(
            "standard_id",
            "household_id",
            name=op.f("uq_standard_recalculations_standard_id_household_id"),
        ),
    )
    with op.batch_alter_table("standard_recalculations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standard_recalculations_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_standard_recalculations_standard_id"), ["standard_id"], unique=False
        )
    # Every decision so far took effect when it was made.
    op.execute("UPDATE category_changes SET applied_at = created_at")

    import datetime as dt

    seeded = package_days()
    at = dt.datetime.now(dt.UTC)
    source = package_source()
    op.bulk_insert(
        years,
        [
            {"year": y, "source": source, "revision": 1, "updated_at": at, "updated_by_id": None}
            for y in seeded
        ],
    )
    op.bulk_insert(
        days,
        [
            {"day": d.day, "year": y, "kind": d.kind, "name": d.name}
            for y, listed in seeded.items()
            for d in listed
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("standard_recalculations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_recalculations_standard_id"))
        batch_op.drop_index(batch_op.f("ix_standard_recalculations_household_id"))
    op.drop_table("standard_recalculations")
    with op.batch_alter_table("category_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_changes_pending"))
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("applied_at")
    # An unknown deadline becomes the submission time: overdue at once, never lost.
    op.execute("UPDATE applications SET due_at = created_at WHERE due_at IS NULL")
    _due_at_nullable(False)
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_days_year"))
    op.drop_table("calendar_days")
    op.drop_table("calendar_years")
