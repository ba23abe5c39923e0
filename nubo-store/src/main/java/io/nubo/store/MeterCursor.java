package io.nubo.store;

import io.nubo.core.model.Event;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The meter's position in the event log, and the read of the events it has not yet seen.
 *
 * <p>Event IDs come from a sequence, so an event can commit after one with a larger ID. Such an
 * event was written by a transaction still open when the meter read, and every open transaction
 * has an ID at or above the xmin of the meter's snapshot. So the meter keeps that xmin as
 * {@code rescanTx} and its next read takes every event with a larger ID <em>or</em> a
 * transaction at or above {@code rescanTx}; the per-resource {@code lastEventId} in
 * {@code meter_state} makes a second sight of an event harmless.
 */
public final class MeterCursor {
    private final Handle h;

    MeterCursor(Handle h) {
        this.h = h;
    }

    /** The cursor: the largest event ID seen, and the transaction ID from which to look again. */
    public record Position(long lastEventId, String rescanTx) {
    }

    /** Events to meter with the xmin of the snapshot they were read in. */
    public record Batch(List<Event> events, Optional<String> snapshotXmin) {
    }

    /** Locks the cursor until the transaction ends: one meter pass at a time across all servers. */
    public Position lock() {
        return h.createQuery("SELECT last_event_id, rescan_tx::text AS rescan FROM meter_cursor WHERE id = 1 FOR UPDATE")
                .map((rs, ctx) -> new Position(rs.getLong("last_event_id"), rs.getString("rescan"))).one();
    }

    /** The cursor as last committed, without waiting for a pass that holds it. */
    public Position peek() {
        return h.createQuery("SELECT last_event_id, rescan_tx::text AS rescan FROM meter_cursor WHERE id = 1")
                .map((rs, ctx) -> new Position(rs.getLong("last_event_id"), rs.getString("rescan"))).one();
    }

    /** Whether a pass from {@code p} would read any event of {@code types} (see {@link #unseen}). */
    public boolean anyUnseen(Position p, List<String> types) {
        return h.createQuery("SELECT EXISTS (" + unseenSql(p, "id", 1) + ")")
                .bind("types", types.toArray(new String[0])).mapTo(Boolean.class).one();
    }

    /**
     * The events a pass from {@code p} reads: those after the cursor, and those at or before it
     * written by a transaction at or above {@code rescanTx}, the first {@code limit} by ID. Two
     * index scans, not one OR ("id > a OR tx >= x" made PostgreSQL read and sort every event after
     * the cursor, quadratic in a backlog). The cursor's two values go into the text, not as
     * parameters: a generic plan, not knowing them, guesses a third of the table and scans it all.
     */
    private static String unseenSql(Position p, String columns, int limit) {
        if (!p.rescanTx().matches("\\d{1,20}")) {
            throw new IllegalStateException("malformed rescan transaction ID " + p.rescanTx());
        }
        String after = Long.toString(p.lastEventId());
        String x = "'" + p.rescanTx() + "'::xid8";
        return "SELECT " + columns + " FROM ((SELECT * FROM events WHERE id > " + after + " AND type = ANY(:types) ORDER BY id LIMIT " + limit
                + ") UNION ALL (SELECT * FROM events WHERE tx >= " + x + " AND id <= " + after + " AND type = ANY(:types))) e ORDER BY id LIMIT "
                + limit;
    }

    public void advance(long lastEventId, String rescanTx) {
        h.createUpdate("UPDATE meter_cursor SET last_event_id = :e, rescan_tx = CAST(:x AS xid8) WHERE id = 1")
                .bind("e", lastEventId).bind("x", rescanTx).execute();
    }

