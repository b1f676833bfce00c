-- Issue 15: a holder asks to change its name, address or legal representative (变更); staff
-- approve or reject within a working-day limit. The old values stay on each approved row:
-- those rows are the enterprise's history of names.
CREATE TABLE enterprise_changes (
    id TEXT PRIMARY KEY NOT NULL,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    -- What is asked for (NULL: unchanged) and what it was when asked.
    name TEXT,
    address TEXT,
    legal_representative TEXT,
    old_name TEXT NOT NULL,
    old_address TEXT NOT NULL,
    old_legal_representative TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    -- The working-day deadline of the decision, YYYY-MM-DD.
    due_date TEXT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX enterprise_changes_status_idx ON enterprise_changes (status, created_at);
-- One open request per enterprise at a time.
CREATE UNIQUE INDEX enterprise_changes_open_idx ON enterprise_changes (enterprise_id)
    WHERE status = 'submitted';

INSERT INTO settings (key, value, updated_at) VALUES
    ('change_review_working_days', '10', '2026-12-04 00:00:00');
