-- A deadline is "by" that time (internal/deadline: Passed): a case is red,
-- overdue and late from the first whole second after its deadline. The
-- overdue timers set before this migration are due at the deadline itself;
-- they move to that second, where the timers set from now on fall.
UPDATE timers SET due_at = due_at - (due_at % 1000000) + 1000000
    WHERE kind = 'case.overdue' AND fired_at IS NULL AND cancelled_at IS NULL;

-- The backlog counts the cases past their deadline that their timer has
-- not marked yet (internal/score: ReadBacklog); this index holds only the
-- unmarked running deadlines, so the few below now are found at once.
CREATE INDEX cases_unmarked ON cases (deadline_at) WHERE overdue_at IS NULL AND deadline_at IS NOT NULL;

-- A policy counts its handling time from dispatch (12345 work orders) or
-- from acceptance, that is registration (信访工作条例: "within 60 days of
-- acceptance"). The petition policies count from acceptance.
ALTER TABLE deadline_policies ADD COLUMN handle_from TEXT NOT NULL DEFAULT 'dispatch';
UPDATE deadline_policies SET handle_from = 'acceptance'
    WHERE nature IN (SELECT code FROM natures WHERE family = 'petition');
