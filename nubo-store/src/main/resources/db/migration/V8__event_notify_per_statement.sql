-- The live event feed only needs a wake-up, not one notification per event: a row trigger with
-- the event ID as payload sent one NOTIFY per appended row (PostgreSQL folds only identical
-- payloads), so a batch of 1,000 launch events queued 1,000 notifications. One per statement, with
-- an empty payload, folds to one per transaction.
DROP TRIGGER events_notify ON events;
CREATE OR REPLACE FUNCTION nubo_events_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('nubo_events', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION nubo_events_notify();
