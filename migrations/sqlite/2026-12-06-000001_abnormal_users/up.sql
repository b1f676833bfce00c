-- Issue 16: the abnormal-use list (使用异常名录, 《广东省地理标志条例》 Art. 15). Staff list a
-- right with its legal ground, a note and a date to put it right; an entry is removed when
-- corrected (a filed usage report removes a report_overdue entry by itself). Entries are never
-- deleted: a removed one keeps when and why.
CREATE TABLE abnormal_users (
    id TEXT PRIMARY KEY NOT NULL,
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    reason TEXT NOT NULL CHECK (reason IN ('report_overdue', 'unused_two_years',
        'inspection_failed', 'other')),
    note TEXT NOT NULL,
    -- YYYY-MM-DD.
    correct_by TEXT NOT NULL,
    listed_by TEXT NOT NULL REFERENCES users (id),
    listed_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP,
    -- Null when the system removed it (a filed report).
    removed_by TEXT REFERENCES users (id),
    removal_note TEXT
);
CREATE INDEX abnormal_users_authorization_idx ON abnormal_users (authorization_id);
