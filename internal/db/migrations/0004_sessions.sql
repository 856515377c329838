-- Sign-in: passwords, lockout, the TOTP second factor, sessions; stored
-- attachment content.

ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
-- The TOTP secret is sealed; it counts only once enabled. The last step
-- used stops a code from being used twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;
ALTER TABLE users ADD COLUMN last_login_at BIGINT;

-- Sessions are stored by the SHA-256 of their id. stage: 'totp' (password
-- accepted, the second factor is due), 'enroll' (an administrator must set
-- up the second factor first), 'full'.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    csrf         TEXT NOT NULL,
    stage        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    remote_addr  TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    ended_at     BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Attachment content, addressed by its SHA-256: no name a user gives
-- reaches a file system, and every node sees every file.
CREATE TABLE attachment_blobs (
    sha256     TEXT PRIMARY KEY,
    content    {{blob}} NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
