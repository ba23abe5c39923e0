package io.nubo.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Instances' private addresses, as host numbers within their zone's default subnet (V17). A
 * terminated instance's address is released by a trigger; the held ones are unique per account
 * and zone.
 */
public final class InstanceAddresses {
    private final Handle h;

    InstanceAddresses(Handle h) {
        this.h = h;
    }

    /** The host numbers the account's instances hold in the zone. */
    public Set<Integer> held(String accountId, String zone) {
        return new HashSet<>(h.createQuery("SELECT host_number FROM instance_addresses WHERE account_id = :a AND zone = :z AND NOT released")
                .bind("a", accountId).bind("z", zone).mapTo(Integer.class).list());
    }

    /** An address an instance holds: a host number in the default subnet of the zone it was given in. */
    public record Held(String zone, int hostNumber) {
    }

    /** The addresses these instances hold, by instance ID (a released one is not there). */
    public Map<String, Held> held(java.util.Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return Map.of();
        }
        Map<String, Held> out = new java.util.HashMap<>();
        h.createQuery("SELECT instance_id, zone, host_number FROM instance_addresses WHERE NOT released AND instance_id = ANY(:ids)")
                .bind("ids", instanceIds.toArray(new String[0]))
                .map((rs, ctx) -> Map.entry(rs.getString(1), new Held(rs.getString(2), rs.getInt(3)))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Records new instances' host numbers, by instance ID. */
    public void insertAll(String accountId, String zone, Map<String, Integer> hostNumbers) {
        if (hostNumbers.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO instance_addresses (instance_id, account_id, zone, host_number) VALUES (:i, :a, :z, :n)");
        hostNumbers.forEach((id, n) -> batch.bind("i", id).bind("a", accountId).bind("z", zone).bind("n", n).add());
        batch.execute();
    }
}
