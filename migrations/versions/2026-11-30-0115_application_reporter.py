"""Applications: who reported someone else's hardship (a name, and a phone encrypted, keyed-hashed
and masked like the subject's) so a worker can call back

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_name", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("reporter_phone_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reporter_phone_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reporter_phone_masked", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("reporter_phone_masked")
        batch_op.drop_column("reporter_phone_hash")
        batch_op.drop_column("reporter_phone_enc")
        batch_op.drop_column("reporter_name")
