-- Migrations ask for work at the next start (rebuilding counters from
-- the cases) through one kind of row: meta 'rebuild:<what>', claimed by
-- the first node to start (db.ClaimRequest). Migration 0015 asked with a row
-- of overdue_counts; it moves here (a database without cases has nothing
-- to rebuild).
INSERT INTO meta (key, value) SELECT 'rebuild:backlog', '0015: overdue marks and counters from the cases'
    WHERE EXISTS (SELECT 1 FROM overdue_counts WHERE dim = 'rebuild') AND EXISTS (SELECT 1 FROM cases);
DELETE FROM overdue_counts WHERE dim = 'rebuild';
