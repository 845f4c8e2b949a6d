"""argument generation: writing task texts, submitted message batches

Revision ID: 0002_arguments
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_arguments'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('generation_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('provider_batch_id', sa.String(length=100), nullable=False),
    sa.Column('model', sa.String(length=140), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('request_keys', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_batch_id')
    )
    with op.batch_alter_table('generation_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generation_batch_study_id'), ['study_id'], unique=False)
    with op.batch_alter_table('writing_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instructions', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('words_min', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('words_max', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('bonus', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('writing_task', schema=None) as batch_op:
        batch_op.drop_column('bonus')
        batch_op.drop_column('words_max')
        batch_op.drop_column('words_min')
        batch_op.drop_column('instructions')
    with op.batch_alter_table('generation_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_batch_study_id'))
    op.drop_table('generation_batch')
