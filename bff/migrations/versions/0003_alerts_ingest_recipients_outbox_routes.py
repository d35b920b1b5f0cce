"""alerts: ingest, recipients, outbox, routes (with the default routes as data)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:01:34.948800
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# The routes every deployment starts with (issue 10); written here, once, so an admin's
# later edits are never overwritten by a restart. Kept literal: a migration must not
# change when the code's defaults do.
DEFAULT_ROUTES = [
    {'type': 'flooding', 'dept_codes': ['15', '21'], 'to_owner': False},
    {'type': 'kitchen_no_hat', 'dept_codes': ['24'], 'to_owner': False},
    {'type': 'kitchen_rodent', 'dept_codes': ['24'], 'to_owner': False},
    {'type': 'kitchen_garbage', 'dept_codes': ['24'], 'to_owner': False},
    {'type': 'forest_fire', 'dept_codes': ['21'], 'to_owner': False},
    {'type': 'smuggling_intrusion', 'dept_codes': ['06'], 'to_owner': False},
    {'type': 'camera_offline', 'dept_codes': ['29'], 'to_owner': True},
]


def upgrade() -> None:
    routes = op.create_table('alert_route',
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('dept_codes', sa.JSON(), nullable=False),
    sa.Column('to_owner', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('type', name=op.f('pk_alert_route'))
    )
    op.bulk_insert(routes, DEFAULT_ROUTES)
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('snapshot', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['app_user.id'], name=op.f('fk_alert_acknowledged_by_app_user')),
    sa.ForeignKeyConstraint(['resolved_by'], ['app_user.id'], name=op.f('fk_alert_resolved_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('source', 'event_id', name='uq_alert_source_event')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_device_occurred', ['device_id', 'occurred_at'], unique=False)

    op.create_table('alert_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_outbox_alert_id_alert'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_outbox'))
    )
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_alert_outbox_pending', ['delivered_at', 'claimed_until'], unique=False)

    op.create_table('alert_recipient',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_recipient_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_alert_recipient_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alert_id', 'user_id', name=op.f('pk_alert_recipient'))
    )
    with op.batch_alter_table('alert_recipient', schema=None) as batch_op:
        batch_op.create_index('ix_alert_recipient_user', ['user_id', 'alert_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alert_recipient', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_recipient_user')

    op.drop_table('alert_recipient')
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_outbox_pending')

    op.drop_table('alert_outbox')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_device_occurred')

    op.drop_table('alert')
    op.drop_table('alert_route')
