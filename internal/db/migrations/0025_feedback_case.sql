-- The classifier's labels (casework.Labels) take each case's latest choice:
-- the greatest id of the case's feedback, one seek of this index per label
-- where it was a scan of the whole table (quadratic in the labels).
CREATE INDEX classify_feedback_case ON classify_feedback (case_id, id);
