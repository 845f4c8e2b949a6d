"""conversations: the argument's format, conversations (one per assignment) and their turns

Revision ID: 0007_conversations
Revises: 0006_writing_wave
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_conversations'
down_revision = '0006_writing_wave'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('argument', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('format', sa.String(length=16), server_default='static', nullable=False)
        )
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('writer', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('end_reason', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['survey_session.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id')
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_study_id'), ['study_id'], unique=False)
    op.create_table('conversation_turn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('turn', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.Column('cost_usd', sa.Float(), nullable=False),
    sa.Column('latency_ms', sa.Integer(), nullable=False),
    sa.Column('pastes', sa.Integer(), nullable=False),
    sa.Column('keystrokes', sa.Integer(), nullable=False),
    sa.Column('typing_ms', sa.Integer(), nullable=False),
    sa.Column('placeholder', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'turn', 'role')
    )
    with op.batch_alter_table('conversation_turn', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_conversation_turn_conversation_id'), ['conversation_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('conversation_turn', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_turn_conversation_id'))
    op.drop_table('conversation_turn')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_study_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_session_id'))
    op.drop_table('conversation')
    with op.batch_alter_table('argument', schema=None) as batch_op:
        batch_op.drop_column('format')
