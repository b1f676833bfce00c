ALTER TABLE enterprises DROP COLUMN released_at;
ALTER TABLE enterprises DROP COLUMN released_uscc;
DROP INDEX login_throttle_window_idx;
DROP TABLE sessions;
