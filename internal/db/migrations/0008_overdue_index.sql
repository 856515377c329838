-- Overdue cases by unit and district (scorecards' backlog, the dashboard's
-- overdue figures) read from the index alone; it replaces the index on the
-- running deadline, whose first column it shares.
CREATE INDEX cases_overdue ON cases (deadline_at, handling_unit_id, division_code) WHERE deadline_at IS NOT NULL;
DROP INDEX cases_deadline;
