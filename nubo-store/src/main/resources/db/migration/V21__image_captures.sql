-- CreateImage: the images being made from an instance's root disk. One row per pending image,
-- deleted when its file is handed to the import queue (or the image fails).
--
-- phase:
--   stopping  the instance is being shut down first (CreateImage without NoReboot); the capture
--             controller moves on once the instance is stopped;
--   copying   the instance's host flattens its root disk (a QMP block job while the VM runs,
--             qemu-img convert while it is down) into a scratch file, then moves it to staged_path;
--   copied    the host reported the staged file whole: the controller queues its import;
--   failed    the host could not make it (reason).
-- restart: the controller stopped the instance, so it starts it again once the copy is done.
CREATE TABLE image_captures (
    image_id     text PRIMARY KEY REFERENCES images(id),
    account_id   text NOT NULL REFERENCES accounts(id),
    instance_id  text NOT NULL,
    phase        text NOT NULL CHECK (phase IN ('stopping', 'copying', 'copied', 'failed')),
    restart      boolean NOT NULL,
    progress     integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    reason       text,
    staged_path  text NOT NULL,
    scratch_path text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX image_captures_instance ON image_captures(instance_id);
