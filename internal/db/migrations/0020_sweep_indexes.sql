-- Housekeeping: casework.Sweep finds uploaded content no attachment took:
-- the content stored in a window of days by when it was stored, each
-- looked up among the attachments by its digest.
CREATE INDEX attachment_blobs_created ON attachment_blobs (created_at);
CREATE INDEX attachments_sha256 ON attachments (sha256);
-- And sessions long expired (auth.SweepSessions).
CREATE INDEX sessions_expires ON sessions (expires_at);
