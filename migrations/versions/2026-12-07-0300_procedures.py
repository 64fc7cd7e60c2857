"""Statutory procedures on applications: procedures (one per application, its overall limit,
outcome, tekun care arrangement, rigid-spending validity, advance payment, pauses, re-check),
procedure_steps (each step reached, with its due date, who acted and the sealed findings),
procedure_objections (objections to the public notice, sealed) and procedure_documents
(the PDFs: public notice, decision, refusal, termination, reduction and stop notices);
visit_schedules.recheck_on and recheck_reason (the statutory re-check in the worklists)

Revision ID: proc0001
Revises: cal00001
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "proc0001"
down_revision: str | None = "cal00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "application_id",
            BigId,
            sa.ForeignKey("applications.id", name="fk_procedures_application_id_applications"),
            nullable=False,
        ),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=True),
        sa.Column("limit_on", sa.Date(), nullable=True),
        sa.Column("special_reason", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("care_arrangement", sa.String(16), nullable=True),
        sa.Column("monthly_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recheck_on", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("advance_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("spot_checked", sa.Boolean(), nullable=False),
        sa.Column("objections", sa.Integer(), nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("created_by_id", BigId, nullable=True),
        sa.UniqueConstraint("application_id", name="uq_procedures_application_id"),
    )
    op.create_index("ix_procedures_region_code", "procedures", ["region_code"])
    op.create_index("ix_procedures_decided", "procedures", ["decided_on"])
    op.create_table(
        "procedure_steps",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "procedure_id",
            BigId,
            sa.ForeignKey("procedures.id", name="fk_procedure_steps_procedure_id_procedures"),
            nullable=False,
        ),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("deadline_unknown", sa.Boolean(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("actor_ids", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("findings_enc", sa.Text(), nullable=True),
        sa.Column("done_at", Stamp, nullable=True),
        sa.UniqueConstraint("procedure_id", "step", name="uq_procedure_steps_procedure_id_step"),
    )
    op.create_index("ix_procedure_steps_procedure_id", "procedure_steps", ["procedure_id"])
    op.create_index("ix_procedure_steps_open", "procedure_steps", ["status", "due_on"])
    op.create_table(
        "procedure_objections",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "procedure_id",
            BigId,
            sa.ForeignKey("procedures.id", name="fk_procedure_objections_procedure_id_procedures"),
            nullable=False,
        ),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", BigId, nullable=True),
        sa.Column("text_enc", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_index(
        "ix_procedure_objections_procedure_id", "procedure_objections", ["procedure_id"]
    )
    op.create_table(
        "procedure_documents",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "procedure_id",
            BigId,
            sa.ForeignKey("procedures.id", name="fk_procedure_documents_procedure_id_procedures"),
            nullable=False,
        ),
        sa.Column(
            "application_id",
            BigId,
            sa.ForeignKey(
                "applications.id", name="fk_procedure_documents_application_id_applications"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("applicant_copy", sa.Boolean(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("created_by_id", BigId, nullable=True),
    )
    op.create_index("ix_procedure_documents_procedure_id", "procedure_documents", ["procedure_id"])
    op.create_index(
        "ix_procedure_documents_application_id", "procedure_documents", ["application_id"]
    )

    # A statutory re-check due on a day keeps the household's next visit due by then.
    op.add_column("visit_schedules", sa.Column("recheck_on", sa.Date(), nullable=True))
    op.add_column("visit_schedules", sa.Column("recheck_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("visit_schedules", "recheck_reason")
    op.drop_column("visit_schedules", "recheck_on")
    op.drop_table("procedure_documents")
    op.drop_table("procedure_objections")
    op.drop_table("procedure_steps")
    op.drop_table("procedures")
