"""spending ledger (one row per request attempt, written before sending) and generation leases

Existing arguments with a cost get one `answered` attempt each, so the spend stays the same.

Revision ID: 0003_spending
Revises: 0002_arguments
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_spending'
down_revision = '0002_arguments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('generation_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('writer', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=140), nullable=False),
    sa.Column('api', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('submission', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.String(length=100), nullable=False),
    sa.Column('worst_usd', sa.Float(), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.Column('cost_usd', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('run', sa.String(length=40), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('generation_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generation_request_request_key'), ['request_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_generation_request_study_id'), ['study_id'], unique=False)
    op.create_table('generation_lease',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('study_id')
    )
    op.execute(
        "INSERT INTO generation_request (study_id, request_key, writer, model, api, state, "
        "submission, batch_id, worst_usd, input_tokens, output_tokens, cost_usd, error, run, "
        "sent_at, ended_at) SELECT study_id, request_key, writer, provider || '/' || model, "
        "'messages', 'answered', '', '', cost_usd, input_tokens, output_tokens, cost_usd, '', "
        "'before-ledger', created_at, created_at FROM argument WHERE cost_usd > 0"
    )


def downgrade() -> None:
    op.drop_table('generation_lease')
    with op.batch_alter_table('generation_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_request_study_id'))
        batch_op.drop_index(batch_op.f('ix_generation_request_request_key'))
    op.drop_table('generation_request')
