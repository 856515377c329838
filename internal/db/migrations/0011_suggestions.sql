-- The classifier's suggestion for a case taken in without a category, and
-- what operators then chose: the labels the next model learns from.
ALTER TABLE cases ADD COLUMN suggestion TEXT;

CREATE TABLE classify_feedback (
    id            {{id}},
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    suggested     TEXT NOT NULL,
    confidence    DOUBLE PRECISION NOT NULL,
    chosen        TEXT NOT NULL, -- the top-level category the operator chose
    model_version TEXT NOT NULL,
    user_id       BIGINT REFERENCES users (id),
    at            BIGINT NOT NULL
);
CREATE INDEX classify_feedback_at ON classify_feedback (at);
