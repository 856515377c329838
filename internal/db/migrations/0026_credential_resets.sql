-- Four-eyes resets of an administrator's credentials (internal/auth/reset.go):
-- a security administrator's request to reset another administrator's
-- password or second factor waits here until a second administrator
-- approves it. A password request carries the new password's argon2id hash
-- (cleared once the request is decided); stamp fingerprints the target's
-- credential, roles and state when asked, and a request whose target
-- changed since is refused.
CREATE TABLE credential_resets (
    id            {{id}},
    target_id     BIGINT NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,                 -- password | totp
    password_hash TEXT,
    stamp         TEXT NOT NULL,
    requested_by  BIGINT NOT NULL REFERENCES users (id),
    requested_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending', -- pending | applied | denied | withdrawn | expired | stale
    decided_by    BIGINT REFERENCES users (id),
    decided_at    BIGINT
);
-- At most one open request per account and kind.
CREATE UNIQUE INDEX credential_resets_pending ON credential_resets (target_id, kind) WHERE state = 'pending';
CREATE INDEX credential_resets_state ON credential_resets (state, expires_at);
