-- A rule is identified by (tenant_id, id): two tenants may use the same id, and an import never re-owns a rule.
CREATE TABLE rules_by_tenant (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    definition    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    enabled       INTEGER NOT NULL,
    paused_reason TEXT,
    source        TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO rules_by_tenant (tenant_id, id, definition, version, enabled, paused_reason, source, updated_at)
    SELECT tenant_id, id, definition, version, enabled, paused_reason, source, updated_at FROM rules;
DROP TABLE rules;
ALTER TABLE rules_by_tenant RENAME TO rules;
CREATE INDEX ix_rules_id ON rules (id);
CREATE INDEX ix_rules_source ON rules (source);

DROP INDEX ix_deliveries_rule_status;
CREATE INDEX ix_deliveries_rule_status ON deliveries (tenant_id, rule_id, status, updated_at);
CREATE INDEX ix_deliveries_tenant_updated ON deliveries (tenant_id, updated_at);
UPDATE rules_generation SET generation = generation + 1 WHERE id = 1;
