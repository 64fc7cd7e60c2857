"""Login throttling per (username, client address) pair; refresh tokens keep the pair they
were rotated into (encrypted) for the refresh grace period

Revision ID: edge0001
Revises: warn0001
Create Date: 2026-11-30 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "edge0001"
down_revision: str | None = "warn0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_pair_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_username_at")
        batch_op.create_index(
            "ix_login_failures_username_client_at", ["username", "client", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_username_client_at")
        batch_op.create_index("ix_login_failures_username_at", ["username", "at"], unique=False)
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_column("replaced_pair_enc")
