-- Overdue cases as counters (internal/score/backlog.go): the scorecards'
-- backlog (积案 stock) and the dashboard's overdue figures read a few
-- hundred rows instead of every open overdue case.
--
-- overdue_at is when pingan recorded the case past its running deadline:
-- when its overdue timer fired, when a change left it past its deadline,
-- or when the counters were rebuilt. Cleared whenever the running deadline
-- moves or stops (reported back, suspended, extended, closed…). A case
-- counts in overdue_counts exactly while it is marked, under its handling
-- unit, its district and the day its deadline passed; both move in the
-- transaction of the change.
ALTER TABLE cases ADD COLUMN overdue_at BIGINT;

CREATE TABLE overdue_counts (
    dim TEXT NOT NULL, -- unit, district or day (the deadline's, YYYYMMDD in the service's time zone)
    key TEXT NOT NULL,
    n   BIGINT NOT NULL,
    PRIMARY KEY (dim, key)
){{without_rowid}};

-- An existing database's cases are marked and counted when pingan next
-- starts (it knows the time and the service's time zone): this row asks
-- for it, and the rebuild removes it.
INSERT INTO overdue_counts (dim, key, n) VALUES ('rebuild', '', 1);
