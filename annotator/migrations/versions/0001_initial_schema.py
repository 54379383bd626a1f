"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:29:49.914572
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annotators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('annotator', 'reviewer', 'lead')", name='ck_annotators_role'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('tokens', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id', 'length', name='uq_documents_id_length'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=True),
    sa.Column('guideline', sa.Text(), nullable=False),
    sa.Column('ner', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key'),
    sa.UniqueConstraint('name')
    )
    op.create_table('relation_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('head_labels', sa.JSON(), nullable=False),
    sa.Column('child_labels', sa.JSON(), nullable=False),
    sa.Column('guideline', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('document_status',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('annotator_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('todo', 'in_progress', 'done', 'skipped')", name='ck_document_status_status'),
    sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'annotator_id')
    )
    with op.batch_alter_table('document_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_status_annotator_id'), ['annotator_id'], unique=False)

    op.create_table('spans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('doc_length', sa.Integer(), nullable=False),
    sa.Column('annotator_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("origin IN ('manual', 'imported', 'suggested')", name='ck_spans_origin'),
    sa.CheckConstraint('start >= 0 AND start < "end" AND "end" <= doc_length', name='ck_spans_offsets'),
    sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id', 'doc_length'], ['documents.id', 'documents.length'], name='fk_spans_document', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'annotator_id', 'label_id', 'start', 'end', name='uq_spans_identity')
    )
    with op.batch_alter_table('spans', schema=None) as batch_op:
        batch_op.create_index('ix_spans_document_annotator', ['document_id', 'annotator_id'], unique=False)

    op.create_table('relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('annotator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('head_id <> child_id', name='ck_relations_distinct'),
    sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['child_id'], ['spans.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['head_id'], ['spans.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['relation_labels.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('head_id', 'child_id', 'label_id', name='uq_relations_identity')
    )
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relations_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relations_head_id'), ['head_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relations_head_id'))
        batch_op.drop_index(batch_op.f('ix_relations_child_id'))

    op.drop_table('relations')
    with op.batch_alter_table('spans', schema=None) as batch_op:
        batch_op.drop_index('ix_spans_document_annotator')

    op.drop_table('spans')
    with op.batch_alter_table('document_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_status_annotator_id'))

    op.drop_table('document_status')
    op.drop_table('relation_labels')
    op.drop_table('labels')
    op.drop_table('documents')
    op.drop_table('annotators')
