-- Issue 14: news of every decision. A decision writes the producer's inbox messages and the
-- e-mails to send in the same transaction as the change (a transactional outbox); a worker
-- in each replica claims due rows, sends them, and marks them sent or retries later.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL CHECK (kind IN ('application_accepted', 'application_not_accepted',
        'application_returned', 'application_approved', 'application_rejected',
        'right_suspended', 'right_reinstated', 'right_revoked', 'usage_report_due')),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Where the message leads: /applications/<id> or /authorizations.
    link_path TEXT NOT NULL,
    application_id TEXT REFERENCES applications (id),
    application_no TEXT,
    authorization_id TEXT REFERENCES authorizations (id),
    registry_no TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id),
    -- SMS can come later behind the same table.
    channel TEXT NOT NULL CHECK (channel IN ('email')),
    -- The address when the message was written (the enterprise's e-mail then).
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link_path TEXT,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_error TEXT,
    -- The worker that holds the row while it sends, and until when (a lease: a worker that
    -- died leaves the row to be claimed again after it).
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    -- Given up (a permanent refusal, or too many attempts): shown to admins, retried on request.
    gave_up_at TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox (sent_at, gave_up_at, next_attempt_at);
CREATE INDEX outbox_created_idx ON outbox (created_at);

-- A usage-report reminder is written once per right and report year, by whichever replica
-- gets there first.
CREATE TABLE usage_reminders (
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    year INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (authorization_id, year)
);
