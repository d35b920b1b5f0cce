"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 04:00:31.385568
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_event_entry_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_action_at', ['action', 'at'], unique=False)

    op.create_table('camera',
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('civil_code', sa.String(length=6), nullable=False),
    sa.Column('grassroots_code', sa.String(length=10), nullable=True),
    sa.Column('builder_unit', sa.String(length=100), nullable=False),
    sa.Column('manager_unit', sa.String(length=100), nullable=False),
    sa.Column('manager_phone', sa.String(length=32), nullable=False),
    sa.Column('contractor', sa.String(length=100), nullable=False),
    sa.Column('maintainer', sa.String(length=100), nullable=False),
    sa.Column('point_class', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.String(length=128), nullable=False),
    sa.Column('dept_code', sa.String(length=2), nullable=False),
    sa.Column('camera_type', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('position_types', sa.JSON(), nullable=False),
    sa.Column('coord_system', sa.String(length=8), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('ipv4', sa.String(length=45), nullable=True),
    sa.Column('mac', sa.String(length=17), nullable=True),
    sa.Column('indoor_outdoor', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Integer(), nullable=True),
    sa.Column('pole_id', sa.String(length=12), nullable=True),
    sa.Column('network', sa.Integer(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('share_attr', sa.Integer(), nullable=False),
    sa.Column('default_perms', sa.JSON(), nullable=False),
    sa.Column('vendor', sa.Integer(), nullable=False),
    sa.Column('codec', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('code_flags', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_camera'))
    )
    with op.batch_alter_table('camera', schema=None) as batch_op:
        batch_op.create_index('ix_camera_civil_code', ['civil_code'], unique=False)
        batch_op.create_index('ix_camera_dept_code', ['dept_code'], unique=False)
        batch_op.create_index('ix_camera_lat_lon', ['latitude', 'longitude'], unique=False)

    op.create_table('department',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_department'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('staff_no', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('dept_code', sa.String(length=2), nullable=False),
    sa.Column('region_prefix', sa.String(length=12), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dept_code'], ['department.code'], name=op.f('fk_app_user_dept_code_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('camera_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.Column('perms', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['camera.device_id'], name=op.f('fk_camera_grant_device_id_camera'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_camera_grant_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_grant'))
    )
    with op.batch_alter_table('camera_grant', schema=None) as batch_op:
        batch_op.create_index('ix_camera_grant_user', ['user_id', 'expires_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('camera_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_camera_grant_user')

    op.drop_table('camera_grant')
    op.drop_table('app_user')
    op.drop_table('department')
    with op.batch_alter_table('camera', schema=None) as batch_op:
        batch_op.drop_index('ix_camera_lat_lon')
        batch_op.drop_index('ix_camera_dept_code')
        batch_op.drop_index('ix_camera_civil_code')

    op.drop_table('camera')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action_at')

    op.drop_table('audit_event')
