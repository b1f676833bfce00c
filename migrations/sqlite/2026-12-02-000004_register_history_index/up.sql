-- The public register is built at start from every status change of every right, in journal
-- order. This partial covering index holds exactly those rows and the columns read, so the
-- build reads a few MB of index instead of the whole journal (issue 12: start to /readyz).
CREATE INDEX journal_events_status_history_idx
    ON journal_events (entity_type, seq, entity_id, to_status, at)
    WHERE to_status IS NOT NULL;
