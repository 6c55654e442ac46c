"""Make the audit trail append-only in the database itself.

An entry, once written, cannot be changed by any code path (admin, shell, a bug): the database
refuses the UPDATE. The one change allowed is the actor becoming NULL, which is what deleting a
user does to their entries (``on_delete=SET_NULL``). Entries still leave through the retention
purge (DELETE), which only ``audit_purge`` does.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id
       OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.target IS DISTINCT FROM OLD.target
       OR NEW.ip IS DISTINCT FROM OLD.ip
       OR NEW.reason IS DISTINCT FROM OLD.reason
       OR NEW.room_id IS DISTINCT FROM OLD.room_id
       OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id) THEN
        RAISE EXCEPTION 'audit entries are append-only' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE ON audit_auditentry
WHEN NEW.id IS NOT OLD.id
  OR NEW.action IS NOT OLD.action
  OR NEW.target IS NOT OLD.target
  OR NEW.ip IS NOT OLD.ip
  OR NEW.reason IS NOT OLD.reason
  OR NEW.room_id IS NOT OLD.room_id
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id)
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_auditentry_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_auditentry_room_id")]

    operations = [migrations.RunPython(forward, backward)]
