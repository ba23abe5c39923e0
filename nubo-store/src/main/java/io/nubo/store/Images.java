package io.nubo.store;

import io.nubo.core.model.Image;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Optional;

/**
 * Images. An account sees public images, its own, and those shared with it (a launch
 * permission); never a deregistered one.
 */
public final class Images {
    /** The condition under which account {@code :a} may see an image row {@code images}. */
    static final String VISIBLE_TO_A = """
            (images.is_public OR images.owner_id = :a
             OR EXISTS (SELECT 1 FROM image_launch_permissions p WHERE p.image_id = images.id AND p.account_id = :a))
            AND images.state <> 'deregistered'""";

    private final Handle h;

    Images(Handle h) {
        this.h = h;
    }

    public void insert(Image i) {
        h.createUpdate("""
                INSERT INTO images (id, name, description, owner_id, is_public, state, format, location, architecture, created_at,
                                    state_reason, progress, pool_id, size_bytes, virtual_size_bytes)
                VALUES (:id, :name, :d, :owner, :pub, :state, :format, :loc, :arch, :at, :reason, :progress, :pool, :size, :vsize)""")
                .bind("id", i.id()).bind("name", i.name()).bind("d", i.description()).bind("owner", i.ownerId())
                .bind("pub", i.isPublic()).bind("state", i.state()).bind("format", i.format()).bind("loc", i.location())
                .bind("arch", i.architecture()).bind("at", Rows.utc(i.createdAt())).bind("reason", i.stateReason())
                .bind("progress", i.progress()).bind("pool", i.poolId()).bind("size", i.sizeBytes())
                .bind("vsize", i.virtualSizeBytes()).execute();
    }

    public void updateFile(String id, String format, String location, String state) {
        h.createUpdate("UPDATE images SET format = :f, location = :l, state = :s WHERE id = :id")
                .bind("f", format).bind("l", location).bind("s", state).bind("id", id).execute();
    }

    /** Records the disk size a guest of the image sees. */
    public void setVirtualSize(String id, long virtualSizeBytes) {
        h.createUpdate("UPDATE images SET virtual_size_bytes = :v WHERE id = :id").bind("v", virtualSizeBytes).bind("id", id).execute();
    }

    /** Marks an image deregistered: it is no longer listed or launchable, but instances made from it keep it. */
    public void deregister(String id) {
        h.createUpdate("UPDATE images SET state = 'deregistered' WHERE id = :id").bind("id", id).execute();
    }

    /** How many images the account owns that are not deregistered (nor failed): what its image quota counts. */
    public long ownedCount(String accountId) {
        return h.createQuery("SELECT count(*) FROM images WHERE owner_id = :a AND state IN ('pending', 'available')")
                .bind("a", accountId).mapTo(Long.class).one();
    }

