package io.nubo.store;

import io.nubo.core.model.Image;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Optional;

/** Images. An account sees public images and its own. */
public final class Images {
    private final Handle h;

    Images(Handle h) {
        this.h = h;
    }

    public void insert(Image i) {
        h.createUpdate("""
                INSERT INTO images (id, name, description, owner_id, is_public, state, format, location, architecture, created_at)
                VALUES (:id, :name, :d, :owner, :pub, :state, :format, :loc, :arch, :at)""")
                .bind("id", i.id()).bind("name", i.name()).bind("d", i.description()).bind("owner", i.ownerId())
                .bind("pub", i.isPublic()).bind("state", i.state()).bind("format", i.format()).bind("loc", i.location())
                .bind("arch", i.architecture()).bind("at", Rows.utc(i.createdAt())).execute();
    }

    public void updateFile(String id, String format, String location, String state) {
        h.createUpdate("UPDATE images SET format = :f, location = :l, state = :s WHERE id = :id")
                .bind("f", format).bind("l", location).bind("s", state).bind("id", id).execute();
    }

    /** Marks an image deregistered: it is no longer listed or launchable, but instances made from it keep it. */
    public void deregister(String id) {
        h.createUpdate("UPDATE images SET state = 'deregistered' WHERE id = :id").bind("id", id).execute();
    }

    /** The image if {@code accountId} may use it. */
    public Optional<Image> findVisible(String id, String accountId) {
        return h.createQuery("SELECT * FROM images WHERE id = :id AND (is_public OR owner_id = :a) AND state <> 'deregistered'")
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<Image> find(String id) {
        return h.createQuery("SELECT * FROM images WHERE id = :id").bind("id", id).map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<Image> findPublicByName(String name) {
        return h.createQuery("SELECT * FROM images WHERE is_public AND name = :n ORDER BY created_at LIMIT 1")
                .bind("n", name).map((rs, ctx) -> map(rs)).findOne();
    }

    public List<Image> listVisible(String accountId) {
        return h.createQuery("SELECT * FROM images WHERE (is_public OR owner_id = :a) AND state <> 'deregistered' ORDER BY created_at, id")
                .bind("a", accountId).map((rs, ctx) -> map(rs)).list();
    }

    private static Image map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Image(rs.getString("id"), rs.getString("name"), rs.getString("description"), rs.getString("owner_id"),
                rs.getBoolean("is_public"), rs.getString("state"), rs.getString("format"), rs.getString("location"),
                rs.getString("architecture"), Rows.instant(rs, "created_at"));
    }
}
