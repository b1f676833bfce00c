-- The public register replays, at start, every change of a holder's public details (issue 16's
-- change feed, issue 15's changes of details) beside the rights' status changes. Without an index that read scanned the
-- whole journal (9 s of a 10 s start at 100,000 enterprises); this partial covering index holds
-- exactly those rows, and the query repeats its condition word for word so both planners use it.
CREATE INDEX journal_events_holder_history_idx
    ON journal_events (entity_type, seq, entity_id, at)
    WHERE entity_type = 'enterprise' AND action NOT IN ('register', 'release');