    /** The image if {@code accountId} may use it. */
    public Optional<Image> findVisible(String id, String accountId) {
        return h.createQuery("SELECT * FROM images WHERE id = :id AND " + VISIBLE_TO_A)
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<Image> find(String id) {
        return h.createQuery("SELECT * FROM images WHERE id = :id").bind("id", id).map((rs, ctx) -> map(rs)).findOne();
    }

    /** Locks the image's row for this transaction. */
    public Optional<Image> lock(String id) {
        return h.createQuery("SELECT * FROM images WHERE id = :id FOR UPDATE").bind("id", id).map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<Image> findPublicByName(String name) {
        return h.createQuery("SELECT * FROM images WHERE is_public AND name = :n ORDER BY created_at LIMIT 1")
                .bind("n", name).map((rs, ctx) -> map(rs)).findOne();
    }

    /** Whether the account owns a pending or available image of that name (EC2's names are unique per owner). */
    public boolean ownerHasName(String accountId, String name) {
        return h.createQuery("SELECT count(*) FROM images WHERE owner_id = :a AND name = :n AND state IN ('pending', 'available')")
                .bind("a", accountId).bind("n", name).mapTo(Long.class).one() > 0;
    }

    public List<Image> listVisible(String accountId) {
        return h.createQuery("SELECT * FROM images WHERE " + VISIBLE_TO_A + " ORDER BY created_at, id")
                .bind("a", accountId).map((rs, ctx) -> map(rs)).list();
    }

    public void setPublic(String id, boolean isPublic) {
        h.createUpdate("UPDATE images SET is_public = :p WHERE id = :id").bind("p", isPublic).bind("id", id).execute();
    }

    public void setDescription(String id, String description) {
        h.createUpdate("UPDATE images SET description = :d WHERE id = :id").bind("d", description).bind("id", id).execute();
    }

    /** Records an import's progress; only while the image is still pending. */
    public void setProgress(String id, int progress) {
        h.createUpdate("UPDATE images SET progress = :p WHERE id = :id AND state = 'pending'")
                .bind("p", progress).bind("id", id).execute();
    }

    /** A finished import: the image is available, with its file on {@code poolId}. */
    public void markAvailable(String id, String format, String location, String poolId, long sizeBytes, long virtualSizeBytes) {
        h.createUpdate("""
                UPDATE images SET state = 'available', state_reason = NULL, progress = 100, format = :f, location = :l,
                                  pool_id = :pool, size_bytes = :size, virtual_size_bytes = :vsize
                WHERE id = :id""")
                .bind("f", format).bind("l", location).bind("pool", poolId).bind("size", sizeBytes)
                .bind("vsize", virtualSizeBytes).bind("id", id).execute();
    }

    /** A failed import: the image stays visible to its owner with the reason, and has no file. */
    public void markFailed(String id, String reason) {
        h.createUpdate("UPDATE images SET state = 'failed', state_reason = :r, size_bytes = 0, location = '' WHERE id = :id")
                .bind("r", reason).bind("id", id).execute();
    }

    /** The file of a deregistered image is gone: it takes no space any more. */
    public void fileDeleted(String id) {
        h.createUpdate("UPDATE images SET size_bytes = 0 WHERE id = :id").bind("id", id).execute();
    }

    /**
     * Deregistered images whose file still takes space on a pool, and that no instance still
     * needs (every instance made from them is terminated): their file may be deleted.
     */
    public List<Image> unusedDeregisteredFiles() {
        return h.createQuery("""
                SELECT * FROM images WHERE state = 'deregistered' AND pool_id IS NOT NULL AND size_bytes > 0
                  AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.image_id = images.id AND i.state <> 'terminated')
                ORDER BY id""").map((rs, ctx) -> map(rs)).list();
    }

    /** Every image with a file on {@code poolId}, in any state. */
    public List<Image> onPool(String poolId) {
        return h.createQuery("SELECT * FROM images WHERE pool_id = :p ORDER BY id").bind("p", poolId).map((rs, ctx) -> map(rs)).list();
    }

    /** The SHA-256 recorded for the image's file, if it was taken of the file {@code fileStamp} describes (V26). */
    public Optional<String> sha256(String id, String fileStamp) {
        return h.createQuery("SELECT sha256 FROM images WHERE id = :id AND sha256 IS NOT NULL AND sha256_of = :of")
                .bind("id", id).bind("of", fileStamp).mapTo(String.class).findOne();
    }

    /** Records the SHA-256 of the image's file as {@code fileStamp} describes it. */
    public void recordSha256(String id, String sha256, String fileStamp) {
        h.createUpdate("UPDATE images SET sha256 = :sha, sha256_of = :of WHERE id = :id")
                .bind("sha", sha256).bind("of", fileStamp).bind("id", id).execute();
    }

    /**
     * Whether a host has a reason to hold the image's file: an instance placed on it and not
     * terminated, or one migrating to it, was made from the image. What a host credential may fetch.
     */
    public boolean neededOn(String imageId, String hostId) {
        return h.createQuery("""
                SELECT EXISTS (SELECT 1 FROM instances WHERE host_id = :h AND image_id = :img AND state <> 'terminated')
                    OR EXISTS (SELECT 1 FROM migrations m JOIN instances i ON i.id = m.instance_id
                               WHERE m.destination_host_id = :h AND m.state IN ('preparing', 'migrating') AND i.image_id = :img)""")
                .bind("h", hostId).bind("img", imageId).mapTo(Boolean.class).one();
    }

    private static Image map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Image(rs.getString("id"), rs.getString("name"), rs.getString("description"), rs.getString("owner_id"),
                rs.getBoolean("is_public"), rs.getString("state"), rs.getString("format"), rs.getString("location"),
                rs.getString("architecture"), Rows.instant(rs, "created_at"), rs.getString("state_reason"), rs.getInt("progress"),
                rs.getString("pool_id"), rs.getLong("size_bytes"), rs.getLong("virtual_size_bytes"));
    }
}
