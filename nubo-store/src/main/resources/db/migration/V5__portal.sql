-- The portal: users who sign in with an e-mail and a password, their sessions, the log-in
-- throttle, one-time console tickets, and a NOTIFY on every event for live updates.

-- A user belongs to one account. role 'admin' may manage the account's users and keys;
-- in the operator's (admin) account it also makes the user an operator.
CREATE TABLE users (
    id              text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts(id),
    email           text NOT NULL,
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('admin', 'member')),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_account ON users (account_id);

-- Sessions: only the SHA-256 of the cookie's token is stored.
CREATE TABLE portal_sessions (
    token_hash      bytea PRIMARY KEY,
    user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token      text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX portal_sessions_user ON portal_sessions (user_id);

-- Failed log-ins in a row per e-mail (lower case), known or not.
CREATE TABLE login_throttle (
    email           text PRIMARY KEY,
    failures        integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    blocked_until   timestamptz
);

-- One-time console tickets, scoped to one instance of one account; only the hash is stored.
CREATE TABLE console_tickets (
    ticket_hash     bytea PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts(id),
    instance_id     text NOT NULL,
    expires_at      timestamptz NOT NULL
);

-- Wake live-update listeners on every appended event; the payload is the event's ID.
CREATE FUNCTION nubo_events_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('nubo_events', NEW.id::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION nubo_events_notify();
