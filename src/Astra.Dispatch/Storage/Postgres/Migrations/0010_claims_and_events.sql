-- 0003 holds the management API's tables (issue 22); versions are applied one by one, whatever the order.

-- Claim before send: whoever holds a delivery's claim may send it. owner is NULL once released (by the log batch that
-- records the attempt); succeeded, set by that batch, makes the claim final: no copy of the delivery is sent again.
CREATE TABLE delivery_claims (
    delivery_id text PRIMARY KEY,
    owner       text,
    lease_until timestamptz NOT NULL,
    succeeded   boolean NOT NULL DEFAULT false
);
CREATE INDEX ix_delivery_claims_lease ON delivery_claims (lease_until);

-- Each event that produced a delivery or a render failure, once, so a delivery can be planned again (resend).
CREATE TABLE events (
    tenant_id  text NOT NULL,
    event_id   text NOT NULL,
    event_type text NOT NULL,
    body       text NOT NULL,
    stored_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX ix_events_stored ON events (stored_at);
