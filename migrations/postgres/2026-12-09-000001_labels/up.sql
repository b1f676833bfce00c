-- Issue 17: one code per printed mark. Staff set a right's yearly quota; the holder orders
-- batches within it. A label row keeps only the code's random part (the code is that part
-- plus a check keyed by the label_code_secret setting) and its scan count, which replicas
-- add to in batches (flushes).
CREATE TABLE label_quotas (
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    year INTEGER NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    -- Labels issued this year: raised with the batch, in its transaction, only while it fits.
    issued BIGINT NOT NULL DEFAULT 0 CHECK (issued >= 0 AND issued <= quantity),
    batches INTEGER NOT NULL DEFAULT 0,
    set_by TEXT NOT NULL REFERENCES users (id),
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (authorization_id, year)
);
CREATE TABLE label_batches (
    -- The seq of the journal event that issued it: replicas take batches in in this order.
    seq BIGINT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    batch_no TEXT NOT NULL UNIQUE,
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    year INTEGER NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    issued_by TEXT NOT NULL REFERENCES users (id),
    issued_at TIMESTAMP NOT NULL
);
CREATE INDEX label_batches_authorization_idx ON label_batches (authorization_id, year);
CREATE TABLE labels (
    random BIGINT PRIMARY KEY NOT NULL,
    batch_seq BIGINT NOT NULL REFERENCES label_batches (seq),
    -- Only these two change, and no index holds them: a flush's updates stay cheap
    -- (on PostgreSQL heap-only, in the room the fill factor leaves).
    scans BIGINT NOT NULL DEFAULT 0,
    first_scanned_at TIMESTAMP
) WITH (fillfactor = 80);
CREATE INDEX labels_batch_idx ON labels (batch_seq);
-- One row: the number of the last flush. A flush raises it first in its transaction, so
-- flushes are numbered in the order they commit.
CREATE TABLE label_flush_counter (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO label_flush_counter (id, seq) VALUES (1, 0);
-- The recent flushes, each with the random parts whose counts it changed (a JSON array):
-- a replica reads the others' since the last it saw and fetches those counts. Kept for a
-- few minutes; a replica further behind reloads every count.
CREATE TABLE label_scan_flushes (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    randoms TEXT NOT NULL
);
