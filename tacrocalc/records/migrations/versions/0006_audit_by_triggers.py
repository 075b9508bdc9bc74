"""On the ward server, the database itself writes the audit trail (issue 13):

- every row inserted, changed or deleted in a table of a patient's data (patients, weights,
  observations, co_medication, course_events, creatinine_baselines) makes its audit row, in the
  same transaction, by whoever and however it was changed: TacroCalc, or psql under a
  clinician's login. The row names the database user (`current_user`) at the server's clock;
  before and after are the row as the patient file writes it ("8.1 ug/L"), the shape the
  SQLite store's trail has, so the history reads the same on either store;
- TacroCalc's own word for the change ("correct") and its reason come from the settings
  `tacrocalc.action` and `tacrocalc.reason` that the store sets for its transaction
  (`set_config(…, true)`); without them (psql) the word is the operation's (insert, update,
  delete; a result or event hidden or shown again is a delete or a restore) and there is no
  reason. Raising a patient's version alone is no change of their data and makes no row;
- a whole record imported or replaced (`tacrocalc.action` import or replace) is one entry,
  the whole record before and after, which the store writes: its rows make none of their own,
  and the transaction is rolled back at its commit unless it wrote an audit entry for that
  patient (the check of 0005, now only for this case; an entry counts when this transaction
  wrote it, which no setting can pretend).

A SQLite store is one user's file: there the application writes the trail, as before, and this
revision changes nothing.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
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

WHOLE_RECORD = "coalesce(current_setting('tacrocalc.action', true), '') IN ('import', 'replace')"

# A number as the patient file writes it (Python's shortest repr, "8" for 8.0): PostgreSQL's
# shortest round-trip output, whatever the session's extra_float_digits.
_NUMBER = """
CREATE FUNCTION tacrocalc_number(value float8) RETURNS text
LANGUAGE sql IMMUTABLE SET extra_float_digits = 1
AS $$ SELECT value::text $$
"""

# A float as JSON writes it from Python ("1.0", not "1"): a number with a scale.
_FLOAT_JSON = """
CREATE FUNCTION tacrocalc_float_json(value float8) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET extra_float_digits = 1
AS $$
    SELECT CASE
        WHEN value IS NULL THEN NULL
        WHEN value::text ~ '^-?[0-9]+$' THEN (value::text || '.0')::jsonb
        ELSE value::text::jsonb
    END
