package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;

/** The accounts each image is shared with (EC2's userId launch permissions). */
public final class LaunchPermissions {
    private final Handle h;

    LaunchPermissions(Handle h) {
        this.h = h;
    }

    public void add(String imageId, String accountId, Instant now) {
        h.createUpdate("""
                INSERT INTO image_launch_permissions (image_id, account_id, created_at) VALUES (:i, :a, :now)
                ON CONFLICT DO NOTHING""")
                .bind("i", imageId).bind("a", accountId).bind("now", Rows.utc(now)).execute();
    }

    public void remove(String imageId, String accountId) {
        h.createUpdate("DELETE FROM image_launch_permissions WHERE image_id = :i AND account_id = :a")
                .bind("i", imageId).bind("a", accountId).execute();
    }

    public void removeAll(String imageId) {
        h.createUpdate("DELETE FROM image_launch_permissions WHERE image_id = :i").bind("i", imageId).execute();
    }

    /** The accounts the image is shared with, in order. */
    public List<String> accounts(String imageId) {
        return h.createQuery("SELECT account_id FROM image_launch_permissions WHERE image_id = :i ORDER BY account_id")
                .bind("i", imageId).mapTo(String.class).list();
    }

    /** Of {@code imageIds}, those shared with {@code accountId}. */
    public List<String> sharedWith(String accountId, List<String> imageIds) {
        if (imageIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT image_id FROM image_launch_permissions WHERE account_id = :a AND image_id = ANY(:ids)")
                .bind("a", accountId).bind("ids", imageIds.toArray(String[]::new)).mapTo(String.class).list();
    }
}
