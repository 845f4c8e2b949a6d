"""an index that covers the assignment pool's query (the study's assignable arguments and their
claims), read in every new session's transaction

Revision ID: 0008_argument_pool
Revises: 0007_conversations
"""
from alembic import op


revision = '0008_argument_pool'
down_revision = '0007_conversations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('argument', schema=None) as batch_op:
        batch_op.create_index('ix_argument_pool', ['study_id', 'status', 'claim_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('argument', schema=None) as batch_op:
        batch_op.drop_index('ix_argument_pool')
