"""assignments: which annotator gets which document, in queue order

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 18:40:00

A new table only; no existing table is rebuilt.
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assignments',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('annotator_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'annotator_id'),
    sa.UniqueConstraint('annotator_id', 'position', name='uq_assignments_queue')
    )


def downgrade() -> None:
    op.drop_table('assignments')
