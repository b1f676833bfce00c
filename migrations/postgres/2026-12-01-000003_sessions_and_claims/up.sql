-- One row per sign-in: a token names its session, so signing out ends it at once.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_created_idx ON sessions (created_at);

-- Expired throttle rows are purged by their window's start.
CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);

-- A credit code claimed by a registration that never came to anything can be released by
-- staff: the row stays for the record, its code moves here and the unique code is freed.
ALTER TABLE enterprises ADD COLUMN released_uscc TEXT;
ALTER TABLE enterprises ADD COLUMN released_at TIMESTAMP;
