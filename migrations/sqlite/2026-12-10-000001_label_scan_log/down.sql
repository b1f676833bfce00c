ALTER TABLE label_flush_counter DROP COLUMN dropped_seq;
DROP TABLE label_fold_ranges;
DROP TABLE label_scan_log;
CREATE TABLE label_scan_flushes (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    randoms TEXT NOT NULL
);
