-- A page session ends after an hour without a request, not an hour after sign-in: each
-- session keeps when it was last used (touched at most once a minute), and whether it slides
-- (the pages' sessions do; an API token keeps its fixed lifetime).
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN sliding BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);
