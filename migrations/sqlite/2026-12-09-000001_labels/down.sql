DROP TABLE label_scan_flushes;
DROP TABLE label_flush_counter;
DROP TABLE labels;
DROP TABLE label_batches;
DROP TABLE label_quotas;
