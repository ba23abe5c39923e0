-- SSH key pairs, per account, unique by name as on EC2.
CREATE TABLE key_pairs (
    id           text PRIMARY KEY,
    account_id   text NOT NULL REFERENCES accounts(id),
    name         text NOT NULL,
    type         text NOT NULL,
    fingerprint  text NOT NULL,
    public_key   text NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (account_id, name)
);

-- The public key is copied onto the instance at launch, so deleting the key pair later does
-- not change what the instance was given (EC2 behaves the same way).
ALTER TABLE instances ADD COLUMN public_key text;
-- How to reach the guest's SSH, as its host reports it (user networking forwards a host port).
ALTER TABLE instances ADD COLUMN ssh_host text;
ALTER TABLE instances ADD COLUMN ssh_port integer;
