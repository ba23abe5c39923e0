-- Remote agents (issue: many hosts). An admin creates a join token; an agent exchanges it, once
-- per host, for a host credential that authenticates all its later calls. Only SHA-256 digests of
-- the secrets are stored: both are 256-bit random values, so a slow hash would add nothing.
CREATE TABLE join_tokens (
    id            text PRIMARY KEY,
    secret_sha256 bytea NOT NULL,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);

CREATE TABLE host_credentials (
    id            text PRIMARY KEY,
    host_id       text NOT NULL REFERENCES hosts(id),
    secret_sha256 bytea NOT NULL,
    join_token_id text NOT NULL REFERENCES join_tokens(id),
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX host_credentials_host ON host_credentials(host_id);
