"""Notifications: the outbox, one-time WeChat subscriptions, the shared WeChat access token,
fake mode's record of messages, and content checks of public texts

Revision ID: notify01
Revises: hhct0001
Create Date: 2026-11-30 03:23:31.535983
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify01"
down_revision: str | None = "hhct0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "notifications",
        sa.Column("recipient_kind", sa.String(length=16), nullable=False),
        sa.Column(
            "recipient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("record_type", sa.String(length=24), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "recipient_kind IN ('resident', 'staff')", name=op.f("ck_notifications_recipient_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'skipped', 'inbox')",
            name=op.f("ck_notifications_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_recipient", ["recipient_kind", "recipient_id", "id"], unique=False
        )

    op.create_table(
        "wechat_access_tokens",
        sa.Column("appid", sa.String(length=64), nullable=False),
        sa.Column("token_enc", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("appid", name=op.f("pk_wechat_access_tokens")),
    )
    op.create_table(
        "wechat_fake_messages",
        sa.Column("openid", sa.String(length=128), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("page", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_fake_messages")),
    )
    op.create_table(
        "wechat_subscriptions",
        sa.Column(
            "resident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_wechat_subscriptions_resident_id_residents"),
        ),
        sa.PrimaryKeyConstraint("resident_id", "template_id", name=op.f("pk_wechat_subscriptions")),
    )
    op.create_table(
        "content_checks",
        sa.Column("record_type", sa.String(length=24), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("field", sa.String(length=24), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("label", sa.Integer(), nullable=True),
        sa.Column("trace_id", sa.String(length=64), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "reviewed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'pass', 'risky', 'review', 'cleared')",
            name=op.f("ck_content_checks_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["staff.id"], name=op.f("fk_content_checks_reviewed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_checks")),
        sa.UniqueConstraint(
            "record_type",
            "record_id",
            "field",
            name=op.f("uq_content_checks_record_type_record_id_field"),
        ),
    )
    with op.batch_alter_table("content_checks", schema=None) as batch_op:
        batch_op.create_index("ix_content_checks_status", ["status", "id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("content_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_content_checks_status")

    op.drop_table("content_checks")
    op.drop_table("wechat_subscriptions")
    op.drop_table("wechat_fake_messages")
    op.drop_table("wechat_access_tokens")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_recipient")

    op.drop_table("notifications")
