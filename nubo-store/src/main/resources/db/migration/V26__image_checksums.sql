-- The SHA-256 of an image's file, for agents that stream it from the server (issue 6): taken the
-- first time a host asks for the file, and kept with what the file was when hashed (its size and
-- modification time), so that a file replaced at the same path is hashed again rather than served
-- with a stale digest.
ALTER TABLE images ADD COLUMN sha256 text, ADD COLUMN sha256_of text;
