-- Petitions (信访, internal/casework/petition*.go): repeat petitioners found
-- by the keyed hashes of their ID number or phone, the 复查/复核 chain, and
-- what the 积案 registry counts.
CREATE INDEX reports_id_hash ON reports (id_hash) WHERE id_hash IS NOT NULL;
CREATE INDEX reports_phone_hash ON reports (phone_hash) WHERE phone_hash IS NOT NULL;

-- One row for every case that is (or was) a petition, kept in the
-- transaction of each change of the case.
CREATE TABLE petitions (
    case_id        BIGINT PRIMARY KEY REFERENCES cases (id),
    stage          TEXT NOT NULL DEFAULT 'petition', -- petition | review (复查) | rereview (复核)
    origin_case_id BIGINT REFERENCES cases (id),     -- reviews: the first petition of the chain
    prior_case_id  BIGINT REFERENCES cases (id),     -- reviews: the case whose answer is reviewed
    visit_no       INTEGER NOT NULL DEFAULT 1,       -- the petitioner's Nth petition
    same_matter_no INTEGER NOT NULL DEFAULT 1,       -- the Nth about this matter
    petitioners    INTEGER NOT NULL DEFAULT 1,       -- distinct petitioners among the reports
    barred_by      BIGINT REFERENCES cases (id),     -- a concluded 复核 of the same matter: 不再受理
    limit_at       BIGINT,                           -- the statutory limit: handling, or acceptance before dispatch
    warn_at        BIGINT,
    resolved_at    BIGINT,                           -- closed or rejected; NULL while open
    requested_at   BIGINT,                           -- reviews: when the petitioner asked
    conclusion     TEXT,                             -- reviews: upheld | revised
    opinion        TEXT,
    concluded_at   BIGINT,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX petitions_prior_stage ON petitions (prior_case_id, stage) WHERE prior_case_id IS NOT NULL;
CREATE INDEX petitions_limit ON petitions (limit_at) WHERE limit_at IS NOT NULL;
CREATE INDEX petitions_origin ON petitions (origin_case_id) WHERE origin_case_id IS NOT NULL;

-- Petitions taken in before this migration (their repeat counts start at 1).
INSERT INTO petitions (case_id, limit_at, warn_at, resolved_at, updated_at)
SELECT c.id, COALESCE(c.due_at, c.accept_due_at), c.warn_at,
       CASE WHEN c.state = 'closed' THEN c.closed_at WHEN c.state = 'rejected' THEN c.updated_at END, c.updated_at
FROM cases c JOIN natures n ON n.code = c.nature
WHERE n.family = 'petition';
