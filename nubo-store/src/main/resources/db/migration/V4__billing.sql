-- Pay-per-use (issue 7): metering derived from the event log, the price book, invoices and
-- quotas beyond instances. docs/billing.md explains the model.

-- The transaction that wrote each event. Event IDs come from a sequence, so a transaction that
-- is still open can commit an event whose ID is below one the meter has already seen; every
-- such transaction has an ID at or above the xmin of the meter's snapshot, so the meter re-reads
-- events from that point on (see MeterCursor).
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_tx ON events(tx);

-- Where the meter is in the event log: every event with a larger ID, or written by a transaction
-- at or above rescan_tx, may still be new to it.
CREATE TABLE meter_cursor (
    id              smallint PRIMARY KEY CHECK (id = 1),
    last_event_id   bigint NOT NULL,
    rescan_tx       xid8 NOT NULL
);
INSERT INTO meter_cursor (id, last_event_id, rescan_tx) VALUES (1, 0, '0');

-- What the meter knows of each metered resource: its sku (the instance type), its size (1 for
-- instances, GiB for storage), and the open interval it accrues in, if any.
CREATE TABLE meter_state (
    resource_id     text PRIMARY KEY,
    account_id      text NOT NULL,
    usage_type      text NOT NULL,
    sku             text NOT NULL,
    size            bigint NOT NULL CHECK (size >= 0),
    started_at      timestamptz,
    start_event_id  bigint,
    last_event_id   bigint NOT NULL
);
CREATE INDEX meter_state_open ON meter_state(account_id) WHERE started_at IS NOT NULL;

-- Closed usage, one row per resource per UTC day of an interval. seconds includes the
-- one-minute minimum's top-up (on the interval's first day); quantity is seconds * size.
CREATE TABLE usage_records (
    account_id      text NOT NULL,
    resource_id     text NOT NULL,
    usage_type      text NOT NULL,
    sku             text NOT NULL,
    day             date NOT NULL,
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    seconds         bigint NOT NULL CHECK (seconds >= 0),
    size            bigint NOT NULL CHECK (size >= 0),
    start_event_id  bigint NOT NULL,
    end_event_id    bigint NOT NULL,
    PRIMARY KEY (end_event_id, resource_id, day),
    CHECK (end_at >= start_at)
);
CREATE INDEX usage_records_account_day ON usage_records(account_id, day);

-- The price book. 'hoster' is the installation's own book; a partner's book will be named by
-- its account ID. A price holds from effective_from until the next one for the same sku.
-- micros_per_unit is per hour (instances) or per GiB-month (storage), in micro-units.
CREATE TABLE prices (
    book             text NOT NULL,
    usage_type       text NOT NULL,
    sku              text NOT NULL,
    effective_from   timestamptz NOT NULL,
    micros_per_unit  bigint NOT NULL CHECK (micros_per_unit >= 0),
    created_at       timestamptz NOT NULL,
    created_by       text NOT NULL,
    PRIMARY KEY (book, usage_type, sku, effective_from)
);
INSERT INTO prices (book, usage_type, sku, effective_from, micros_per_unit, created_at, created_by)
    SELECT 'hoster', 'instance', name, '1970-01-01T00:00:00Z', price_micros_per_hour, now(), 'migration' FROM instance_types;

-- Months whose invoices are final. A closed month's invoices and lines never change.
CREATE TABLE closed_months (
    month      date PRIMARY KEY CHECK (extract(day FROM month) = 1),
    closed_at  timestamptz NOT NULL,
    closed_by  text NOT NULL
);

CREATE TABLE invoices (
    id           text PRIMARY KEY,
    account_id   text NOT NULL REFERENCES accounts(id),
    month        date NOT NULL REFERENCES closed_months(month),
    currency     text NOT NULL,
    total_minor  bigint NOT NULL CHECK (total_minor >= 0),
    closed_at    timestamptz NOT NULL,
    UNIQUE (account_id, month)
);

CREATE TABLE invoice_lines (
    invoice_id         text NOT NULL REFERENCES invoices(id),
    line_no            integer NOT NULL,
    usage_type         text NOT NULL,
    resource_id        text NOT NULL,
    sku                text NOT NULL,
    quantity           bigint NOT NULL CHECK (quantity >= 0),
    unit_price_micros  bigint NOT NULL CHECK (unit_price_micros >= 0),
    amount_minor       bigint NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (invoice_id, line_no)
);

CREATE FUNCTION billing_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'closed invoices are immutable (%)', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER invoices_frozen BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION billing_frozen();
CREATE TRIGGER invoice_lines_frozen BEFORE UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION billing_frozen();
CREATE TRIGGER closed_months_frozen BEFORE UPDATE OR DELETE ON closed_months FOR EACH ROW EXECUTE FUNCTION billing_frozen();

-- Quotas beyond instances (accounts.instance_quota stays the instance count's). A resource with
-- no default has no limit unless an account has an override.
CREATE TABLE quota_defaults (
    resource  text PRIMARY KEY,
    value     bigint NOT NULL CHECK (value >= 0)
);
CREATE TABLE account_quotas (
    account_id  text NOT NULL REFERENCES accounts(id),
    resource    text NOT NULL,
    value       bigint NOT NULL CHECK (value >= 0),
    PRIMARY KEY (account_id, resource)
);
