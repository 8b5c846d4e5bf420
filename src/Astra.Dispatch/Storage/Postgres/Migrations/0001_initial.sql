-- The first schema, as SQLite's 0001: rules keyed by id alone (0002 keys them by tenant and id).
CREATE TABLE rules (
    id            text PRIMARY KEY,
    tenant_id     text NOT NULL,
    definition    text NOT NULL,
    version       bigint NOT NULL,
    enabled       boolean NOT NULL,
    paused_reason text,
    source        text,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX ix_rules_tenant ON rules (tenant_id);

-- Bumped by every rule change so every process can tell cheaply that its cache is stale.
CREATE TABLE rules_generation (id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL);
INSERT INTO rules_generation (id, generation) VALUES (1, 0);

CREATE TABLE deliveries (
    id               text PRIMARY KEY,
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    rule_id          text NOT NULL,
    tenant_id        text NOT NULL,
    status           text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX ix_deliveries_rule_status ON deliveries (rule_id, status, updated_at);
CREATE INDEX ix_deliveries_event ON deliveries (event_id);
CREATE INDEX ix_deliveries_updated ON deliveries (updated_at);

CREATE TABLE attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      text NOT NULL,
    attempt          integer NOT NULL,
    started_at       timestamptz NOT NULL,
    duration_ms      double precision NOT NULL,
    status_code      integer,
    outcome          text NOT NULL,
    error            text,
    response_excerpt text
);
CREATE INDEX ix_attempts_delivery ON attempts (delivery_id, attempt);