    /** Reads, in one snapshot, up to {@code limit} events of {@code types} the meter may not have seen. */
    public Batch unseen(Position p, List<String> types, int limit) {
        List<Event> events = new ArrayList<>();
        String[] xmin = new String[1];
        h.createQuery(unseenSql(p, "id, at, account_id, resource_id, type, from_state, to_state, cause, "
                        + "pg_snapshot_xmin(pg_current_snapshot())::text AS xmin", limit))
                .bind("types", types.toArray(new String[0]))
                .map((rs, ctx) -> {
                    xmin[0] = rs.getString("xmin");
                    return new Event(rs.getLong("id"), Rows.instant(rs, "at"), rs.getString("account_id"),
                            rs.getString("resource_id"), rs.getString("type"), rs.getString("from_state"), rs.getString("to_state"),
                            rs.getString("cause"));
                }).forEach(events::add);
        return new Batch(events, Optional.ofNullable(xmin[0]));
    }

    /** Every event of {@code types}, in ID order: what a rebuild replays. */
    public List<Event> all(List<String> types) {
        return h.createQuery("""
                SELECT id, at, account_id, resource_id, type, from_state, to_state, cause FROM events
                WHERE type = ANY(:types) ORDER BY id""")
                .bind("types", types.toArray(new String[0]))
                .map((rs, ctx) -> new Event(rs.getLong("id"), Rows.instant(rs, "at"), rs.getString("account_id"),
                        rs.getString("resource_id"), rs.getString("type"), rs.getString("from_state"), rs.getString("to_state"),
                        rs.getString("cause"))).list();
    }

    /** The type an instance launched as: the first resize's old type, else its type now. */
    public Optional<String> launchTypeOf(String instanceId) {
        return h.createQuery("""
                SELECT coalesce((SELECT from_state FROM events WHERE resource_id = :i AND type = 'instance.resized' ORDER BY id LIMIT 1),
                                (SELECT instance_type FROM instances WHERE id = :i))""")
                .bind("i", instanceId).mapTo(String.class).findOne();
    }

    /** The types these instances launched as (see {@link #launchTypeOf}), by instance ID, in one query. */
    public java.util.Map<String, String> launchTypesOf(java.util.Collection<String> instanceIds) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("""
                SELECT i.id, coalesce((SELECT from_state FROM events e WHERE e.resource_id = i.id AND e.type = 'instance.resized'
                                       ORDER BY e.id LIMIT 1), i.instance_type) AS type
                FROM instances i WHERE i.id = ANY(:ids)""")
                .bind("ids", instanceIds.toArray(new String[0]))
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), rs.getString("type"))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * The size and type these volumes were created with ("8 GiB gp2"), by volume ID: the first
     * modification's old shape, else the shape now.
     */
    public java.util.Map<String, String> volumeShapesOf(java.util.Collection<String> volumeIds) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        if (volumeIds.isEmpty()) {
            return out;
        }
        h.createQuery("""
                SELECT v.id, coalesce((SELECT from_state FROM events e WHERE e.resource_id = v.id AND e.type = 'volume.modified'
                                       ORDER BY e.id LIMIT 1), v.size_gib || ' GiB ' || v.volume_type) AS shape
                FROM volumes v WHERE v.id = ANY(:ids)""")
                .bind("ids", volumeIds.toArray(new String[0]))
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), rs.getString("shape"))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The file sizes of these images in bytes, by image ID. */
    public java.util.Map<String, Long> imageSizesOf(java.util.Collection<String> imageIds) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        if (imageIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT id, size_bytes FROM images WHERE id = ANY(:ids)")
                .bind("ids", imageIds.toArray(new String[0]))
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), rs.getLong("size_bytes"))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The sizes of these snapshots in GiB (their volume's when taken), by snapshot ID. */
    public java.util.Map<String, Long> snapshotSizesOf(java.util.Collection<String> snapshotIds) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        if (snapshotIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT id, volume_size_gib FROM snapshots WHERE id = ANY(:ids)")
                .bind("ids", snapshotIds.toArray(new String[0]))
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), rs.getLong("volume_size_gib"))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Forgets everything metered, for a rebuild. */
    public void reset() {
        h.execute("DELETE FROM usage_records");
        h.execute("DELETE FROM usage_monthly");
        h.execute("DELETE FROM meter_state");
        h.execute("UPDATE meter_cursor SET last_event_id = 0, rescan_tx = '0' WHERE id = 1");
    }
}
