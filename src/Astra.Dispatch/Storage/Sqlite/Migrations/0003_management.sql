-- Management API (issue 22): API keys, rule revisions, the audit log, and delivery paging.

-- A key is prefix + id + secret; only a salted HMAC of the secret is stored (the key is shown once).
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    tenant_id    TEXT,
    salt         BLOB NOT NULL,
    hash         BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);

-- Every change of a rule made by a person (API, CLI): the rule as it was after the change. Numbered per (tenant, rule);
-- the numbers go on after a delete, so a re-created rule keeps its history.
CREATE TABLE rule_revisions (
    tenant_id  TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    version    INTEGER,
    enabled    INTEGER,
    definition TEXT,
    PRIMARY KEY (tenant_id, rule_id, revision)
);

-- Every change made through the API or the CLI: who, when, what, on which target.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    actor_key_id    TEXT,
    action          TEXT NOT NULL,
    tenant_id       TEXT,
    target          TEXT NOT NULL,
    revision_before INTEGER,
    revision_after  INTEGER,
    detail          TEXT
);
CREATE INDEX ix_audit_tenant ON audit_log (tenant_id, id);

-- Keyset paging of deliveries: created_at never changes once a row exists, so pages neither skip nor repeat rows.
CREATE INDEX ix_deliveries_tenant_created ON deliveries (tenant_id, created_at, id);
CREATE INDEX ix_deliveries_created ON deliveries (created_at, id);
