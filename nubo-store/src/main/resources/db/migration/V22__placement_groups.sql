-- Placement groups (issue 6): EC2's cluster, spread and partition groups, which the scheduler obeys.
-- Membership is its own table so that an instance row stays as it was; a member's partition is
-- chosen at launch (partition groups only).
CREATE TABLE placement_groups (
    id               text PRIMARY KEY,
    account_id       text NOT NULL REFERENCES accounts(id),
    name             text NOT NULL,
    strategy         text NOT NULL CHECK (strategy IN ('cluster', 'spread', 'partition')),
    partition_count  int NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE placement_group_members (
    instance_id       text PRIMARY KEY REFERENCES instances(id),
    group_id          text NOT NULL REFERENCES placement_groups(id) ON DELETE CASCADE,
    partition_number  int
);
CREATE INDEX placement_group_members_group ON placement_group_members(group_id);
