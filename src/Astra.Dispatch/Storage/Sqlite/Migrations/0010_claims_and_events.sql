-- 0003-0009 are left to the management API's tables (issue 22); versions are applied one by one, whatever the order.

-- Claim before send: whoever holds a delivery's claim may send it. owner is NULL once released (by the log batch that
-- records the attempt); succeeded, set by that batch, makes the claim final: no copy of the delivery is sent again.
CREATE TABLE delivery_claims (
    delivery_id TEXT PRIMARY KEY,
    owner       TEXT,
    lease_until TEXT NOT NULL,
    succeeded   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_delivery_claims_lease ON delivery_claims (lease_until);

-- Each event that produced a delivery or a render failure, once, so a delivery can be planned again (resend).
CREATE TABLE events (
    tenant_id  TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body       TEXT NOT NULL,
    stored_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX ix_events_stored ON events (stored_at);
