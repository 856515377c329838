-- Scorecards (internal/score). Every scoring event of a case — a unit
-- signing for it, returning it, reporting back, being verified, the
-- citizen's answer at callback — is one row of score_events (for the
-- drill-down to the cases behind a number) and one increment of
-- score_counts (for reading a month of every unit in a few milliseconds).
-- Both are written in the transaction of the case change; score.Rebuild
-- recomputes them from the timeline.
CREATE TABLE score_events (
    id      {{id}},
    unit_id BIGINT NOT NULL REFERENCES units (id),
    day     INTEGER NOT NULL, -- YYYYMMDD in the service's time zone
    metric  TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at      BIGINT NOT NULL
);
CREATE INDEX score_events_unit ON score_events (unit_id, metric, day);

CREATE TABLE score_counts (
    unit_id BIGINT NOT NULL,
    day     INTEGER NOT NULL,
    metric  TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (day, unit_id, metric)
){{without_rowid}};

-- The composite score's weights, set by administrators (indicator → weight).
CREATE TABLE score_weights (
    indicator  TEXT PRIMARY KEY,
    weight     DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL
);