$$
"""

# One row (to_jsonb of it) as the store's audit entries and the patient file write it:
# records/patient_file.py (observation_json, weight_json, event_json, baseline_json) and
# store._patient_json. Members left out by the file are left out here.
_ITEM = """
CREATE FUNCTION tacrocalc_audit_item(tbl text, r jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    value text;
BEGIN
    IF r IS NULL THEN
        RETURN NULL;
    END IF;
    CASE tbl
    WHEN 'patients' THEN
        RETURN jsonb_build_object(
            'birth_date', r->'birth_date',
            'id', r->'id',
            'name', r->'name',
            'prior_ciclosporin_nephrotoxicity',
                coalesce((r->>'prior_ciclosporin_nephrotoxicity')::int, 0) <> 0,
            'protocol', r->'protocol_id',
            'sex', r->'sex'
        ) || CASE WHEN r->>'target_low' IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(
            'target_trough', jsonb_build_object(
                'low', tacrocalc_number((r->>'target_low')::float8) || ' ' || (r->>'target_unit'),
                'high', tacrocalc_number((r->>'target_high')::float8) || ' ' || (r->>'target_unit'),
                'source', r->'target_source'
            ) || CASE WHEN r->>'target_caution' IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(
                'caution',
                tacrocalc_number((r->>'target_caution')::float8) || ' ' || (r->>'target_unit')
            ) END
        ) END;
    WHEN 'observations' THEN
        IF r->>'kind' = 'blood_pressure' THEN
            value := tacrocalc_number((r->>'value')::float8) || '/'
                || tacrocalc_number((r->>'value2')::float8) || ' ' || (r->>'unit');
        ELSE
            value := CASE WHEN r->>'kind' = 'trough' AND (r->>'below_limit')::int <> 0
                    THEN '<' ELSE '' END
                || tacrocalc_number((r->>'value')::float8) || ' ' || (r->>'unit');
        END IF;
        RETURN jsonb_strip_nulls(jsonb_build_object(
            'date', r->'date',
            'time', r->'time',
            'kind', r->'kind',
            'value', value,
            'last_dose_time', CASE WHEN r->>'kind' = 'trough' THEN r->'last_dose_time' END
        ));
    WHEN 'weights' THEN
        RETURN jsonb_build_object(
            'date', r->'date',
            'value', tacrocalc_number((r->>'value')::float8) || ' ' || (r->>'unit')
        );
    WHEN 'course_events' THEN
        RETURN jsonb_strip_nulls(jsonb_build_object(
            'date', r->'date',
            'time', r->'time',
            'kind', r->'kind',
            'formulation', r->'formulation',
            'dose', tacrocalc_number((r->>'dose')::float8) || ' ' || coalesce(r->>'unit', 'mg'),
            'times', CASE WHEN coalesce(r->>'times', '') <> ''
                THEN to_jsonb(array_remove(string_to_array(r->>'times', ','), '')) END,
            'reason', nullif(r->>'reason', ''),
            'recorded_by', nullif(r->>'recorded_by', ''),
            'resume_on', r->'resume_on',
            'ratio', tacrocalc_float_json((r->>'ratio')::float8)
        ));
    WHEN 'creatinine_baselines' THEN
        RETURN jsonb_build_object(
            'date', r->'date',
            'reason', r->'reason',
            'value', tacrocalc_number((r->>'value')::float8) || ' ' || (r->>'unit')
        );
    WHEN 'co_medication' THEN
        RETURN jsonb_build_object('date', r->'date', 'note', r->'note');
    ELSE
        RETURN r;
    END CASE;
END $$
"""

_ROW = """
CREATE FUNCTION tacrocalc_audit_row() RETURNS trigger
LANGUAGE plpgsql SET extra_float_digits = 1
AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    this_row jsonb := coalesce(new_row, old_row);
    done text := lower(TG_OP);
    word text := nullif(current_setting('tacrocalc.action', true), '');
BEGIN
    IF word IN ('import', 'replace') THEN
        RETURN NULL;  -- one entry for the whole record, by the store (checked at commit)
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF TG_TABLE_NAME = 'patients' AND (old_row - 'version') = (new_row - 'version') THEN
            RETURN NULL;  -- the version raised by a write to the patient's other rows
        END IF;
        IF old_row->>'deleted_at' IS NULL AND new_row->>'deleted_at' IS NOT NULL THEN
            done := 'delete';  -- a result or event taken out of the record; its row stays
            new_row := NULL;
        ELSIF old_row->>'deleted_at' IS NOT NULL AND new_row->>'deleted_at' IS NULL THEN
            done := 'restore';
            old_row := NULL;
        END IF;
    END IF;
    INSERT INTO audit (at, os_user, action, entity, entity_id, patient_id, before, after, reason)
    VALUES (
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00',
        current_user,
        coalesce(word, done),
        CASE TG_TABLE_NAME
            WHEN 'patients' THEN 'patient'
            WHEN 'weights' THEN 'weight'
            WHEN 'observations' THEN 'observation'
            WHEN 'course_events' THEN 'event'
            WHEN 'creatinine_baselines' THEN 'baseline'
            ELSE TG_TABLE_NAME
        END,
        this_row->>'id',
        CASE WHEN TG_TABLE_NAME = 'patients' THEN this_row->>'id' ELSE this_row->>'patient_id' END,
        tacrocalc_audit_item(TG_TABLE_NAME, old_row)::text,
        tacrocalc_audit_item(TG_TABLE_NAME, new_row)::text,
        nullif(current_setting('tacrocalc.reason', true), '')
    );
    RETURN NULL;
END $$
"""

# 0005's stamp, without the flag its check read (a setting anyone could set).
_STAMP = """
CREATE OR REPLACE FUNCTION tacrocalc_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RETURN NEW;
END $$
"""

# A row of a whole record imported or replaced: this transaction wrote the record's entry.
_REQUIRED = """
CREATE OR REPLACE FUNCTION tacrocalc_audit_required() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    this_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
    patient text := CASE WHEN TG_TABLE_NAME = 'patients' THEN this_row->>'id'
        ELSE this_row->>'patient_id' END;
BEGIN
    IF NOT EXISTS (
        SELECT FROM audit WHERE patient_id = patient AND xmin = pg_current_xact_id()::xid
    ) THEN
        RAISE EXCEPTION 'a change to % without an entry in the audit trail', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for statement in (_NUMBER, _FLOAT_JSON, _ITEM, _ROW, _STAMP, _REQUIRED):
        op.execute(statement)
    for table in DATA_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION tacrocalc_audit_row()"
        )
        op.execute(f"DROP TRIGGER {table}_audited ON {table}")
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_audited AFTER INSERT OR UPDATE OR DELETE"
            f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({WHOLE_RECORD})"
            " EXECUTE FUNCTION tacrocalc_audit_required()"
        )


def downgrade() -> None:
    raise NotImplementedError("a patient store is never migrated back; restore a backup")
