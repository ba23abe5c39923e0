-- How the scheduler orders the hosts that can take an instance, per zone (issue 6): spread (the
-- most free memory first, the default for a zone without a row) or pack (the least first).
CREATE TABLE zone_weighers (
    zone     text PRIMARY KEY,
    weigher  text NOT NULL CHECK (weigher IN ('spread', 'pack'))
);
