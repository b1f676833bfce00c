DELETE FROM settings WHERE key IN ('acceptance_due_working_days', 'approval_due_working_days');
DROP INDEX applications_due_idx;
DROP INDEX applications_no_idx;
ALTER TABLE applications DROP COLUMN current_step_due;
ALTER TABLE applications DROP COLUMN application_no;
DROP TABLE application_counters;
