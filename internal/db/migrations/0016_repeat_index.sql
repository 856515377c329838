-- The repeat index (internal/dedup): for each open case, the bigrams of
-- what its title says beyond its address, each keyed (hashed) with the
-- case's district, oldest first within a key, so that "the cases of this
-- district received since the window began that say this bigram" is one
-- range of the primary key. n is how many bigrams the case has (the
-- denominator of its likeness), place a hash of the street its address
-- names (a report naming it is at the same place). A case leaves the index when it closes:
-- the index holds the cases a repeat can join, not the archive.
CREATE TABLE repeat_grams (
    gram        BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    case_id     BIGINT NOT NULL,
    n           INTEGER NOT NULL,
    place       BIGINT NOT NULL,
    PRIMARY KEY (gram, received_at, case_id)
) {{without_rowid}};
