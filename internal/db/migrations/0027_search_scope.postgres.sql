-- Each case's vector carries its scope (internal/search/scope.go): a
-- lexeme '@<id>' for every unit involved in the case and each of that
-- unit's ancestors, so that a scoped search intersects the text's matches
-- with the scope's inside the GIN index. The lexemes are added here to the
-- vectors indexed before; from now on the index writes them. (On SQLite
-- the index is the side file, made again at the next start.)
UPDATE case_search s SET tsv = s.tsv || array_to_tsvector(ARRAY(
    SELECT DISTINCT '@' || a
    FROM case_units cu
    JOIN units u ON u.id = cu.unit_id
    CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM u.path), '/') || cu.unit_id::text) AS a
    WHERE cu.case_id = s.case_id AND a <> ''))
WHERE EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = s.case_id);
