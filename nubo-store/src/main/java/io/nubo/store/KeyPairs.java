package io.nubo.store;

import io.nubo.core.model.KeyPairInfo;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Optional;

/** SSH key pairs, always scoped by account. */
public final class KeyPairs {
    private final Handle h;

    KeyPairs(Handle h) {
        this.h = h;
    }

    /** Inserts the key pair; returns false if the account already has one with that name. */
    public boolean insert(KeyPairInfo k) {
        return h.createUpdate("""
                INSERT INTO key_pairs (id, account_id, name, type, fingerprint, public_key, created_at)
                VALUES (:id, :a, :name, :type, :fp, :pk, :at) ON CONFLICT (account_id, name) DO NOTHING""")
                .bind("id", k.id()).bind("a", k.accountId()).bind("name", k.name()).bind("type", k.type())
                .bind("fp", k.fingerprint()).bind("pk", k.publicKey()).bind("at", Rows.utc(k.createdAt())).execute() == 1;
    }

    public Optional<KeyPairInfo> findByName(String accountId, String name) {
        return h.createQuery("SELECT * FROM key_pairs WHERE account_id = :a AND name = :n").bind("a", accountId).bind("n", name)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<KeyPairInfo> findById(String accountId, String id) {
        return h.createQuery("SELECT * FROM key_pairs WHERE account_id = :a AND id = :id").bind("a", accountId).bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public List<KeyPairInfo> list(String accountId) {
        return h.createQuery("SELECT * FROM key_pairs WHERE account_id = :a ORDER BY name").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).list();
    }

    public boolean delete(String accountId, String name) {
        return h.createUpdate("DELETE FROM key_pairs WHERE account_id = :a AND name = :n").bind("a", accountId).bind("n", name)
                .execute() == 1;
    }

    private static KeyPairInfo map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new KeyPairInfo(rs.getString("id"), rs.getString("account_id"), rs.getString("name"), rs.getString("type"),
                rs.getString("fingerprint"), rs.getString("public_key"), Rows.instant(rs, "created_at"));
    }
}
