package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.util.HashMap;
import java.util.Map;

/** The scheduler's weigher of each zone that has one set (the others spread). */
public final class ZoneWeighers {
    private final Handle h;

    ZoneWeighers(Handle h) {
        this.h = h;
    }

    /** Zone to weigher ({@code spread} or {@code pack}), for the zones that have one set. */
    public Map<String, String> all() {
        Map<String, String> out = new HashMap<>();
        h.createQuery("SELECT zone, weigher FROM zone_weighers").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public void set(String zone, String weigher) {
        h.createUpdate("INSERT INTO zone_weighers (zone, weigher) VALUES (:z, :w) ON CONFLICT (zone) DO UPDATE SET weigher = :w")
                .bind("z", zone).bind("w", weigher).execute();
    }
}
