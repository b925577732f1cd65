"""retention: when a case's personal data was purged, and what the statistics keep of the ID

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from integration.service.adapters.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_data_purged_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("age_band", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_column("age_band")
        batch_op.drop_column("gender")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("personal_data_purged_at")
