-- Deadlines, supervision, timers and notifications.

-- Holiday notices: one per year, as imported (holiday-cn JSON format).
CREATE TABLE calendar_notices (
    year       INTEGER PRIMARY KEY,
    notice     TEXT NOT NULL,
    source     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Deadline policies. A limit is written amount+unit: "2h" hours, "4wh"
-- working hours, "3wd" working days, "60d" calendar days; '' for none. A
-- policy applies to cases matching every one of nature, category (and the
-- categories under it) and priority it names; the one naming most wins.
CREATE TABLE deadline_policies (
    id               {{id}},
    name             TEXT NOT NULL,
    nature           TEXT REFERENCES natures (code),
    category_id      BIGINT REFERENCES categories (id),
    priority         TEXT,
    accept_limit     TEXT NOT NULL DEFAULT '',
    sign_limit       TEXT NOT NULL,
    handle_limit     TEXT NOT NULL,
    warn_ratio       DOUBLE PRECISION NOT NULL,
    max_extensions   INTEGER,
    extension_limit  TEXT NOT NULL DEFAULT '',
    review_limit     TEXT NOT NULL DEFAULT '',
    rereview_limit   TEXT NOT NULL DEFAULT '',
    reply_limit      TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    retired_at       BIGINT
);

-- The running clock of a case: deadline_at is the earliest deadline not yet
-- met (accepting, signing for, handling), warn_at when it turns yellow;
-- both NULL while no clock runs (suspended, reported back, closed…).
ALTER TABLE cases ADD COLUMN accept_due_at BIGINT;
ALTER TABLE cases ADD COLUMN clock_start_at BIGINT;
ALTER TABLE cases ADD COLUMN deadline_at BIGINT;
ALTER TABLE cases ADD COLUMN warn_at BIGINT;
ALTER TABLE cases ADD COLUMN policy_id BIGINT REFERENCES deadline_policies (id);
CREATE INDEX cases_deadline ON cases (deadline_at) WHERE deadline_at IS NOT NULL;
CREATE INDEX cases_warn ON cases (warn_at) WHERE warn_at IS NOT NULL;

-- Durable timers: each fires once. Pending timers are found by due_at alone;
-- one whose work failed waits until retry_at before it is tried again.
CREATE TABLE timers (
    id           {{id}},
    kind         TEXT NOT NULL,
    subject_id   BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    fired_at     BIGINT,
    fired_by     TEXT,
    cancelled_at BIGINT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    retry_at     BIGINT,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX timers_pending ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX timers_subject ON timers (subject_id, kind) WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- Supervision orders (督办单): from a supervising unit to the unit handling
-- a case, with a reply deadline; an unanswered order escalates to the
-- unit's superior with a new order one level up.
CREATE TABLE supervision_orders (
    id            {{id}},
    number        TEXT NOT NULL UNIQUE,
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    kind          TEXT NOT NULL,
    automatic     BOOLEAN NOT NULL,
    level         INTEGER NOT NULL,
    parent_id     BIGINT REFERENCES supervision_orders (id),
    from_unit_id  BIGINT NOT NULL REFERENCES units (id),
    to_unit_id    BIGINT NOT NULL REFERENCES units (id),
    issued_by     BIGINT REFERENCES users (id),
    issued_at     BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    reply_due_at  BIGINT NOT NULL,
    state         TEXT NOT NULL,
    replied_at    BIGINT,
    replied_by    BIGINT REFERENCES users (id),
    reply         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX supervision_orders_case ON supervision_orders (case_id);
CREATE INDEX supervision_orders_to ON supervision_orders (to_unit_id, issued_at);
CREATE INDEX supervision_orders_from ON supervision_orders (from_unit_id, issued_at);

-- In-app notifications, to a unit (everyone in it) or one user.
CREATE TABLE notifications (
    id         {{id}},
    unit_id    BIGINT NOT NULL REFERENCES units (id),
    user_id    BIGINT REFERENCES users (id),
    kind       TEXT NOT NULL,
    case_id    BIGINT REFERENCES cases (id),
    order_id   BIGINT REFERENCES supervision_orders (id),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_unit ON notifications (unit_id, id);
CREATE INDEX notifications_user ON notifications (user_id, id) WHERE user_id IS NOT NULL;

CREATE TABLE notification_reads (
    user_id         BIGINT NOT NULL REFERENCES users (id),
    notification_id BIGINT NOT NULL REFERENCES notifications (id),
    read_at         BIGINT NOT NULL,
    PRIMARY KEY (user_id, notification_id)
);

-- Outbound webhooks and their outbox: a delivery row is written in the same
-- transaction as the change it reports, then sent, retried with backoff and
-- signed with HMAC-SHA256.
CREATE TABLE webhooks (
    id         {{id}},
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    unit_id    BIGINT REFERENCES units (id),
    events     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE webhook_deliveries (
    id              {{id}},
    webhook_id      BIGINT NOT NULL REFERENCES webhooks (id),
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    locked_until    BIGINT,
    delivered_at    BIGINT,
    failed_at       BIGINT,
    last_status     INTEGER,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

CREATE TABLE webhook_attempts (
    id          {{id}},
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    at          BIGINT NOT NULL,
    status      INTEGER,
    error       TEXT NOT NULL DEFAULT '',
    duration_us BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
