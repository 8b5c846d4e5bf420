-- Management API (issue 22), as SQLite's 0003: API keys, rule revisions, the audit log, and delivery paging.

-- A key is prefix + id + secret; only a salted HMAC of the secret is stored (the key is shown once).
CREATE TABLE api_keys (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    role         text NOT NULL,
    tenant_id    text,
    salt         bytea NOT NULL,
    hash         bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);

-- Every change of a rule made by a person (API, CLI): the rule as it was after the change. Numbered per (tenant, rule);
-- the numbers go on after a delete, so a re-created rule keeps its history.
CREATE TABLE rule_revisions (
    tenant_id  text NOT NULL,
    rule_id    text NOT NULL,
    revision   bigint NOT NULL,
    action     text NOT NULL,
    actor      text NOT NULL,
    at         timestamptz NOT NULL,
    version    bigint,
    enabled    boolean,
    definition text,
    PRIMARY KEY (tenant_id, rule_id, revision)
);

-- Every change made through the API or the CLI: who, when, what, on which target.
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL,
    actor           text NOT NULL,
    actor_key_id    text,
    action          text NOT NULL,
    tenant_id       text,
    target          text NOT NULL,
    revision_before bigint,
    revision_after  bigint,
    detail          text
);
CREATE INDEX ix_audit_tenant ON audit_log (tenant_id, id);

-- Keyset paging of deliveries: created_at never changes once a row exists, so pages neither skip nor repeat rows.
CREATE INDEX ix_deliveries_tenant_created ON deliveries (tenant_id, created_at, id);
CREATE INDEX ix_deliveries_created ON deliveries (created_at, id);
