"""index camera.updated_at (catalogue change detection across processes)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:20:00
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_camera_updated_at', 'camera', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_camera_updated_at', table_name='camera')
