"""Staff bind their WeChat once (username and password, then ``wx.login``) and sign in to the
mini program with it afterwards: ``staff.wechat_openid``, unique

Revision ID: mp000001
Revises: cal00001
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mp000001"
down_revision: str | None = "proc0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (never a rebuild: other tables reference ``staff``); uniqueness through
    # an index, which SQLite can add in place.
    op.add_column("staff", sa.Column("wechat_openid", sa.String(128), nullable=True))
    op.create_index("ix_staff_wechat_openid", "staff", ["wechat_openid"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_staff_wechat_openid", table_name="staff")
    with op.batch_alter_table("staff", recreate="never") as batch:
        batch.drop_column("wechat_openid")
