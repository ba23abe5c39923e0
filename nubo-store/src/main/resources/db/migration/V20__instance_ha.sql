-- High availability (issue 6): an HA instance is restarted on another host when its host's lease
-- runs out and the host is marked down. Existing instances keep their root disk in their host's
-- data dir, which another host cannot reach, so they are not HA.
ALTER TABLE instances ADD COLUMN ha boolean NOT NULL DEFAULT false;
