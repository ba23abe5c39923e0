-- Partners (resellers), their price books and quotas, budgets with webhooks, and storage prices
-- (issue 7). docs/billing.md explains the model.

-- A partner is an account with role 'partner'. Its customers are member accounts whose partner_id
-- names it; the hoster bills the partner for them, and the partner bills them with its own book.
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('admin', 'member', 'partner'));
ALTER TABLE accounts ADD COLUMN partner_id text REFERENCES accounts(id);
ALTER TABLE accounts ADD CONSTRAINT accounts_customer_is_member CHECK (partner_id IS NULL OR role = 'member');
CREATE INDEX accounts_partner ON accounts(partner_id, id) WHERE partner_id IS NOT NULL;

-- A partner's markup on the hoster's prices, in basis points (2000 = +20%), from a timestamp until
-- the next. It prices every sku for which the partner's own book (prices.book = the partner's ID)
-- has no price in force.
CREATE TABLE partner_markups (
    partner_id      text NOT NULL REFERENCES accounts(id),
    effective_from  timestamptz NOT NULL,
    basis_points    integer NOT NULL CHECK (basis_points BETWEEN 0 AND 1000000),
    created_at      timestamptz NOT NULL,
    created_by      text NOT NULL,
    PRIMARY KEY (partner_id, effective_from)
);

-- A partner's default quotas for its customers (between the installation's defaults and a
-- customer's own overrides).
CREATE TABLE partner_quota_defaults (
    partner_id  text NOT NULL REFERENCES accounts(id),
    resource    text NOT NULL,
    value       bigint NOT NULL CHECK (value >= 0),
    PRIMARY KEY (partner_id, resource)
);

-- Who issues an invoice ('hoster', or the partner that bills its customer), and whose resource a
-- line is (a partner's invoice has its customers' lines). Old rows: the hoster, the invoice's account.
ALTER TABLE invoices ADD COLUMN issuer text NOT NULL DEFAULT 'hoster';
ALTER TABLE invoice_lines ADD COLUMN account_id text;

-- A monthly budget per account: thresholds in percent of amount_minor, and where to call.
CREATE TABLE budgets (
    account_id    text PRIMARY KEY REFERENCES accounts(id),
    amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
    thresholds    integer[] NOT NULL,
    webhook_url   text,
    updated_at    timestamptz NOT NULL,
    updated_by    text NOT NULL
);

-- Each threshold is crossed at most once per account and month: the primary key makes the metering
-- passes of several servers record it once.
CREATE TABLE budget_alerts (
    account_id    text NOT NULL REFERENCES accounts(id),
    month         date NOT NULL,
    threshold     integer NOT NULL,
    total_minor   bigint NOT NULL,
    budget_minor  bigint NOT NULL,
    crossed_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, month, threshold)
);

-- The outbox of webhook calls, written in the transaction that records the alert and worked off the
-- request path by a sender that claims a row with a lease (as image imports are), so a call
-- survives a server's death. url may carry a secret: it is never logged.
CREATE TABLE webhook_deliveries (
    id                bigserial PRIMARY KEY,
    account_id        text NOT NULL REFERENCES accounts(id),
    url               text NOT NULL,
    body              text NOT NULL,
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL,
    lease_owner       text,
    lease_expires_at  timestamptz,
    last_error        text,
    delivered_at      timestamptz,
    failed_at         timestamptz,
    created_at        timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_account ON webhook_deliveries(account_id, id);

-- Storage list prices per GiB-month (EC2's us-east-1 list prices), from the beginning of time, so
-- that the storage meters have something to rate with. Operators change them like any price.
INSERT INTO prices (book, usage_type, sku, effective_from, micros_per_unit, created_at, created_by) VALUES
    ('hoster', 'volume', 'gp2', '1970-01-01T00:00:00Z', 100000, now(), 'migration'),
    ('hoster', 'volume', 'gp3', '1970-01-01T00:00:00Z', 80000, now(), 'migration'),
    ('hoster', 'volume', 'io1', '1970-01-01T00:00:00Z', 125000, now(), 'migration'),
    ('hoster', 'volume', 'io2', '1970-01-01T00:00:00Z', 125000, now(), 'migration'),
    ('hoster', 'volume', 'standard', '1970-01-01T00:00:00Z', 50000, now(), 'migration'),
    ('hoster', 'snapshot', 'standard', '1970-01-01T00:00:00Z', 50000, now(), 'migration'),
    ('hoster', 'image', 'standard', '1970-01-01T00:00:00Z', 50000, now(), 'migration')
ON CONFLICT DO NOTHING;
