"""audit: chain positions, ids never reused on SQLite, indexes for browsing by actor and target

Entries written before this revision were chained with an unkeyed SHA-256; they are given
their positions here but cannot be sealed after the fact, so `bff audit verify` reports
the first of them as altered. The app had no deployment with an audit log to keep when
the seal came in (issue 13).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
    op.execute("UPDATE audit_event SET seq = (SELECT COUNT(*) FROM audit_event AS earlier "
               "WHERE earlier.id <= audit_event.id)")
    # SQLite reuses the ids of deleted newest rows unless the table is AUTOINCREMENT, which
    # only a rebuilt table can become.
    with op.batch_alter_table('audit_event', schema=None,
                              recreate='always' if sqlite else 'auto',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])
        batch_op.create_index('ix_audit_event_actor_at', ['actor', 'at'], unique=False)
        batch_op.create_index('ix_audit_event_target_at', ['target', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_target_at')
        batch_op.drop_index('ix_audit_event_actor_at')
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.drop_column('seq')
