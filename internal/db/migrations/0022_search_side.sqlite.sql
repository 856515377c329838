-- The full-text index moves to the side file (db.SideFile): it is written
-- by a writer of its own after each batch commits, off the writer every
-- write waits for, and made again from the cases at the next start
-- (search.Prepare). The table in the main file goes.
DROP TABLE IF EXISTS case_fts;
