-- What the EC2 API needs: networks (a default VPC per account, with a default subnet per zone),
-- security groups and their rules, tags, idempotency tokens, and each instance's zone.

CREATE TABLE vpcs (
    id          text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts(id),
    cidr_block  text NOT NULL,
    is_default  boolean NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX vpcs_one_default ON vpcs(account_id) WHERE is_default;

CREATE TABLE subnets (
    id              text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts(id),
    vpc_id          text NOT NULL REFERENCES vpcs(id),
    zone            text NOT NULL,
    cidr_block      text NOT NULL,
    default_for_az  boolean NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX subnets_one_default_per_zone ON subnets(vpc_id, zone) WHERE default_for_az;
CREATE INDEX subnets_account ON subnets(account_id);

CREATE TABLE security_groups (
    id           text PRIMARY KEY,
    account_id   text NOT NULL REFERENCES accounts(id),
    vpc_id       text NOT NULL REFERENCES vpcs(id),
    name         text NOT NULL,
    description  text NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (account_id, vpc_id, name)
);

-- One row per peer: an IPv4 CIDR, an IPv6 CIDR or another group. Ports are null for protocols
-- without them ('-1' is every protocol).
CREATE TABLE security_group_rules (
    id            text PRIMARY KEY,
    group_id      text NOT NULL REFERENCES security_groups(id) ON DELETE CASCADE,
    egress        boolean NOT NULL,
    protocol      text NOT NULL,
    from_port     integer,
    to_port       integer,
    cidr_ipv4     text,
    cidr_ipv6     text,
    ref_group_id  text REFERENCES security_groups(id),
    description   text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    CHECK (num_nonnulls(cidr_ipv4, cidr_ipv6, ref_group_id) = 1)
);
CREATE UNIQUE INDEX security_group_rules_unique ON security_group_rules (group_id, egress, protocol,
    coalesce(from_port, -9999), coalesce(to_port, -9999), coalesce(cidr_ipv4, ''), coalesce(cidr_ipv6, ''),
    coalesce(ref_group_id, ''));
CREATE INDEX security_group_rules_ref ON security_group_rules(ref_group_id) WHERE ref_group_id IS NOT NULL;

-- The groups an instance was launched with (enforced by the network backends, not yet here).
CREATE TABLE instance_security_groups (
    instance_id  text NOT NULL REFERENCES instances(id),
    group_id     text NOT NULL REFERENCES security_groups(id),
    PRIMARY KEY (instance_id, group_id)
);
CREATE INDEX instance_security_groups_group ON instance_security_groups(group_id);

-- Tags are the tagging account's own, so a tenant may tag a public image for itself.
CREATE TABLE tags (
    account_id     text NOT NULL REFERENCES accounts(id),
    resource_id    text NOT NULL,
    resource_type  text NOT NULL,
    key            text NOT NULL,
    value          text NOT NULL,
    PRIMARY KEY (account_id, resource_id, key)
);
CREATE INDEX tags_key_value ON tags(account_id, key, value);

-- Idempotency: the first successful request with a token, and a fingerprint of its parameters.
CREATE TABLE client_tokens (
    account_id    text NOT NULL REFERENCES accounts(id),
    action        text NOT NULL,
    token         text NOT NULL,
    request_hash  text NOT NULL,
    result_id     text NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, action, token)
);

ALTER TABLE instances ADD COLUMN availability_zone text NOT NULL DEFAULT 'nubo-1a';
CREATE INDEX instances_reservation ON instances(reservation_id);

-- Accounts created before this version get their default network and group now; new ones get
-- them when they are created.
DO $$
DECLARE
    a record;
    v text;
    g text;
BEGIN
    FOR a IN SELECT id FROM accounts LOOP
        v := 'vpc-' || substr(md5(random()::text || clock_timestamp()::text || a.id), 1, 17);
        g := 'sg-' || substr(md5(random()::text || clock_timestamp()::text || v), 1, 17);
        INSERT INTO vpcs (id, account_id, cidr_block, is_default, created_at) VALUES (v, a.id, '172.31.0.0/16', true, now());
        INSERT INTO subnets (id, account_id, vpc_id, zone, cidr_block, default_for_az, created_at)
            VALUES ('subnet-' || substr(md5(random()::text || clock_timestamp()::text || v), 1, 17), a.id, v, 'nubo-1a',
                    '172.31.0.0/20', true, now());
        INSERT INTO security_groups (id, account_id, vpc_id, name, description, created_at)
            VALUES (g, a.id, v, 'default', 'default VPC security group', now());
        INSERT INTO security_group_rules (id, group_id, egress, protocol, ref_group_id, created_at)
            VALUES ('sgr-' || substr(md5(random()::text || clock_timestamp()::text || g || 'in'), 1, 17), g, false, '-1', g, now());
        INSERT INTO security_group_rules (id, group_id, egress, protocol, cidr_ipv4, created_at)
            VALUES ('sgr-' || substr(md5(random()::text || clock_timestamp()::text || g || 'out'), 1, 17), g, true, '-1', '0.0.0.0/0', now());
        INSERT INTO instance_security_groups (instance_id, group_id) SELECT id, g FROM instances WHERE account_id = a.id;
    END LOOP;
END $$;

INSERT INTO tags (account_id, resource_id, resource_type, key, value)
    SELECT account_id, id, 'instance', 'Name', name FROM instances WHERE name IS NOT NULL;
