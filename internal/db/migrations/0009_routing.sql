-- Jurisdiction routing (internal/route): rules administrators keep, and on
-- each case the unit routing suggested, why, and whether it waits in the
-- triage queue for an operator.
CREATE TABLE routing_rules (
    id            {{id}},
    name          TEXT NOT NULL,
    family        TEXT,
    nature        TEXT REFERENCES natures (code),
    category_code TEXT,
    division_code TEXT,
    unit_id       BIGINT REFERENCES units (id),
    unit_kind     TEXT,
    unit_level    TEXT,
    priority      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    retired_at    BIGINT
);

ALTER TABLE cases ADD COLUMN route_unit_id BIGINT REFERENCES units (id);
ALTER TABLE cases ADD COLUMN route_note TEXT;
ALTER TABLE cases ADD COLUMN triage BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX cases_triage ON cases (id) WHERE triage;
