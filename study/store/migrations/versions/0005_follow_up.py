"""follow-up waves: a wave's kind (main or follow-up) and the wave it follows; follow-up sessions
and their ratings (support for a claim asked again, no argument shown)

Revision ID: 0005_follow_up
Revises: 0004_writing_claims
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_follow_up'
down_revision = '0004_writing_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('follow_up_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('platform_session', sa.String(length=200), nullable=False),
    sa.Column('completion_code', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    sa.UniqueConstraint('wave_id', 'participant_id')
    )
    with op.batch_alter_table('follow_up_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_session_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_session_wave_id'), ['wave_id'], unique=False)

    op.create_table('follow_up_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_session_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('support', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_up_session_id'], ['follow_up_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('follow_up_session_id', 'assignment_id')
    )
    with op.batch_alter_table('follow_up_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_rating_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_rating_follow_up_session_id'), ['follow_up_session_id'], unique=False)

    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='main', nullable=False))
        batch_op.add_column(sa.Column('follows_wave_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_wave_follows_wave_id', 'wave', ['follows_wave_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.drop_constraint('fk_wave_follows_wave_id', type_='foreignkey')
        batch_op.drop_column('follows_wave_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('follow_up_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_rating_follow_up_session_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_rating_assignment_id'))

    op.drop_table('follow_up_rating')
    with op.batch_alter_table('follow_up_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_session_wave_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_session_participant_id'))

    op.drop_table('follow_up_session')
