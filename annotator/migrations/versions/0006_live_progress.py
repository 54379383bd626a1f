"""others' progress for an open window: status counts without names, and a change marker

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:40:00

On PostgreSQL only (on SQLite the counts are a plain query and `PRAGMA data_version` is the
marker, see annotator/team/live_progress.py; the revision is still recorded, so the ladder is the same):
- document_status_counts(me): per document, how many other people (annotators, reviewers, leads;
  not gold or model) have it done, in progress and skipped. SECURITY DEFINER, owned by the lead
  group: row-level security hides others' status rows from a blind annotator, and this returns
  counts only, never who, spans or links. `me` is whose rows to leave out; it is honoured for a
  lead, a reviewer or a superuser (who read every row anyway) and replaced by the login for
  anyone else, so an annotator cannot learn one person's status by leaving them out.
- status_versions: one counter per annotator, raised by statement triggers on document_status
  by the number of that annotator's rows each statement touched. Each person's writes touch only
  their own counter row, so annotators still never wait for each other (a shared counter row
  would make every status write wait for the last one); the counters are transactional, so a
  poll that sees a new total also sees the rows that raised it (a sequence would move before the
  commit, and a poll could read the old counts and keep the new marker).
- document_status_version(): the sum of the counters, the cheap "did anything change?" a window
  asks every few seconds before it re-reads the counts (with whether it may still execute
  document_status_counts: a login the lead removed may not).
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_GROUP = "(SELECT s.value::json->>'{role}' FROM project_settings s WHERE s.key = 'server_roles')"
_SEES_ALL = (f"COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) "
             f"OR COALESCE(pg_has_role(session_user, {_GROUP.format(role='lead')}, 'MEMBER'), false) "
             f"OR COALESCE(pg_has_role(session_user, {_GROUP.format(role='reviewer')}, 'MEMBER'), false)")
_DEFINER = "LANGUAGE {language} STABLE SECURITY DEFINER SET search_path = public, pg_temp"
FUNCTIONS = ('document_status_counts(text)', 'document_status_version()')
TRIGGERS = (('insert', 'NEW'), ('update', 'NEW'), ('delete', 'OLD'))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    groups = bind.exec_driver_sql("SELECT value::json->>'annotator', value::json->>'reviewer', value::json->>'lead' "
                                  "FROM project_settings WHERE key = 'server_roles'").first()
    everyone = ", ".join('"' + name.replace('"', '""') + '"' for name in groups)
    lead = '"' + groups[2].replace('"', '""') + '"'
    op.execute("CREATE TABLE status_versions (annotator_id integer PRIMARY KEY, changes bigint NOT NULL)")
    op.execute(f"""
        CREATE FUNCTION note_status_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public, pg_temp AS $$
        BEGIN
            INSERT INTO status_versions AS v (annotator_id, changes)
            SELECT annotator_id, count(*) FROM changed_rows GROUP BY annotator_id
            ON CONFLICT (annotator_id) DO UPDATE SET changes = v.changes + EXCLUDED.changes;
            RETURN NULL;
        END $$""")
    for event, table in TRIGGERS:
        op.execute(f"CREATE TRIGGER document_status_{event}d AFTER {event.upper()} ON document_status "
                   f"REFERENCING {table} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION note_status_change()")
    op.execute(f"""
        CREATE FUNCTION document_status_counts(me text)
        RETURNS TABLE (document_id integer, done bigint, in_progress bigint, skipped bigint)
        {_DEFINER.format(language='sql')} AS $$
            SELECT s.document_id, count(*) FILTER (WHERE s.status = 'done'),
                   count(*) FILTER (WHERE s.status = 'in_progress'), count(*) FILTER (WHERE s.status = 'skipped')
            FROM document_status s JOIN annotators a ON a.id = s.annotator_id
            WHERE a.role IN ('annotator', 'reviewer', 'lead') AND s.status <> 'todo'
              AND a.name IS DISTINCT FROM (CASE WHEN {_SEES_ALL} THEN me ELSE session_user::text END)
            GROUP BY s.document_id
        $$""")
    op.execute(f"CREATE FUNCTION document_status_version() RETURNS bigint {_DEFINER.format(language='sql')} AS $$ "
               "SELECT COALESCE(sum(changes), 0)::bigint FROM status_versions $$")
    # Owned by the lead group, like the tables: the functions then read every row (its policy).
    op.execute(f"ALTER TABLE status_versions OWNER TO {lead}")
    for function in FUNCTIONS + ('note_status_change()',):
        op.execute(f"ALTER FUNCTION {function} OWNER TO {lead}")
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION document_status_counts(text) TO {everyone}")
    # A number that says nothing about anyone: callable by any login still connected, so that one
    # query asks it and whether the login is still on the team (a removed login's session would
    # fail the whole statement on a function it may not execute, even one a CASE never reaches).
    op.execute("GRANT EXECUTE ON FUNCTION document_status_version() TO PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for event, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS document_status_{event}d ON document_status")
    for function in FUNCTIONS + ('note_status_change()',):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DROP TABLE IF EXISTS status_versions")
