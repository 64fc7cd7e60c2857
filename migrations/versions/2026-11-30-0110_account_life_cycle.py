"""Account life cycle: staff last login, agency key issue and revocation, refresh tokens by
subject (disabling an account revokes all of them at once)

Revision ID: 0005
Revises: mon0002
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "mon0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_issued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("key_revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_refresh_tokens_subject", ["subject_kind", "subject_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_refresh_tokens_subject")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("key_revoked_at")
        batch_op.drop_column("key_issued_at")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
