"""alerts: the kind of outbox work (a new alert or its escalation) and when an alert escalated

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                      server_default='new'))
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_column('escalated_at')
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.drop_column('kind')
