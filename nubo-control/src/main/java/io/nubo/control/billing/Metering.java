package io.nubo.control.billing;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.model.Event;
import io.nubo.store.Database;
import io.nubo.store.MeterCursor;
import io.nubo.store.Store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives usage from the event log, incrementally. Each pass locks the meter's cursor (so passes
 * on several servers run one after another), reads the events it may not have seen, applies each
 * to its resource's state unless that state has already seen it (an event is applied once, keyed
 * by its ID), and writes the closed usage, the new states and the cursor in the same transaction.
 * So a pass can run any number of times, on any server, and crash at any point: the records are
 * the same. {@link #rebuild()} recomputes everything from the log and {@link #check()} compares a
 * recomputation with what is stored. Thread-safe.
 */
public final class Metering {
    static final int BATCH = 20_000;

    private final Database db;

    public Metering(Database db) {
        this.db = db;
    }

    /** Meters every event committed so far; returns how many events were new to the meter. */
    public int catchUp() {
        // Most calls (every read of usage or an invoice) find nothing new: a plain read says so
        // without locking the cursor, a write that would cost a commit's WAL flush.
        if (!db.read(s -> s.meterCursor().anyUnseen(s.meterCursor().peek(), Meters.EVENT_TYPES))) {
            return 0;
        }
        int total = 0;
        while (true) {
            PassResult r = db.inTransaction(Metering::pass);
            total += r.applied();
            if (!r.more()) {
                return total;
            }
        }
    }

    /** Throws away every usage record and meter state and meters the whole event log again, in one transaction. */
    public int rebuild() {
        return db.inTransaction(s -> {
            s.meterCursor().lock();
            s.meterCursor().reset();
            int total = 0;
            PassResult r;
            do {
                r = pass(s);
                total += r.applied();
            } while (r.more());
            return total;
        });
    }

    /** What a pass did: how many events it applied, and whether more may be waiting. */
    record PassResult(int applied, boolean more) {
    }

    static PassResult pass(Store s) {
        MeterCursor cursor = s.meterCursor();
        MeterCursor.Position p = cursor.lock();
        MeterCursor.Batch batch = cursor.unseen(p, Meters.EVENT_TYPES, BATCH);
        if (batch.events().isEmpty()) {
            return new PassResult(0, false);
        }
        Set<String> ids = new HashSet<>();
        batch.events().forEach(e -> ids.add(e.resourceId()));
        Map<String, MeterState> states = new HashMap<>();
        s.meterStates().find(ids).forEach(m -> states.put(m.resourceId(), m));
        Meters.Origins origins = Meters.Origins.load(s, batch.events().stream().filter(e -> !states.containsKey(e.resourceId())).toList());
        Map<String, MeterState> changed = new LinkedHashMap<>();
        List<UsageRecord> closed = new ArrayList<>();
        int applied = 0;
        long maxId = p.lastEventId();
        for (Event e : batch.events()) {
            maxId = Math.max(maxId, e.id());
            if (!Meters.metered(e)) {
                continue;
            }
            MeterState m = states.get(e.resourceId());
            if (m == null) {
                m = origins.fresh(e);
            }
            if (e.id() <= m.lastEventId()) {
                continue; // seen by an earlier pass: applying it again would change nothing
            }
            MeterStep step = Meters.apply(m, e);
            applied++;
            states.put(e.resourceId(), step.state());
            changed.put(e.resourceId(), step.state());
            closed.addAll(step.closed());
        }
        s.usageRecords().insert(closed);
        s.meterStates().upsertAll(changed.values());
        cursor.advance(maxId, batch.snapshotXmin().orElse(p.rescanTx()));
        boolean more = batch.events().size() >= BATCH && maxId > p.lastEventId();
        return new PassResult(applied, more);
    }

    /** The result of {@link #check()}: records and states a rebuild would produce that differ from the stored ones. */
    public record CheckResult(int storedRecords, int rebuiltRecords, List<String> missing, List<String> unexpected) {
        public boolean consistent() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    /**
     * Catches up, then replays the whole event log in memory, in the same snapshot, and compares
     * the records and states it yields with the stored ones. Changes nothing but the catch-up.
     */
    public CheckResult check() {
        for (int attempt = 0; ; attempt++) {
            try {
                return db.inSnapshot(s -> {
                    PassResult r;
                    do {
                        r = pass(s);
                    } while (r.more());
                    List<Event> all = s.meterCursor().all(Meters.EVENT_TYPES);
                    Replay replay = replay(all, Meters.Origins.load(s, all));
                    List<UsageRecord> stored = s.usageRecords().all();
                    List<MeterState> storedStates = s.meterStates().all();
                    List<String> expected = new ArrayList<>();
                    replay.records().forEach(u -> expected.add("record " + u));
                    replay.states().values().forEach(m -> expected.add("state " + m));
                    monthly(replay.records()).forEach(x -> expected.add("monthly " + x));
                    List<String> actual = new ArrayList<>();
                    stored.forEach(u -> actual.add("record " + u));
                    storedStates.forEach(m -> actual.add("state " + m));
                    s.usageRecords().monthlyLines().forEach(x -> actual.add("monthly " + x));
                    return new CheckResult(stored.size(), replay.records().size(), difference(expected, actual), difference(actual, expected));
                });
            } catch (RuntimeException e) {
                if (attempt >= 5 || !isSerializationFailure(e)) {
                    throw e;
                }
            }
        }
    }

    /** The monthly rollup {@code records} add up to, as the store lists it: "account month resource type sku size seconds". */
    static List<String> monthly(List<UsageRecord> records) {
        Map<String, Long> sums = new java.util.TreeMap<>();
        for (UsageRecord u : records) {
            sums.merge(u.accountId() + " " + u.day().withDayOfMonth(1) + " " + u.resourceId() + " " + u.type().apiName() + " " + u.sku() + " "
                    + u.size(), u.seconds(), Long::sum);
        }
        List<String> out = new ArrayList<>(sums.size());
        sums.forEach((k, v) -> out.add(k + " " + v));
        return out;
    }

    /** Everything the events yield, from nothing. */
    record Replay(List<UsageRecord> records, Map<String, MeterState> states) {
    }

    static Replay replay(List<Event> events, Meters.Origins origins) {
        Map<String, MeterState> states = new HashMap<>();
        List<UsageRecord> records = new ArrayList<>();
        for (Event e : events) {
            if (!Meters.metered(e)) {
                continue;
            }
            MeterState m = states.computeIfAbsent(e.resourceId(), id -> origins.fresh(e));
            MeterStep step = Meters.apply(m, e);
            states.put(e.resourceId(), step.state());
            records.addAll(step.closed());
        }
        return new Replay(records, states);
    }

    private static List<String> difference(Collection<String> a, Collection<String> b) {
        Map<String, Integer> counts = new HashMap<>();
        b.forEach(x -> counts.merge(x, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        for (String x : a) {
            Integer n = counts.get(x);
            if (n == null || n == 0) {
                out.add(x);
            } else {
                counts.put(x, n - 1);
            }
        }
        return List.copyOf(out);
    }

    private static boolean isSerializationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "40001".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
