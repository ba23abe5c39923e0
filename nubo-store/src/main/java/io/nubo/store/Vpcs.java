package io.nubo.store;

import io.nubo.core.model.Vpc;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Optional;

/** VPCs, always scoped by account. */
public final class Vpcs {
    private final Handle h;

    Vpcs(Handle h) {
        this.h = h;
    }

    public void insert(Vpc v) {
        h.createUpdate("INSERT INTO vpcs (id, account_id, cidr_block, is_default, created_at) VALUES (:id, :a, :cidr, :def, :at)")
                .bind("id", v.id()).bind("a", v.accountId()).bind("cidr", v.cidrBlock()).bind("def", v.isDefault())
                .bind("at", Rows.utc(v.createdAt())).execute();
    }

    public Optional<Vpc> find(String id, String accountId) {
        return h.createQuery("SELECT * FROM vpcs WHERE id = :id AND account_id = :a").bind("id", id).bind("a", accountId)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<Vpc> findDefault(String accountId) {
        return h.createQuery("SELECT * FROM vpcs WHERE account_id = :a AND is_default").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public List<Vpc> list(String accountId) {
        return h.createQuery("SELECT * FROM vpcs WHERE account_id = :a ORDER BY id").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).list();
    }

    private static Vpc map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Vpc(rs.getString("id"), rs.getString("account_id"), rs.getString("cidr_block"), rs.getBoolean("is_default"),
                Rows.instant(rs, "created_at"));
    }
}
