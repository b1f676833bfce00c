-- Issue 15: an account whose password was printed for its owner (registration at the service
-- window) must change it at first sign-in. Setting a password of one's own clears the mark.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
