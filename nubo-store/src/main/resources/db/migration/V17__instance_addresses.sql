-- Each instance's private IPv4 address in its zone's default subnet (issue 4): a host number within
-- the subnet's CIDR (4 is the subnet's first address that EC2 gives out: .0 to .3 and the last are
-- reserved). Every account has its own default VPC, so addresses are unique per account and zone
-- among the instances that still hold them; the partial unique index makes that a constraint,
-- whatever a launch does. An address is released when its instance is terminated.
CREATE TABLE instance_addresses (
    instance_id  text PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    account_id   text NOT NULL,
    zone         text NOT NULL,
    host_number  integer NOT NULL CHECK (host_number > 0),
    released     boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX instance_addresses_held ON instance_addresses(account_id, zone, host_number) WHERE NOT released;

-- Termination releases the address in the same statement, on every path that terminates.
CREATE FUNCTION release_instance_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE instance_addresses SET released = true WHERE instance_id = NEW.id AND NOT released;
    RETURN NULL;
END $$;
CREATE TRIGGER instances_release_address AFTER UPDATE OF state ON instances
    FOR EACH ROW WHEN (NEW.state = 'terminated' AND OLD.state IS DISTINCT FROM 'terminated')
    EXECUTE FUNCTION release_instance_address();

-- Instances launched before addresses existed get one each, in launch order.
INSERT INTO instance_addresses (instance_id, account_id, zone, host_number)
SELECT id, account_id, availability_zone, 3 + row_number() OVER (PARTITION BY account_id, availability_zone ORDER BY launch_time, id)
FROM instances WHERE state <> 'terminated';
