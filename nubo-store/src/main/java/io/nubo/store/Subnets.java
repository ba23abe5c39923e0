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

    /** An account's default VPC (if it has one) and its subnets that are the default for their zone. */
    public record DefaultNetwork(Optional<String> vpcId, List<Subnet> subnets) {
    }

    /** The account's default network in one statement (listings need both, on every call). */
    public DefaultNetwork defaultNetwork(String accountId) {
        // One row even when there is no subnet: the default VPC's ID is on every row.
        record Row(String vpcId, Subnet subnet) {
        }
        List<Row> rows = h.createQuery("""
                SELECT (SELECT id FROM vpcs WHERE account_id = :a AND is_default) AS default_vpc, s.*
                FROM (VALUES (1)) AS one LEFT JOIN subnets s ON s.account_id = :a AND s.default_for_az
                ORDER BY s.id""")
                .bind("a", accountId)
                .map((rs, ctx) -> new Row(rs.getString("default_vpc"), rs.getString("id") == null ? null : map(rs)))
                .list();
        return new DefaultNetwork(Optional.ofNullable(rows.get(0).vpcId()),
                rows.stream().map(Row::subnet).filter(java.util.Objects::nonNull).toList());
    }

    private static Subnet map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Subnet(rs.getString("id"), rs.getString("account_id"), rs.getString("vpc_id"), rs.getString("zone"),
                rs.getString("cidr_block"), rs.getBoolean("default_for_az"), Rows.instant(rs, "created_at"));
    }
}
