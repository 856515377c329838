-- The response and return rates now count each answer on the day of the
-- assignment it answers (internal/score: Snapshot.AssignedAt). A database
-- with scoring events has them dated the old way: this row asks pingan to
-- rebuild the scorecards from the timeline when it next starts, and the
-- rebuild removes it.
INSERT INTO meta (key, value) SELECT 'rebuild:scores', '0019: answers dated by their assignment'
    WHERE EXISTS (SELECT 1 FROM score_events);
-- With several nodes, the first to start takes the request and rebuilds;
-- changes the others record meanwhile are added to its counters, and one
-- recorded while its case's history was being read can count twice.
