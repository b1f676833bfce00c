-- The whole registry model. Portable types only (TEXT, BIGINT, INTEGER, BOOLEAN, TIMESTAMP,
-- BLOB/BYTEA); ids are UUID v7 strings made by the application; statuses are CHECKed text.

CREATE TABLE towns (
    code TEXT PRIMARY KEY NOT NULL,
    name_zh TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('subdistrict', 'town')),
    sort_order INTEGER NOT NULL
);

CREATE TABLE gi_products (
    code TEXT PRIMARY KEY NOT NULL,
    name_zh TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    category TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    protection_announcement TEXT NOT NULL,
    protection_date TEXT,
    protected_area TEXT NOT NULL,
    standard_code TEXT,
    certification_mark_reg_no TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE product_towns (
    product_code TEXT NOT NULL REFERENCES gi_products (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    PRIMARY KEY (product_code, town_code)
);

CREATE TABLE enterprises (
    id TEXT PRIMARY KEY NOT NULL,
    uscc TEXT NOT NULL UNIQUE CHECK (length(uscc) = 18),
    name TEXT NOT NULL,
    legal_representative TEXT NOT NULL,
    address TEXT NOT NULL,
    town_code TEXT NOT NULL REFERENCES towns (code),
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    email TEXT NOT NULL,
    -- Set only when a reviewer accepted a genuine pre-2015 code that fails the check digit.
    uscc_exception_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX enterprises_name_idx ON enterprises (name);
CREATE INDEX enterprises_town_idx ON enterprises (town_code);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('applicant', 'reviewer', 'approver', 'admin')),
    display_name TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- Bumped on password change or deactivation: every older token stops working.
    token_version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((role = 'applicant') = (enterprise_id IS NOT NULL))
);
CREATE INDEX users_enterprise_idx ON users (enterprise_id);

CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    product_code TEXT NOT NULL REFERENCES gi_products (code),
    basis TEXT NOT NULL CHECK (basis IN ('gi_product', 'certification_mark', 'collective_mark')),
    trademark_reg_no TEXT,
    production_town TEXT NOT NULL REFERENCES towns (code),
    production_address TEXT NOT NULL,
    -- Hundredths of a mu, so areas stay exact integers on both databases.
    area_centimu BIGINT CHECK (area_centimu >= 0),
    annual_output_kg BIGINT CHECK (annual_output_kg >= 0),
    description TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'under_review', 'returned',
        'not_accepted', 'recommended', 'approved', 'rejected', 'withdrawn')),
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL REFERENCES users (id),
    recommended_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP,
    status_changed_at TIMESTAMP NOT NULL,
    review_due_date TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((basis = 'gi_product') OR (trademark_reg_no IS NOT NULL))
);
CREATE INDEX applications_enterprise_idx ON applications (enterprise_id, created_at);
CREATE INDEX applications_queue_idx ON applications (status, status_changed_at);
CREATE INDEX applications_product_idx ON applications (product_code, status);

CREATE TABLE review_opinions (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    application_version INTEGER NOT NULL,
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX review_opinions_application_idx ON review_opinions (application_id, created_at);

CREATE TABLE review_field_comments (
    id TEXT PRIMARY KEY NOT NULL,
    opinion_id TEXT NOT NULL REFERENCES review_opinions (id),
    -- A form field name, or "attachment:<kind>" for a document.
    field TEXT NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX review_field_comments_opinion_idx ON review_field_comments (opinion_id);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL CHECK (kind IN ('application_form', 'business_license', 'test_report',
        'trademark_license', 'origin_verification_report', 'other')),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_application_idx ON attachments (application_id, created_at);

CREATE TABLE registry_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_no INTEGER NOT NULL CHECK (last_no >= 0)
);

CREATE TABLE authorizations (
    id TEXT PRIMARY KEY NOT NULL,
    registry_no TEXT NOT NULL UNIQUE,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    product_code TEXT NOT NULL REFERENCES gi_products (code),
    basis TEXT NOT NULL CHECK (basis IN ('gi_product', 'certification_mark', 'collective_mark')),
    trademark_reg_no TEXT,
    -- Copied from the application: where the marked product is made (public search by town).
    production_town TEXT NOT NULL REFERENCES towns (code),
    -- What the public search matches: the holder's name, credit code and the registry number,
    -- upper-cased, kept on the row so a search scans one table.
    search_text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'surrendered')),
    announcement_no TEXT NOT NULL,
    announcement_date TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    status_changed_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One live right per enterprise and product.
CREATE UNIQUE INDEX authorizations_one_live_idx ON authorizations (enterprise_id, product_code)
    WHERE status IN ('active', 'suspended');
-- The public search reads only this index: count and page are index-only scans with the
-- LIKE applied to search_text, then a top-N sort by grant time.
CREATE INDEX authorizations_search_idx ON authorizations (status, search_text, granted_at, registry_no);
CREATE INDEX authorizations_product_idx ON authorizations (product_code, status);
CREATE INDEX authorizations_enterprise_idx ON authorizations (enterprise_id);
CREATE INDEX authorizations_town_idx ON authorizations (production_town, status);

CREATE TABLE usage_reports (
    id TEXT PRIMARY KEY NOT NULL,
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    year INTEGER NOT NULL CHECK (year >= 2000),
    marks_used BIGINT NOT NULL CHECK (marks_used >= 0),
    output_kg BIGINT NOT NULL CHECK (output_kg >= 0),
    sales_cny BIGINT NOT NULL CHECK (sales_cny >= 0),
    note TEXT,
    filed_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (authorization_id, year)
);

-- Append-only, hash-chained journal of every state change.
CREATE TABLE journal_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('enterprise', 'user', 'application',
        'authorization', 'usage_report', 'product', 'setting', 'report')),
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    actor_id TEXT REFERENCES users (id),
    actor_role TEXT NOT NULL CHECK (actor_role IN ('applicant', 'reviewer', 'approver', 'admin', 'system', 'public')),
    comment TEXT,
    data TEXT,
    at TIMESTAMP NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
CREATE INDEX journal_events_entity_idx ON journal_events (entity_type, entity_id, seq);

-- One row: the head of the journal chain. Updating it first serialises appends.
CREATE TABLE journal_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL CHECK (length(hash) = 64)
);
INSERT INTO journal_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE holidays (
    day TEXT PRIMARY KEY NOT NULL CHECK (length(day) = 10),
    name TEXT NOT NULL
);

CREATE TABLE fake_reports (
    id TEXT PRIMARY KEY NOT NULL,
    code_seen TEXT NOT NULL,
    place TEXT NOT NULL,
    description TEXT NOT NULL,
    photo_sha256 TEXT,
    photo_content_type TEXT,
    reporter_address TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    resolution TEXT,
    closed_by TEXT REFERENCES users (id),
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX fake_reports_status_idx ON fake_reports (status, created_at);
