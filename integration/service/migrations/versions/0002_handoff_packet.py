"""hand-off packet: reason code, urgency, collected slots, transcript, claim/close record

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from integration.service.adapters.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_no", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reason_code", sa.String(length=32),
                                      server_default="requested", nullable=False))
        batch_op.add_column(sa.Column("urgent", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column("category", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=16), server_default="web",
                                      nullable=False))
        batch_op.add_column(sa.Column("collected", sa.JSON(), server_default=sa.text("'{}'"),
                                      nullable=False))
        batch_op.add_column(sa.Column("transcript", sa.JSON(), server_default=sa.text("'[]'"),
                                      nullable=False))
        batch_op.add_column(sa.Column("callback_requested", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("close_note", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_handoffs_status"), ["status"], unique=False)
    # Hand-offs recorded before this revision were linked by id only.
    op.execute("UPDATE handoffs SET case_no = (SELECT cases.case_no FROM cases "
               "WHERE cases.id = handoffs.case_id) WHERE case_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_status"))
        for column in ("close_note", "closed_at", "closed_by", "claimed_at", "claimed_by",
                       "callback_requested", "transcript", "collected", "channel", "category",
                       "urgent", "reason_code", "case_no"):
            batch_op.drop_column(column)
