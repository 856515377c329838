-- The repeat index no longer files a case under the words of the places
-- its title names (龙山社区, 金龙花园): they are compared as places. The
-- index is made again from the open cases at the next start (a database
-- without cases has nothing to redo; one whose rebuild 0034 asked for is
-- still waiting for it has it asked already).
INSERT INTO meta (key, value) SELECT 'rebuild:repeats', '0040: the repeat index without the places titles name'
    WHERE EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'rebuild:repeats');
