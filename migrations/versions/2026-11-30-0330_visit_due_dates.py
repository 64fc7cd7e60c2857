"""Visits: materialised due dates, photos, needs found on visits, the warning a visit raised

``visit_schedules.next_due_on`` is now stored (not indexed, fillfactor 50 on PostgreSQL: see
the model) and kept in step by
``app/schedules/recompute.py``. This revision fills it once for every active household with the
rule as it stands here (frozen below, so the revision does not change when the code does): the
most specific policy entry in force covering the household's community, else the built-in
default, from the last visit or the registration day, or an earlier pulled-forward date.

Revision ID: visits02
Revises: priv0001
Create Date: 2026-11-30 03:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "visits02"
down_revision: str | None = "priv0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-in cycles when this revision was written (app/schedules/policy.py DEFAULT_CYCLES).
DEFAULTS = {
    "tekun": {"high": 30, "medium": 30, "low": 30},
    "other_special": {"high": 30, "medium": 30, "low": 90},
    "dibao": {"high": 30, "medium": 45, "low": 90},
    "expenditure_hardship": {"high": 30, "medium": 45, "low": 90},
    "dibao_edge": {"high": 30, "medium": 45, "low": 180},
    "none": {"high": 30, "medium": 60, "low": 90},
}
FALLBACK = 30
CHINA = timezone(timedelta(hours=8))


def _backfill() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    today = datetime.now(UTC).astimezone(CHINA).date()
    default = " ".join(
        f"WHEN k.category = '{category}' AND k.risk_level = '{risk}' THEN {days}"
        for category, cycles in DEFAULTS.items()
        for risk, days in cycles.items()
    )
    if postgres:
        registered = "CAST((h.created_at AT TIME ZONE 'Asia/Shanghai') AS DATE)"
        due = "LEAST(COALESCE(s.last_visit_on, {reg}) + c.cycle_days, s.pulled_forward_on)"
    else:
        registered = "date(h.created_at, '+480 minutes')"
        due = (
            "min(date(COALESCE(s.last_visit_on, {reg}), printf('%+d days', c.cycle_days)), "
            "coalesce(s.pulled_forward_on, '9999-12-31'))"
        )
    bind.execute(
        sa.text(
            "INSERT INTO visit_schedules (household_id) SELECT h.id FROM households h "
            "WHERE h.status = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM visit_schedules s WHERE s.household_id = h.id)"
        )
    )
    bind.execute(
        sa.text(
            f"""
            UPDATE visit_schedules AS s SET next_due_on = {due.format(reg=registered)}
            FROM households h, (
                SELECT k.category, k.risk_level, k.region_code, COALESCE((
                    SELECT p.cycle_days FROM visit_policies p
                    WHERE p.category = k.category AND p.risk_level = k.risk_level
                      AND p.effective_from <= :today
                      AND k.region_code BETWEEN p.region_low AND p.region_high
                    ORDER BY p.depth DESC, p.effective_from DESC LIMIT 1),
                    CASE {default} ELSE {FALLBACK} END) AS cycle_days
                FROM (SELECT DISTINCT COALESCE(category, 'none') AS category, risk_level,
                             region_code FROM households WHERE status = 'active') k
            ) c
            WHERE s.household_id = h.id AND h.status = 'active'
              AND c.category = COALESCE(h.category, 'none') AND c.risk_level = h.risk_level
              AND c.region_code = h.region_code
            """  # noqa: S608 - built from the constants above
        ).bindparams(sa.bindparam("today", value=today, type_=sa.Date()))
    )


def upgrade() -> None:
    op.create_table(
        "visit_needs",
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("need_type", sa.String(length=16), nullable=False),
        sa.Column("detail_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_visit_needs_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_visit_needs_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_needs_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_needs")),
    )
    with op.batch_alter_table("visit_needs", schema=None) as batch_op:
        batch_op.create_index("ix_visit_needs_household", ["household_id", "id"], unique=False)
        batch_op.create_index("ix_visit_needs_open", ["status", "region_code", "id"], unique=False)

    op.create_table(
        "visit_photos",
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("storage_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "uploaded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_photos_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_photos")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_visit_photos_storage_name")),
    )
    with op.batch_alter_table("visit_photos", schema=None) as batch_op:
        batch_op.create_index("ix_visit_photos_visit", ["visit_id", "id"], unique=False)

    with op.batch_alter_table("visit_schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))

    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_visits_warning_id_warnings"), "warnings", ["warning_id"], ["id"]
        )

    if op.get_bind().dialect.name == "postgresql":
        # Room on each page for a new row version: recomputing every due date after a policy
        # change is then a HOT update (next_due_on is not indexed), several times faster.
        op.execute("ALTER TABLE visit_schedules SET (fillfactor = 50)")
    _backfill()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE visit_schedules RESET (fillfactor)")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_visits_warning_id_warnings"), type_="foreignkey")
        batch_op.drop_column("warning_id")

    with op.batch_alter_table("visit_schedules", schema=None) as batch_op:
        batch_op.drop_column("next_due_on")

    with op.batch_alter_table("visit_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_photos_visit")

    op.drop_table("visit_photos")
    with op.batch_alter_table("visit_needs", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_needs_open")
        batch_op.drop_index("ix_visit_needs_household")

    op.drop_table("visit_needs")
