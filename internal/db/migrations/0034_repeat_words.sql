-- The repeat index leaves out the words every report uses (dedup.stopWords)
-- and the pairs straddling them: the index is made again from the open
-- cases at the next start (a database without cases has nothing to redo).
INSERT INTO meta (key, value) SELECT 'rebuild:repeats', '0034: the repeat index without the common words'
    WHERE EXISTS (SELECT 1 FROM cases);
