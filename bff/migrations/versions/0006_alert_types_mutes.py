"""alerts: admin-added types, per-user mutes, departments that must receive a type, an
index for escalation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_type',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_zh', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=60), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('ttl_s', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_alert_type_created_by_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_alert_type'))
    )
    op.create_table('alert_mute',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_alert_mute_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'type', name=op.f('pk_alert_mute'))
    )
    with op.batch_alter_table('alert_route', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_dept_codes', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_escalation_due',
                              ['state', 'escalated_at', 'received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_escalation_due')
    with op.batch_alter_table('alert_route', schema=None) as batch_op:
        batch_op.drop_column('required_dept_codes')
    op.drop_table('alert_mute')
    op.drop_table('alert_type')
