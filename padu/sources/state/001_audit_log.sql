-- Padu's own database: the audit log of personal-data processing (UU PDP), append-only.
CREATE TABLE IF NOT EXISTS audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_role      text NOT NULL,
    actor           text,           -- NIP or admin id; a citizen appears as a keyed hash
    record_hash     text,           -- HMAC-SHA256 of the resident's NIK, never the NIK itself
    fields          text[] NOT NULL,
    operation       text NOT NULL,  -- "read" or "write"
    operation_name  text,           -- the GraphQL operation's name, when it has one
    request_id      text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_record_idx ON audit_log (record_hash, at DESC);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
