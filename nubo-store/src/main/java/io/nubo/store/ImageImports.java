package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The queue of image imports. A server claims one with a lease and renews it while it works;
 * when its lease runs out (the server died), another server claims it and starts over.
 */
public final class ImageImports {
    private final Handle h;

    ImageImports(Handle h) {
        this.h = h;
    }

    /** One import. {@code source} is a URL, a path or a staged upload: never show or log it. */
    public record ImageImport(String imageId, String sourceKind, String source, Optional<String> targetFormat, int attempts,
                              Optional<String> lastError, Optional<String> leaseOwner, Optional<Instant> leaseExpiresAt) {
        @Override
        public String toString() {
            return "ImageImport[" + imageId + " " + sourceKind + " attempt " + attempts + "]";
        }
    }

    public void insert(String imageId, String sourceKind, String source, Optional<String> targetFormat, Instant now) {
        h.createUpdate("""
                INSERT INTO image_imports (image_id, source_kind, source, target_format, created_at)
                VALUES (:id, :kind, :src, :fmt, :now)""")
                .bind("id", imageId).bind("kind", sourceKind).bind("src", source).bind("fmt", targetFormat.orElse(null))
                .bind("now", Rows.utc(now)).execute();
    }

    /**
     * Claims the oldest import nobody holds (never claimed, or its lease ran out) for {@code owner}
     * until {@code leaseUntil}, counting the attempt. Concurrent claimers skip each other's rows.
     */
    public Optional<ImageImport> claim(String owner, Instant now, Instant leaseUntil) {
        Optional<String> id = h.createQuery("""
                SELECT image_id FROM image_imports
                WHERE lease_expires_at IS NULL OR lease_expires_at < :now
                ORDER BY created_at, image_id LIMIT 1 FOR UPDATE SKIP LOCKED""")
                .bind("now", Rows.utc(now)).mapTo(String.class).findOne();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        h.createUpdate("UPDATE image_imports SET lease_owner = :o, lease_expires_at = :until, attempts = attempts + 1 WHERE image_id = :id")
                .bind("o", owner).bind("until", Rows.utc(leaseUntil)).bind("id", id.get()).execute();
        return find(id.get());
    }

    /** Extends a lease this owner holds; false when it lost the lease (or the import is gone). */
    public boolean renew(String imageId, String owner, Instant leaseUntil) {
        return h.createUpdate("UPDATE image_imports SET lease_expires_at = :until WHERE image_id = :id AND lease_owner = :o")
                .bind("until", Rows.utc(leaseUntil)).bind("id", imageId).bind("o", owner).execute() == 1;
    }

    /** Gives an import back to the queue, to be tried again after {@code retryAt}. */
    public void release(String imageId, String owner, String error, Instant retryAt) {
        h.createUpdate("""
                UPDATE image_imports SET lease_owner = NULL, lease_expires_at = :at, last_error = :e
                WHERE image_id = :id AND lease_owner = :o""")
                .bind("at", Rows.utc(retryAt)).bind("e", error).bind("id", imageId).bind("o", owner).execute();
    }

    public Optional<ImageImport> find(String imageId) {
        return h.createQuery("SELECT * FROM image_imports WHERE image_id = :id").bind("id", imageId)
                .map((rs, ctx) -> new ImageImport(rs.getString("image_id"), rs.getString("source_kind"), rs.getString("source"),
                        Optional.ofNullable(rs.getString("target_format")), rs.getInt("attempts"),
                        Optional.ofNullable(rs.getString("last_error")), Optional.ofNullable(rs.getString("lease_owner")),
                        Optional.ofNullable(Rows.instant(rs, "lease_expires_at"))))
                .findOne();
    }

    public List<String> pendingIds() {
        return h.createQuery("SELECT image_id FROM image_imports ORDER BY image_id").mapTo(String.class).list();
    }

    public void delete(String imageId) {
        h.createUpdate("DELETE FROM image_imports WHERE image_id = :id").bind("id", imageId).execute();
    }
}
