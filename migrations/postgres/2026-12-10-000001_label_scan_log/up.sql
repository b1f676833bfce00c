-- Label scans go to the database as a log, folded into the labels a key range at a time.
-- Each flush logs one row per key range it has scans in (a range: the top 6 of the 50 random
-- bits, so a range's labels sit together in the table) and folds one range's logged scans
-- into `labels` (the range numbered flush mod 64). Uniform scans over a million labels touch
-- nearly every page of `labels` each second; a fold touches one range's pages only.
-- A label's count is its row's plus the logged scans its range has not folded yet.
DROP TABLE label_scan_flushes;
CREATE TABLE label_scan_log (
    seq BIGINT NOT NULL,
    range_no INTEGER NOT NULL,
    -- The scans this row carries, added up: totals need no decoding.
    scans BIGINT NOT NULL,
    -- 20 bytes a label, little-endian: random part (8), scans (4), first scan (8, Unix µs).
    deltas BYTEA NOT NULL,
    PRIMARY KEY (range_no, seq)
);
-- Replicas read the log by flush number.
CREATE INDEX label_scan_log_seq_idx ON label_scan_log (seq);
-- Per range, the last flush whose scans are in the labels' rows.
CREATE TABLE label_fold_ranges (
    range_no INTEGER PRIMARY KEY NOT NULL,
    folded_seq BIGINT NOT NULL
);
-- Every flush so far was written into the rows themselves.
INSERT INTO label_fold_ranges (range_no, folded_seq)
    SELECT g, (SELECT seq FROM label_flush_counter WHERE id = 1) FROM generate_series(0, 63) AS g;
-- The log is kept a few minutes past folding; a replica that has not read as far as
-- dropped_seq reloads every count.
ALTER TABLE label_flush_counter ADD COLUMN dropped_seq BIGINT NOT NULL DEFAULT 0;
UPDATE label_flush_counter SET dropped_seq = seq;
