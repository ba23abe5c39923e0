package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Optional;

/** Idempotency tokens: what the first successful request with a token asked for and produced. */
public final class ClientTokens {
    private final Handle h;

    ClientTokens(Handle h) {
        this.h = h;
    }

    /** A remembered request: the fingerprint of its parameters and the ID of what it created. */
    public record Entry(String requestHash, String resultId) {
    }

    /** Serialises requests with the same token until the transaction ends. */
    public void lock(String accountId, String action, String token) {
        h.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))", accountId + "/" + action + "/" + token);
    }

    public Optional<Entry> find(String accountId, String action, String token) {
        return h.createQuery("SELECT request_hash, result_id FROM client_tokens WHERE account_id = :a AND action = :act AND token = :t")
                .bind("a", accountId).bind("act", action).bind("t", token)
                .map((rs, ctx) -> new Entry(rs.getString("request_hash"), rs.getString("result_id"))).findOne();
    }

    public void insert(String accountId, String action, String token, Entry entry, Instant at) {
        h.createUpdate("""
                INSERT INTO client_tokens (account_id, action, token, request_hash, result_id, created_at)
                VALUES (:a, :act, :t, :hash, :res, :at)""")
                .bind("a", accountId).bind("act", action).bind("t", token).bind("hash", entry.requestHash())
                .bind("res", entry.resultId()).bind("at", Rows.utc(at)).execute();
    }
}
