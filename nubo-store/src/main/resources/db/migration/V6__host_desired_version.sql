-- A host's desired-state version, bumped under the host's row lock in the transaction that
-- changes what the host should run. Row locks make the bumps commit in order, so an agent that
-- has seen version N has seen every change up to N. (A global sequence does not: a change can
-- draw a smaller number and commit after a larger one, and an agent would never see it.)
-- instances.desired_seq now holds the host's version at the instance's last desired change.
ALTER TABLE hosts ADD COLUMN desired_version bigint NOT NULL DEFAULT 0;
UPDATE hosts h SET desired_version = coalesce((SELECT max(desired_seq) FROM instances i WHERE i.host_id = h.id), 0);
