ALTER TABLE review_opinions DROP COLUMN snapshot;
