package io.nubo.store;

import io.nubo.core.model.AttachmentState;
import io.nubo.core.model.VolumeAttachment;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Volume attachments. Not scoped by account: a volume and the instance it is attached to always
 * belong to the same account, and callers reach attachments through one of the two.
 */
public final class VolumeAttachments {
    private final Handle h;

    VolumeAttachments(Handle h) {
        this.h = h;
    }

    public void insert(VolumeAttachment a) {
        h.createUpdate("""
                INSERT INTO volume_attachments (volume_id, instance_id, device, state, delete_on_termination, force_detach,
                                                attached_at, updated_at)
                VALUES (:v, :i, :d, :s, :dot, :force, :at, :up)""")
                .bind("v", a.volumeId()).bind("i", a.instanceId()).bind("d", a.device()).bind("s", a.state().apiName())
                .bind("dot", a.deleteOnTermination()).bind("force", a.forceDetach()).bind("at", Rows.utc(a.attachedAt()))
                .bind("up", Rows.utc(a.updatedAt())).execute();
    }

    /** Changes an attachment's state (and whether its detach is forced). */
    public void update(VolumeAttachment a) {
        h.createUpdate("""
                UPDATE volume_attachments SET state = :s, force_detach = :force, delete_on_termination = :dot, updated_at = :up
                WHERE volume_id = :v AND instance_id = :i""")
                .bind("v", a.volumeId()).bind("i", a.instanceId()).bind("s", a.state().apiName()).bind("force", a.forceDetach())
                .bind("dot", a.deleteOnTermination()).bind("up", Rows.utc(a.updatedAt())).execute();
    }

    /** Records the size the instance's host reports for the disk; returns whether it was news. */
    public boolean seen(String volumeId, String instanceId, long bytes) {
        return h.createUpdate("""
                UPDATE volume_attachments SET seen_bytes = :b
                WHERE volume_id = :v AND instance_id = :i AND seen_bytes IS DISTINCT FROM :b""")
                .bind("v", volumeId).bind("i", instanceId).bind("b", bytes).execute() == 1;
    }

    /** The sizes the hosts last reported for a volume's disk, by instance ID (absent: none yet). */
    public Map<String, Long> seenBytes(String volumeId) {
        Map<String, Long> out = new HashMap<>();
        h.createQuery("SELECT instance_id, seen_bytes FROM volume_attachments WHERE volume_id = :v AND seen_bytes IS NOT NULL")
                .bind("v", volumeId).map((rs, ctx) -> Map.entry(rs.getString("instance_id"), rs.getLong("seen_bytes")))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Deletes a detached attachment. */
    public void delete(String volumeId, String instanceId) {
        h.createUpdate("DELETE FROM volume_attachments WHERE volume_id = :v AND instance_id = :i")
                .bind("v", volumeId).bind("i", instanceId).execute();
    }

    public List<VolumeAttachment> ofVolume(String volumeId) {
        return h.createQuery("SELECT * FROM volume_attachments WHERE volume_id = :v ORDER BY attached_at, instance_id")
                .bind("v", volumeId).map(VolumeAttachments::map).list();
    }

    public List<VolumeAttachment> ofInstance(String instanceId) {
        return h.createQuery("SELECT * FROM volume_attachments WHERE instance_id = :i ORDER BY attached_at, volume_id")
                .bind("i", instanceId).map(VolumeAttachments::map).list();
    }

    /** The attachments of these volumes, by volume ID. */
    public Map<String, List<VolumeAttachment>> ofVolumes(Collection<String> volumeIds) {
        Map<String, List<VolumeAttachment>> out = new HashMap<>();
        if (volumeIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT * FROM volume_attachments WHERE volume_id = ANY(:ids) ORDER BY attached_at, instance_id")
                .bindArray("ids", String.class, volumeIds).map(VolumeAttachments::map)
                .forEach(a -> out.computeIfAbsent(a.volumeId(), k -> new ArrayList<>()).add(a));
        return out;
    }

    /** The attachments of these instances, by instance ID. */
    public Map<String, List<VolumeAttachment>> ofInstances(Collection<String> instanceIds) {
        Map<String, List<VolumeAttachment>> out = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT * FROM volume_attachments WHERE instance_id = ANY(:ids) ORDER BY attached_at, volume_id")
                .bindArray("ids", String.class, instanceIds).map(VolumeAttachments::map)
                .forEach(a -> out.computeIfAbsent(a.instanceId(), k -> new ArrayList<>()).add(a));
        return out;
    }

    /** Attachments whose instance is terminated: what the volume controller releases if a termination path missed them. */
    public List<VolumeAttachment> ofTerminatedInstances(int limit) {
        return h.createQuery("""
                SELECT a.* FROM volume_attachments a JOIN instances i ON i.id = a.instance_id
                WHERE i.state = 'terminated' ORDER BY a.volume_id, a.instance_id LIMIT :limit""")
                .bind("limit", limit).map(VolumeAttachments::map).list();
    }

    static VolumeAttachment map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new VolumeAttachment(rs.getString("volume_id"), rs.getString("instance_id"), rs.getString("device"),
                AttachmentState.fromApiName(rs.getString("state")), rs.getBoolean("delete_on_termination"), rs.getBoolean("force_detach"),
                Rows.instant(rs, "attached_at"), Rows.instant(rs, "updated_at"));
    }
}
