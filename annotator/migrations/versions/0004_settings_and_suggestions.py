"""project settings (with the project's id) and suggestions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:20:00

- project_settings: key -> JSON value; `project_id` is written here, so every project, new or
  upgraded, has one (bundles name the project they came from with it).
- annotators: role "model" (a source of suggestions: rules, a trained model).
- spans: origin "accepted" / "changed" (a suggestion a person took as it was / changed) and a
  nullable score (a suggestion's confidence).
- suggestion_decisions: what each person did with each suggestion.

SQLite cannot alter a CHECK constraint: annotators and spans are rebuilt from their full
definitions (batch mode, copy_from), with foreign keys off during migrations (see 0002).
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_ROLES = ('annotator', 'reviewer', 'lead', 'gold')
NEW_ROLES = OLD_ROLES + ('model',)
OLD_ORIGINS = ('manual', 'imported', 'suggested')
NEW_ORIGINS = OLD_ORIGINS + ('accepted', 'changed')


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _annotators(roles: tuple[str, ...]) -> sa.Table:
    return sa.Table(
        'annotators', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in('role', roles), name='ck_annotators_role'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


def _spans(origins: tuple[str, ...], with_score: bool) -> sa.Table:
    metadata = sa.MetaData()
    sa.Table('annotators', metadata, sa.Column('id', sa.Integer(), primary_key=True))
    sa.Table('labels', metadata, sa.Column('id', sa.Integer(), primary_key=True))
    sa.Table('documents', metadata, sa.Column('id', sa.Integer(), primary_key=True), sa.Column('length', sa.Integer()))
    return sa.Table(
        'spans', metadata,
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
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        *([sa.Column('score', sa.Float(), nullable=True)] if with_score else []),
        sa.CheckConstraint(_in('origin', origins), name='ck_spans_origin'),
        sa.CheckConstraint('start >= 0 AND start < "end" AND "end" <= doc_length', name='ck_spans_offsets'),
        sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id', 'doc_length'], ['documents.id', 'documents.length'],
                                name='fk_spans_document', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['label_id'], ['labels.id']),
        sa.ForeignKeyConstraint(['reviewer_id'], ['annotators.id'], name='fk_spans_reviewer', ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'annotator_id', 'label_id', 'start', 'end', name='uq_spans_identity'),
        sa.Index('ix_spans_document_annotator', 'document_id', 'annotator_id'),
    )


def _set_checks(roles: tuple[str, ...], origins: tuple[str, ...], with_score: bool) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('annotators', recreate='always', copy_from=_annotators(roles)):
            pass
        with op.batch_alter_table('spans', recreate='always', copy_from=_spans(origins, not with_score)) as batch_op:
            if with_score:
                batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
            else:
                batch_op.drop_column('score')
        return
    for table, name, check in (('annotators', 'ck_annotators_role', _in('role', roles)),
                               ('spans', 'ck_spans_origin', _in('origin', origins))):
        op.drop_constraint(name, table, type_='check')
        op.create_check_constraint(name, table, check)
    if with_score:
        op.add_column('spans', sa.Column('score', sa.Float(), nullable=True))
    else:
        op.drop_column('spans', 'score')


def upgrade() -> None:
    settings = op.create_table(
        'project_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.bulk_insert(settings, [{'key': 'project_id', 'value': uuid.uuid4().hex}])
    _set_checks(NEW_ROLES, NEW_ORIGINS, with_score=True)
    op.create_table(
        'suggestion_decisions',
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('annotator_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in('decision', ('accepted', 'changed', 'rejected')),
                           name='ck_suggestion_decisions_decision'),
        sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['suggestion_id'], ['spans.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('suggestion_id', 'annotator_id'),
    )
    op.create_index('ix_suggestion_decisions_annotator_id', 'suggestion_decisions', ['annotator_id'])


def downgrade() -> None:
    op.drop_index('ix_suggestion_decisions_annotator_id', 'suggestion_decisions')
    op.drop_table('suggestion_decisions')
    op.execute("DELETE FROM spans WHERE origin IN ('accepted', 'changed')")
    op.execute("DELETE FROM annotators WHERE role = 'model'")
    _set_checks(OLD_ROLES, OLD_ORIGINS, with_score=False)
    op.drop_table('project_settings')
