-- pingan schema, version 1.
--
-- Conventions (both dialects):
--   * times are BIGINT Unix microseconds (UTC); NULL means "not yet";
--   * {{id}} is an auto-assigned BIGINT primary key;
--   * codes are TEXT; booleans are BOOLEAN; free-form structures are JSON in TEXT.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Gapless named counters (case numbers per year).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- Organisation: one tree of units. path is the chain of ids from the root,
-- '/1/4/17/', so a subtree is a prefix match.
CREATE TABLE units (
    id            {{id}},
    parent_id     BIGINT REFERENCES units (id),
    path          TEXT NOT NULL,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    level         TEXT NOT NULL,
    division_code TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    retired_at    BIGINT
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id            {{id}},
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    unit_id       BIGINT NOT NULL REFERENCES units (id),
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- API tokens are stored as SHA-256 hashes; the token itself is shown once.
CREATE TABLE api_tokens (
    id           {{id}},
    user_id      BIGINT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Catalogue.
CREATE TABLE natures (
    code       TEXT PRIMARY KEY,
    family     TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    sort       INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE categories (
    id         {{id}},
    parent_id  BIGINT REFERENCES categories (id),
    code       TEXT NOT NULL UNIQUE,
    domain     TEXT NOT NULL,
    level      INTEGER NOT NULL,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    sort       INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE INDEX categories_parent ON categories (parent_id);

-- Cases: the matter. state and the unit columns drive queues; version guards
-- concurrent updates.
CREATE TABLE cases (
    id                   {{id}},
    number               TEXT NOT NULL UNIQUE,
    title                TEXT NOT NULL,
    nature               TEXT REFERENCES natures (code),
    category_id          BIGINT REFERENCES categories (id),
    priority             TEXT NOT NULL,
    state                TEXT NOT NULL,
    resume_state         TEXT,
    channel              TEXT NOT NULL,
    intake_unit_id       BIGINT NOT NULL REFERENCES units (id),
    jurisdiction_unit_id BIGINT REFERENCES units (id),
    handling_unit_id     BIGINT REFERENCES units (id),
    handler_id           BIGINT REFERENCES users (id),
    division_code        TEXT,
    address              TEXT NOT NULL DEFAULT '',
    lat                  DOUBLE PRECISION,
    lon                  DOUBLE PRECISION,
    received_at          BIGINT NOT NULL,
    sign_due_at          BIGINT,
    due_at               BIGINT,
    suspended_at         BIGINT,
    requested_due_at     BIGINT,
    extension_count      INTEGER NOT NULL DEFAULT 0,
    report_count         INTEGER NOT NULL DEFAULT 1,
    satisfaction         TEXT,
    resolved             BOOLEAN,
    closed_at            BIGINT,
    updated_at           BIGINT NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_state_due ON cases (state, due_at);
CREATE INDEX cases_handling ON cases (handling_unit_id, state, due_at);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_category ON cases (category_id);

-- Every unit that has been involved in a case (intake, jurisdiction,
-- handling, including former handlers): what a unit's scope sees.
CREATE TABLE case_units (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (unit_id, case_id)
) {{without_rowid}};
CREATE INDEX case_units_case ON case_units (case_id);

CREATE TABLE case_links (
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    linked_case_id BIGINT NOT NULL REFERENCES cases (id),
    kind           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    created_by     BIGINT REFERENCES users (id),
    PRIMARY KEY (case_id, linked_case_id)
);

-- Reports: one contact each. Phone and ID number are sealed (AES-GCM) with a
-- masked copy for display and a keyed hash for matching.
CREATE TABLE reports (
    id             {{id}},
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    channel        TEXT NOT NULL,
    source_ref     TEXT,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    reporter_name  TEXT NOT NULL DEFAULT '',
    phone_masked   TEXT NOT NULL DEFAULT '',
    phone_sealed   TEXT,
    phone_hash     TEXT,
    id_masked      TEXT NOT NULL DEFAULT '',
    id_sealed      TEXT,
    id_hash        TEXT,
    occurred_at    BIGINT,
    received_at    BIGINT NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    division_code  TEXT,
    intake_unit_id BIGINT NOT NULL REFERENCES units (id),
    created_by     BIGINT REFERENCES users (id)
);
CREATE INDEX reports_case ON reports (case_id);
CREATE UNIQUE INDEX reports_source ON reports (channel, source_ref) WHERE source_ref IS NOT NULL;

-- Append-only history of each case.
CREATE TABLE timeline (
    id         {{id}},
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    at         BIGINT NOT NULL,
    actor_id   BIGINT REFERENCES users (id),
    unit_id    BIGINT REFERENCES units (id),
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    changes    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_case ON timeline (case_id, id);

-- Attachment metadata (photos, documents, evidence). content_key is set when
-- the content itself is stored by pingan.
CREATE TABLE attachments (
    id           {{id}},
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    report_id    BIGINT REFERENCES reports (id),
    timeline_id  BIGINT REFERENCES timeline (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL DEFAULT '',
    content_key  TEXT,
    created_at   BIGINT NOT NULL,
    created_by   BIGINT REFERENCES users (id)
);
CREATE INDEX attachments_case ON attachments (case_id);

-- Idempotency-Key records: the first response to a key is replayed.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created ON idempotency_keys (created_at);

-- Hash-chained audit log. Records form one chain per writer lane (one on
-- SQLite; several per node on PostgreSQL, so that concurrent writers never
-- wait for each other): seq is gapless within its chain, and
-- hash = HMAC(key, record, prev_hash). audit_chains holds each chain's newest
-- seq and hash, so a truncated tail shows. id orders records across chains.
CREATE TABLE audit_log (
    id          {{id}},
    chain       TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    unit_id     BIGINT,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    remote_addr TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);

CREATE TABLE audit_chains (
    name       TEXT PRIMARY KEY,
    head_seq   BIGINT NOT NULL,
    head_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
