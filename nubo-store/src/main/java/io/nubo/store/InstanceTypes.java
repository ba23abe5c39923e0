package io.nubo.store;

import io.nubo.core.model.InstanceType;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Optional;

/** The instance type catalogue. */
public final class InstanceTypes {
    private final Handle h;

    InstanceTypes(Handle h) {
        this.h = h;
    }

    public List<InstanceType> list() {
        return h.createQuery("SELECT * FROM instance_types ORDER BY vcpus, memory_mib, name").map((rs, ctx) -> map(rs)).list();
    }

    public Optional<InstanceType> find(String name) {
        return h.createQuery("SELECT * FROM instance_types WHERE name = :n").bind("n", name).map((rs, ctx) -> map(rs)).findOne();
    }

    public void upsert(InstanceType t) {
        h.createUpdate("""
                INSERT INTO instance_types (name, vcpus, memory_mib, price_micros_per_hour, requires_accelerator)
                VALUES (:n, :v, :m, :p, :a)
                ON CONFLICT (name) DO UPDATE SET vcpus = :v, memory_mib = :m, price_micros_per_hour = :p, requires_accelerator = :a""")
                .bind("n", t.name()).bind("v", t.vcpus()).bind("m", t.memoryMib()).bind("p", t.priceMicrosPerHour())
                .bind("a", t.requiresAccelerator()).execute();
    }

    private static InstanceType map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new InstanceType(rs.getString("name"), rs.getInt("vcpus"), rs.getInt("memory_mib"), rs.getLong("price_micros_per_hour"),
                rs.getString("requires_accelerator"));
    }
}
