-- Issue 15: the documents a holder attaches to a change of its details (变更), e.g. the new
-- business licence. Stored by SHA-256 in the same document store, with the same limits, as an
-- application's documents; only the requesting enterprise's users and staff read them.
CREATE TABLE enterprise_change_documents (
    id TEXT PRIMARY KEY NOT NULL,
    change_id TEXT NOT NULL REFERENCES enterprise_changes (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX enterprise_change_documents_change_idx ON enterprise_change_documents (change_id, created_at);
