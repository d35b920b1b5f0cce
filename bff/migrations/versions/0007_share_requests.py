"""sharing: share requests, their per-department parts, share grants and in-app notices;
camera grants gain a start time and the share grant they belong to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('share_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['app_user.id'], name=op.f('fk_share_request_requester_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_request'))
    )
    with op.batch_alter_table('share_request', schema=None) as batch_op:
        batch_op.create_index('ix_share_request_requester', ['requester_id', 'created_at'], unique=False)

    op.create_table('share_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('dept_code', sa.String(length=2), nullable=False),
    sa.Column('device_ids', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_share_part_decided_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dept_code'], ['department.code'], name=op.f('fk_share_part_dept_code_department')),
    sa.ForeignKeyConstraint(['request_id'], ['share_request.id'], name=op.f('fk_share_part_request_id_share_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_part'))
    )
    with op.batch_alter_table('share_part', schema=None) as batch_op:
        batch_op.create_index('ix_share_part_dept_state', ['dept_code', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_part_request_id'), ['request_id'], unique=False)

    op.create_table('share_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('dept_code', sa.String(length=2), nullable=False),
    sa.Column('device_ids', sa.JSON(), nullable=False),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=True),
    sa.Column('expiry_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_share_grant_decided_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dept_code'], ['department.code'], name=op.f('fk_share_grant_dept_code_department')),
    sa.ForeignKeyConstraint(['part_id'], ['share_part.id'], name=op.f('fk_share_grant_part_id_share_part'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['app_user.id'], name=op.f('fk_share_grant_revoked_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_share_grant_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_grant'))
    )
    with op.batch_alter_table('share_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_grant_part_id'), ['part_id'], unique=False)
        batch_op.create_index('ix_share_grant_user', ['user_id', 'ends_at'], unique=False)

    op.create_table('share_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['share_grant.id'], name=op.f('fk_share_notice_grant_id_share_grant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['share_request.id'], name=op.f('fk_share_notice_request_id_share_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_share_notice_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_notice'))
    )
    with op.batch_alter_table('share_notice', schema=None) as batch_op:
        batch_op.create_index('ix_share_notice_user', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('camera_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('share_grant_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_camera_grant_share_grant_id'), ['share_grant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('camera_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_grant_share_grant_id'))
        batch_op.drop_column('share_grant_id')
        batch_op.drop_column('starts_at')

    with op.batch_alter_table('share_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_share_notice_user')

    op.drop_table('share_notice')
    with op.batch_alter_table('share_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_share_grant_user')
        batch_op.drop_index(batch_op.f('ix_share_grant_part_id'))

    op.drop_table('share_grant')
    with op.batch_alter_table('share_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_part_request_id'))
        batch_op.drop_index('ix_share_part_dept_state')

    op.drop_table('share_part')
    with op.batch_alter_table('share_request', schema=None) as batch_op:
        batch_op.drop_index('ix_share_request_requester')

    op.drop_table('share_request')
