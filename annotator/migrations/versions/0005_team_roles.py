"""a team on a server: removed members, group roles, grants and row-level security

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 07:30:00

- annotators.removed_at: a member the lead took off the team (`annotator team remove`); the row
  stays so their work stays attributed (deleting it would cascade to their spans).

On PostgreSQL only (a no-op on SQLite, where the file's permissions are the only guard):
- three group roles per project database, named after it (`<db>_annotator`, `<db>_reviewer`,
  `<db>_lead`), recorded in project_settings under `server_roles`; `annotator team add` grants
  one of them to each person's login. Only their members may connect to the database.
- The tables belong to the lead group, and the login running this (the lead who ran `init`)
  is made a member: leads are the owners by design, and any lead can run later migrations.
- Grants: every group reads every table; only leads write documents, labels, relation labels,
  assignments, settings and the schema version. spans, relations, document_status and
  suggestion_decisions are written by all three groups, under row-level security (ENABLE and
  FORCE, so the owner is subject to it too): a lead reaches every row; an annotator inserts,
  changes and deletes only rows whose annotator_id is their own annotators row (name =
  current_user) and reads others' only while the setting `see_others` is true (suggestions of a
  `model` source are always readable); a reviewer reads every row and writes only the gold
  set's. annotators: all read; leads write; a reviewer may add the gold row only.
"""

import hashlib

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

GROUPS = ('annotator', 'reviewer', 'lead')
TEAM_TABLES = ('spans', 'relations', 'document_status', 'suggestion_decisions')
LEAD_TABLES = ('documents', 'labels', 'relation_labels', 'assignments', 'project_settings', 'alembic_version')
OWNED = TEAM_TABLES + LEAD_TABLES + ('annotators',)
SERVER_ROLES = 'server_roles'
_OWN = "(SELECT a.id FROM annotators a WHERE a.name = current_user AND a.removed_at IS NULL)"
_GOLD = "(SELECT a.id FROM annotators a WHERE a.role = 'gold')"
_SEE_OTHERS = "COALESCE((SELECT s.value::text FROM project_settings s WHERE s.key = 'see_others') = 'true', false)"
_MODELS = "(SELECT a.id FROM annotators a WHERE a.role = 'model')"
# Each policy: (name, tables, command, group, USING, WITH CHECK).
POLICIES = (
    ('team_lead', TEAM_TABLES + ('annotators',), 'ALL', 'lead', 'true', 'true'),
    ('team_own', TEAM_TABLES, 'ALL', 'annotator', f'annotator_id = {_OWN}', f'annotator_id = {_OWN}'),
    ('team_others', TEAM_TABLES, 'SELECT', 'annotator', f'{_SEE_OTHERS} OR annotator_id IN {_MODELS}', None),
    ('team_review', TEAM_TABLES, 'SELECT', 'reviewer', 'true', None),
    ('team_gold', TEAM_TABLES, 'ALL', 'reviewer', f'annotator_id = {_GOLD}', f'annotator_id = {_GOLD}'),
    ('team_read', ('annotators',), 'SELECT', 'annotator', 'true', None),
    ('team_review_read', ('annotators',), 'SELECT', 'reviewer', 'true', None),
    ('team_gold_row', ('annotators',), 'INSERT', 'reviewer', None, "role = 'gold' AND name = 'gold'"),
)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def group_names(database: str) -> dict[str, str]:
    """The project's group roles, named after its database (63 bytes at most, PostgreSQL's limit)."""
    stem = database
    if len(stem.encode()) > 50:
        stem = f"{stem.encode()[:40].decode(errors='ignore')}_{hashlib.sha256(database.encode()).hexdigest()[:8]}"
    return {group: f"{stem}_{group}" for group in GROUPS}


def upgrade() -> None:
    op.add_column('annotators', sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    database = bind.exec_driver_sql("SELECT current_database()").scalar()
    groups = group_names(database)
    for name in groups.values():
        if bind.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first() is None:
            op.execute(f"CREATE ROLE {quoted(name)} NOLOGIN")
    annotator, reviewer, lead = (quoted(groups[g]) for g in GROUPS)
    everyone = f"{annotator}, {reviewer}, {lead}"
    op.execute(f"GRANT {lead} TO CURRENT_USER")
    op.execute(f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted(database)} FROM PUBLIC")
    op.execute(f"GRANT CONNECT ON DATABASE {quoted(database)} TO {everyone}")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {everyone}")
    op.execute(f"GRANT CREATE ON SCHEMA public TO {lead}")  # owning tables there (and later migrations) needs it
    for table in OWNED:
        op.execute(f"ALTER TABLE {table} OWNER TO {lead}")
        op.execute(f"GRANT SELECT ON {table} TO {everyone}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {lead}")
    for table in TEAM_TABLES:
        op.execute(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {annotator}, {reviewer}")
    op.execute(f"GRANT INSERT ON annotators TO {reviewer}")
    # Inserting a span or link numbered by the server; moving a sequence past an id a command chose.
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {everyone}")
    for table in TEAM_TABLES + ('annotators',):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for name, tables, command, group, using, check in POLICIES:
        for table in tables:
            op.execute(f"CREATE POLICY {name} ON {table} FOR {command} TO {quoted(groups[group])}"
                       + (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else ""))
    settings = sa.table('project_settings', sa.column('key', sa.String), sa.column('value', sa.JSON))
    op.bulk_insert(settings, [{'key': SERVER_ROLES, 'value': groups}])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for name, tables, *_ in POLICIES:
            for table in tables:
                op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        for table in TEAM_TABLES + ('annotators',):
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"DELETE FROM project_settings WHERE key = '{SERVER_ROLES}'")
        # The group roles stay: their members keep their logins, and the tables their owner.
    with op.batch_alter_table('annotators') as batch_op:
        batch_op.drop_column('removed_at')
