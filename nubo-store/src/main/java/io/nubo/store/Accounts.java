package io.nubo.store;

import io.nubo.core.model.Account;
import io.nubo.core.model.Role;
import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Accounts (tenants). */
public final class Accounts {
    private static final String COLUMNS = "id, name, role, enabled, instance_quota, created_at, partner_id";
    private final Handle h;

    Accounts(Handle h) {
        this.h = h;
    }

    public void insert(Account a) {
        h.createUpdate("INSERT INTO accounts (" + COLUMNS + ") VALUES (:id, :name, :role, :enabled, :quota, :at, :partner)")
                .bind("id", a.id()).bind("name", a.name()).bind("role", a.role().name().toLowerCase(Locale.ROOT))
                .bind("enabled", a.enabled()).bind("quota", a.instanceQuota()).bind("at", Rows.utc(a.createdAt()))
                .bind("partner", a.partnerId())
                .execute();
    }

    public Optional<Account> find(String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<Account> findByName(String name) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name").bind("name", name)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    /** Locks the account's row until the transaction ends, to serialise quota checks. */
    public Optional<Account> lock(String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id FOR UPDATE").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public List<Account> list() {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts ORDER BY created_at, id").map((rs, ctx) -> map(rs)).list();
    }

    public boolean anyAdmin() {
        return h.createQuery("SELECT count(*) FROM accounts WHERE role = 'admin'").mapTo(Long.class).one() > 0;
    }

    /** A partner's customers, oldest first. */
    public List<Account> customersOf(String partnerId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE partner_id = :p ORDER BY created_at, id").bind("p", partnerId)
                .map((rs, ctx) -> map(rs)).list();
    }

    public void setRole(String id, Role role) {
        h.createUpdate("UPDATE accounts SET role = :r WHERE id = :id").bind("r", role.name().toLowerCase(Locale.ROOT)).bind("id", id)
                .execute();
    }

    public void setEnabled(String id, boolean enabled) {
        h.createUpdate("UPDATE accounts SET enabled = :e WHERE id = :id").bind("e", enabled).bind("id", id).execute();
    }

    private static Account map(java.sql.ResultSet rs) throws java.sql.SQLException {
        Instant created = Rows.instant(rs, "created_at");
        return new Account(rs.getString("id"), rs.getString("name"), Role.valueOf(rs.getString("role").toUpperCase(Locale.ROOT)),
                rs.getBoolean("enabled"), rs.getInt("instance_quota"), created, rs.getString("partner_id"));
    }
}
