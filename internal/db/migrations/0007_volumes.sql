-- The city dashboard's volume counters (internal/dashboard): cases received
-- per day by channel, nature, category, district and district × nature,
-- moved in the transaction of each intake or reclassification.
CREATE TABLE volume_counts (
    day INTEGER NOT NULL, -- YYYYMMDD in the service's time zone
    dim TEXT NOT NULL,
    key TEXT NOT NULL,
    n   BIGINT NOT NULL,
    PRIMARY KEY (day, dim, key)
){{without_rowid}};
