DROP INDEX sessions_last_seen_idx;
ALTER TABLE sessions DROP COLUMN sliding;
ALTER TABLE sessions DROP COLUMN last_seen_at;
