-- A rule is identified by (tenant_id, id): two tenants may use the same id, and an import never re-owns a rule.
ALTER TABLE rules DROP CONSTRAINT rules_pkey;
ALTER TABLE rules ADD PRIMARY KEY (tenant_id, id);
DROP INDEX ix_rules_tenant;
CREATE INDEX ix_rules_id ON rules (id);
CREATE INDEX ix_rules_source ON rules (source);

DROP INDEX ix_deliveries_rule_status;
CREATE INDEX ix_deliveries_rule_status ON deliveries (tenant_id, rule_id, status, updated_at);
CREATE INDEX ix_deliveries_tenant_updated ON deliveries (tenant_id, updated_at);
UPDATE rules_generation SET generation = generation + 1 WHERE id = 1;
