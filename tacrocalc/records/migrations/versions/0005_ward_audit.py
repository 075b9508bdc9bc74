"""On the ward server, the database itself vouches for the audit trail (issue 13):

- each audit row's user and time are the server's (`current_user`, its clock), whatever the
  workstation sent; entries copied from a workstation's store (`server import-local`) keep
  theirs and carry who copied them and when;
- no one changes or removes an audit row (UPDATE, DELETE and TRUNCATE raise);
- a transaction that changes a patient's data must write to the audit trail, or it is rolled
  back at its commit;
- every change to a patient's rows, by TacroCalc or not, notifies the channel
  `tacrocalc_patients` with the patient's id, when it commits: the windows showing that
  patient on other workstations reload it (`Store.listen`).

A SQLite store is one user's file: there the application writes the trail, as before, and this
revision changes nothing.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DATA_TABLES = (
    "patients",
    "weights",
    "observations",
    "co_medication",
    "course_events",
    "creatinine_baselines",
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION tacrocalc_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            now text := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
                || '+00:00';
        BEGIN
            IF coalesce(current_setting('tacrocalc.copying', true), '') = 'yes' THEN
                -- A workstation's own trail copied by `server import-local`: its entries keep
                -- their time and user, and say who copied them and when.
                NEW.reason := concat_ws(' ', nullif(NEW.reason, ''),
                    '[by ' || current_user || ' at ' || now || ']');
            ELSE
                NEW.os_user := current_user;
                NEW.at := now;
            END IF;
            PERFORM set_config('tacrocalc.audited', 'yes', true);
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_stamp BEFORE INSERT ON audit"
        " FOR EACH ROW EXECUTE FUNCTION tacrocalc_audit_stamp()"
    )
    op.execute(
        """
        CREATE FUNCTION tacrocalc_audit_kept() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail cannot be changed or removed'
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_kept BEFORE UPDATE OR DELETE ON audit"
        " FOR EACH ROW EXECUTE FUNCTION tacrocalc_audit_kept()"
    )
    op.execute(
        "CREATE TRIGGER audit_kept_whole BEFORE TRUNCATE ON audit"
        " FOR EACH STATEMENT EXECUTE FUNCTION tacrocalc_audit_kept()"
    )
    op.execute(
        """
        CREATE FUNCTION tacrocalc_audit_required() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('tacrocalc.audited', true), '') <> 'yes' THEN
                RAISE EXCEPTION 'a change to % without an entry in the audit trail', TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table in DATA_TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_audited AFTER INSERT OR UPDATE OR DELETE"
            f" ON {table} DEFERRABLE INITIALLY DEFERRED"
            " FOR EACH ROW EXECUTE FUNCTION tacrocalc_audit_required()"
        )
    # The server sends a transaction's notifications when it commits, once per patient.
    op.execute(
        """
        CREATE FUNCTION tacrocalc_patient_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('tacrocalc_patients', to_jsonb(OLD) ->> TG_ARGV[0]);
            ELSE
                PERFORM pg_notify('tacrocalc_patients', to_jsonb(NEW) ->> TG_ARGV[0]);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table in DATA_TABLES:
        column = "id" if table == "patients" else "patient_id"
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION tacrocalc_patient_changed('{column}')"
        )


def downgrade() -> None:
    raise NotImplementedError("a patient store is never migrated back; restore a backup")
