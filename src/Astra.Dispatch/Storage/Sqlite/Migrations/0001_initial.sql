CREATE TABLE rules (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    definition    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    enabled       INTEGER NOT NULL,
    paused_reason TEXT,
    source        TEXT,
    updated_at    TEXT NOT NULL
);
CREATE INDEX ix_rules_tenant ON rules (tenant_id);

-- Bumped by every rule change so every process can tell cheaply that its cache is stale.
CREATE TABLE rules_generation (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
INSERT INTO rules_generation (id, generation) VALUES (1, 0);

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    rule_id          TEXT NOT NULL,
    tenant_id        TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX ix_deliveries_rule_status ON deliveries (rule_id, status, updated_at);
CREATE INDEX ix_deliveries_event ON deliveries (event_id);
CREATE INDEX ix_deliveries_updated ON deliveries (updated_at);

CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT NOT NULL,
    attempt          INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    duration_ms      REAL NOT NULL,
    status_code      INTEGER,
    outcome          TEXT NOT NULL,
    error            TEXT,
    response_excerpt TEXT
);
CREATE INDEX ix_attempts_delivery ON attempts (delivery_id, attempt);
