-- Issue 14: password reset. Only the SHA-256 of a token is stored: the link in the e-mail (or
-- the code handed over at the service window) is the only copy of the token itself.
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    -- 'email': asked for by the person; 'window': issued by staff at the service window.
    channel TEXT NOT NULL CHECK (channel IN ('email', 'window')),
    issued_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- Set when the token is used, or when a newer one replaces it.
    used_at TIMESTAMP
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id, used_at);
CREATE INDEX password_resets_created_idx ON password_resets (created_at);
