package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The images being made from instances' root disks (CreateImage), one row per pending image
 * until its file is handed to the import queue. Paths are as the server sees the image pool.
 */
public final class ImageCaptures {
    public static final String STOPPING = "stopping";
    public static final String COPYING = "copying";
    public static final String COPIED = "copied";
    public static final String FAILED = "failed";

    private final Handle h;

    ImageCaptures(Handle h) {
        this.h = h;
    }

    /** One capture. {@code restart}: the instance was stopped for it and is started again when it ends. */
    public record Capture(String imageId, String accountId, String instanceId, String phase, boolean restart, int progress,
                          String reason, String stagedPath, String scratchPath, Instant createdAt) {
    }

    public void insert(Capture c) {
        h.createUpdate("""
                INSERT INTO image_captures (image_id, account_id, instance_id, phase, restart, progress, staged_path, scratch_path,
                                            created_at, updated_at)
                VALUES (:id, :a, :i, :phase, :restart, 0, :staged, :scratch, :now, :now)""")
                .bind("id", c.imageId()).bind("a", c.accountId()).bind("i", c.instanceId()).bind("phase", c.phase())
                .bind("restart", c.restart()).bind("staged", c.stagedPath()).bind("scratch", c.scratchPath())
                .bind("now", Rows.utc(c.createdAt())).execute();
    }

    public Optional<Capture> find(String imageId) {
        return h.createQuery("SELECT * FROM image_captures WHERE image_id = :id").bind("id", imageId).map(ImageCaptures::map).findOne();
    }

    public Optional<Capture> lock(String imageId) {
        return h.createQuery("SELECT * FROM image_captures WHERE image_id = :id FOR UPDATE").bind("id", imageId)
                .map(ImageCaptures::map).findOne();
    }

    /** Whether an image of this instance is being made. */
    public boolean activeFor(String instanceId) {
        return h.createQuery("SELECT count(*) FROM image_captures WHERE instance_id = :i").bind("i", instanceId).mapTo(Long.class).one() > 0;
    }

    /** The captures the hosts of these instances are to copy now. */
    public List<Capture> copyingFor(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM image_captures WHERE phase = 'copying' AND instance_id = ANY(:ids) ORDER BY image_id")
                .bindArray("ids", String.class, instanceIds).map(ImageCaptures::map).list();
    }

    /** Up to {@code limit} captures, oldest first, unlocked: the controller locks each (after its instance) to work it. */
    public List<Capture> list(int limit) {
        return h.createQuery("SELECT * FROM image_captures ORDER BY created_at, image_id LIMIT :n")
                .bind("n", limit).map(ImageCaptures::map).list();
    }

    public void setPhase(String imageId, String phase, String reason, Instant now) {
        h.createUpdate("UPDATE image_captures SET phase = :p, reason = :r, updated_at = :now WHERE image_id = :id")
                .bind("id", imageId).bind("p", phase).bind("r", reason).bind("now", Rows.utc(now)).execute();
    }

    public void setProgress(String imageId, int progress, Instant now) {
        h.createUpdate("UPDATE image_captures SET progress = :p, updated_at = :now WHERE image_id = :id")
                .bind("id", imageId).bind("p", progress).bind("now", Rows.utc(now)).execute();
    }

    public void delete(String imageId) {
        h.createUpdate("DELETE FROM image_captures WHERE image_id = :id").bind("id", imageId).execute();
    }

    private static Capture map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Capture(rs.getString("image_id"), rs.getString("account_id"), rs.getString("instance_id"), rs.getString("phase"),
                rs.getBoolean("restart"), rs.getInt("progress"), rs.getString("reason"), rs.getString("staged_path"),
                rs.getString("scratch_path"), Rows.instant(rs, "created_at"));
    }
}
