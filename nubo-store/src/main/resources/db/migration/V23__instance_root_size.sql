-- The size a root disk is launched with (RunInstances' BlockDeviceMapping for the root device,
-- REST's rootDiskGib); null: the image's own size, as before.
ALTER TABLE instances ADD COLUMN root_size_gib int CHECK (root_size_gib > 0);
