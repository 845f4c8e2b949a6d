"""writing tasks: when a writer claimed the task (claims expire and return to the pool)

Revision ID: 0004_writing_claims
Revises: 0003_spending
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_writing_claims'
down_revision = '0003_spending'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('writing_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('writing_task', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
