-- Where the control plane reaches a remote host's console port, and the key the agent chose for it
-- (new at every agent start), sealed with the installation's secret key.
CREATE TABLE host_consoles (
    host_id      text PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
    address      text NOT NULL,
    port         integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    key_sealed   bytea NOT NULL,
    announced_at timestamptz NOT NULL
);
