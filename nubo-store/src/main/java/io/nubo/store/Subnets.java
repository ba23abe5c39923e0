package io.nubo.store;

import io.nubo.core.model.Subnet;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Optional;

/** Subnets, always scoped by account. */
public final class Subnets {
    private final Handle h;

    Subnets(Handle h) {
        this.h = h;
    }

    public void insert(Subnet s) {
        h.createUpdate("""
                INSERT INTO subnets (id, account_id, vpc_id, zone, cidr_block, default_for_az, created_at)
                VALUES (:id, :a, :vpc, :zone, :cidr, :def, :at)""")
                .bind("id", s.id()).bind("a", s.accountId()).bind("vpc", s.vpcId()).bind("zone", s.zone())
                .bind("cidr", s.cidrBlock()).bind("def", s.defaultForAz()).bind("at", Rows.utc(s.createdAt())).execute();
    }

    public Optional<Subnet> find(String id, String accountId) {
        return h.createQuery("SELECT * FROM subnets WHERE id = :id AND account_id = :a").bind("id", id).bind("a", accountId)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public List<Subnet> list(String accountId) {
        return h.createQuery("SELECT * FROM subnets WHERE account_id = :a ORDER BY id").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).list();
    }

    private static Subnet map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Subnet(rs.getString("id"), rs.getString("account_id"), rs.getString("vpc_id"), rs.getString("zone"),
                rs.getString("cidr_block"), rs.getBoolean("default_for_az"), Rows.instant(rs, "created_at"));
    }
}
