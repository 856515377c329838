-- The nature the classifier suggested and the one the operator chose.
ALTER TABLE classify_feedback ADD COLUMN suggested_nature TEXT;
ALTER TABLE classify_feedback ADD COLUMN chosen_nature TEXT;
