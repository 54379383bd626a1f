"""gold set: annotator role "gold", reviewer_id on spans and relations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:45:00

SQLite cannot alter a CHECK constraint, so the annotators table is rebuilt
(batch mode, copy_from the new definition).  Rebuilding drops the old table,
which would cascade-delete every span, status and link if foreign keys were
enforced: the store runs migrations with foreign keys off and checks them
afterwards (see annotator.store._upgrade), as SQLite's ALTER TABLE guide says.
The reviewer columns are plain ADD COLUMNs with an inline REFERENCES, so the
spans and relations tables (and their CHECKs) are not rebuilt.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _annotators(roles: tuple[str, ...]) -> sa.Table:
    return sa.Table(
        'annotators', sa.MetaData(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"role IN ({', '.join(repr(r) for r in roles)})", name='ck_annotators_role'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


OLD_ROLES = ('annotator', 'reviewer', 'lead')
NEW_ROLES = OLD_ROLES + ('gold',)


def _set_roles(roles: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('annotators', recreate='always', copy_from=_annotators(roles)):
            pass
    else:
        op.drop_constraint('ck_annotators_role', 'annotators', type_='check')
        op.create_check_constraint('ck_annotators_role', 'annotators',
                                   f"role IN ({', '.join(repr(r) for r in roles)})")


def upgrade() -> None:
    _set_roles(NEW_ROLES)
    for table in ('spans', 'relations'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('reviewer_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_reviewer', 'annotators', ['reviewer_id'], ['id'],
                                        ondelete='SET NULL')


def downgrade() -> None:
    for table in ('relations', 'spans'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('reviewer_id')
    op.execute("DELETE FROM annotators WHERE role = 'gold'")
    _set_roles(OLD_ROLES)
