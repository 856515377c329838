-- History is never rewritten: the timeline and the audit log refuse UPDATE
-- and DELETE. (The audit log's hash chain also detects changes made by
-- someone who removes these triggers.)
CREATE FUNCTION pingan_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER timeline_append_only BEFORE UPDATE OR DELETE ON timeline
    FOR EACH ROW EXECUTE FUNCTION pingan_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION pingan_append_only();
