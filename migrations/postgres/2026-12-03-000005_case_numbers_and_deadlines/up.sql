-- Issue 14: every application gets a case number at submission (YDSQ-<year>-<nnnnnn>) from a
-- counter row per year, as registry numbers do, and the deadline of the step it waits in.
CREATE TABLE application_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_no INTEGER NOT NULL CHECK (last_no >= 0)
);
ALTER TABLE applications ADD COLUMN application_no TEXT;
-- The working-day deadline of the step the application waits in (acceptance, review,
-- approval), `YYYY-MM-DD`; NULL while it waits for no one at the office.
ALTER TABLE applications ADD COLUMN current_step_due TEXT;
CREATE UNIQUE INDEX applications_no_idx ON applications (application_no);
CREATE INDEX applications_due_idx ON applications (status, current_step_due);

INSERT INTO settings (key, value, updated_at) VALUES
    ('acceptance_due_working_days', '5', '2026-12-03 00:00:00'),
    ('approval_due_working_days', '10', '2026-12-03 00:00:00');
