-- 并案: a case merged into another keeps its number and history; its
-- reports move to the other case and remember where they came from, so
-- that the merge can be undone.
ALTER TABLE cases ADD COLUMN merged_into BIGINT REFERENCES cases (id);
ALTER TABLE reports ADD COLUMN merged_from BIGINT REFERENCES cases (id);
CREATE INDEX reports_merged_from ON reports (merged_from);

-- 提级管辖 per category: a matter reported escalate_reports times within
-- escalate_days goes one level up. NULL inherits from the parent category
-- (and at the top, the default of 3 reports in 30 days); 0 reports never
-- escalates.
ALTER TABLE categories ADD COLUMN escalate_reports INTEGER;
ALTER TABLE categories ADD COLUMN escalate_days INTEGER;
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;

-- Hot issues (package hot) read the reports of a recent window.
CREATE INDEX reports_received ON reports (received_at);
