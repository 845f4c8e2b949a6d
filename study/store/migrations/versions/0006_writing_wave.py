"""writing waves: the platform study that recruits human writers; a writing task's submission
id on the platform and its review there

Revision ID: 0006_writing_wave
Revises: 0005_follow_up
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_writing_wave'
down_revision = '0005_follow_up'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('writing_wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('platform_ref', sa.String(length=200), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('study_id', 'number')
    )
    with op.batch_alter_table('writing_wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_writing_wave_study_id'), ['study_id'], unique=False)
    with op.batch_alter_table('writing_task', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('platform_session', sa.String(length=200), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('review', sa.String(length=16), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('writing_wave_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_writing_task_writing_wave_id', 'writing_wave', ['writing_wave_id'], ['id'],
            ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('writing_task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_writing_task_writing_wave_id', type_='foreignkey')
        batch_op.drop_column('writing_wave_id')
        batch_op.drop_column('review')
        batch_op.drop_column('platform_session')
    with op.batch_alter_table('writing_wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_writing_wave_study_id'))
    op.drop_table('writing_wave')
