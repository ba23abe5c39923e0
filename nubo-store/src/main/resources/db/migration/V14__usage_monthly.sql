-- A monthly rollup of the usage records: per account, month, resource, usage type, sku and size,
-- the seconds of the month's day records. The meter adds to it in the transaction that writes the
-- records, a rebuild recomputes it, and the check compares it with a replay. A draft invoice reads
-- it instead of the day records wherever a sku's price does not change inside the month, so that
-- an account with 1,000 resources costs 1,000 rows, not 30,000 (docs/billing.md).
CREATE TABLE usage_monthly (
    account_id   text NOT NULL,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    resource_id  text NOT NULL,
    usage_type   text NOT NULL,
    sku          text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    seconds      bigint NOT NULL CHECK (seconds >= 0),
    PRIMARY KEY (account_id, month, resource_id, usage_type, sku, size)
);

INSERT INTO usage_monthly (account_id, month, resource_id, usage_type, sku, size, seconds)
    SELECT account_id, date_trunc('month', day)::date, resource_id, usage_type, sku, size, sum(seconds)
    FROM usage_records GROUP BY 1, 2, 3, 4, 5, 6;
