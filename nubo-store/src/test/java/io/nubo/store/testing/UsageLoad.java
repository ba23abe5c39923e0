package io.nubo.store.testing;

import io.nubo.store.Database;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A month of metering load written straight into the database, as the control plane would have
 * logged it: accounts, instances and volumes (rows), and their lifecycle events in time order.
 * Each instance runs a number of start/stop cycles and is terminated; each volume is created,
 * attached and detached a few times, grown from 8 to 16 GiB and deleted, all inside the month.
 *
 * <p>It also works out, deliberately simply and apart from the meter, what every account's
 * invoice for the month must total at the seeded list prices: per resource the seconds (times
 * GiB) it accrued, times its price, rounded half-up to cents once per resource. For the crash
 * test and the billing benchmark. Not thread-safe.
 */
public final class UsageLoad {
    private static final String[] TYPES = {"t3.nano", "t3.micro", "t3.small"};
    private static final long[] TYPE_PRICES = {5200, 10400, 20800};
    private static final String[] VOLUME_TYPES = {"gp2", "gp3"};
    private static final long[] VOLUME_PRICES = {100_000, 80_000};
    private static final long MICROS_PER_CENT = 10_000;
    private static final long GIB_MONTH_SECONDS = 730L * 3600;
    public static final String IMAGE = "ami-00000000000000001";
    public static final String POOL = "pool-usage-load";

    /**
     * What to generate: {@code instances} and {@code volumes} spread over {@code accounts}, except
     * that the first account gets {@code bigAccountInstances} and {@code bigAccountVolumes} of them.
     * Resource numbers start at {@code firstResource}, so that a second load can add to a first.
     */
    public record Shape(YearMonth month, int accounts, int instances, int volumes, int instanceCycles, int attachCycles,
                        int bigAccountInstances, int bigAccountVolumes, long firstResource, long seed) {
    }

    private final Shape shape;
    private final List<String> accounts = new ArrayList<>();
    private final List<String[]> instanceRows = new ArrayList<>();
    private final List<String[]> volumeRows = new ArrayList<>();
    private final List<Ev> events = new ArrayList<>();
    private final Map<String, Long> expectedMinor = new LinkedHashMap<>();

    /** One event; {@code seq} keeps a resource's events in order when two share a second. */
    private record Ev(long at, long seq, String account, String resource, String type, String from, String to) {
    }

    public UsageLoad(Shape shape) {
        this.shape = shape;
        for (int a = 0; a < shape.accounts(); a++) {
            String id = String.format("7%011d", a);
            accounts.add(id);
            expectedMinor.put(id, 0L);
        }
        Random rnd = new Random(shape.seed());
        long start = shape.month().atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        long seconds = shape.month().lengthOfMonth() * 86_400L;
        for (int i = 0; i < shape.instances(); i++) {
            instance(rnd, i, owner(i, shape.bigAccountInstances()), start, seconds);
        }
        for (int v = 0; v < shape.volumes(); v++) {
            volume(rnd, v, owner(v, shape.bigAccountVolumes()), start);
        }
        events.sort((x, y) -> x.at() != y.at() ? Long.compare(x.at(), y.at()) : Long.compare(x.seq(), y.seq()));
    }

    private String owner(int n, int big) {
        if (n < big || accounts.size() == 1) {
            return accounts.get(0);
        }
        return accounts.get(1 + (n - big) % (accounts.size() - 1));
    }

    private void instance(Random rnd, int n, String account, long monthStart, long monthSeconds) {
        String id = String.format("i-%017x", shape.firstResource() + n);
        int t = rnd.nextInt(TYPES.length);
        int cycles = shape.instanceCycles();
        long launch = monthStart + rnd.nextInt(2 * 86_400);
        long period = (monthSeconds - 3 * 86_400L) / cycles;
        long seq = 0;
        long runSeconds = 0;
        add(launch, seq++, account, id, null, "pending");
        for (int c = 0; c < cycles; c++) {
            long cycleStart = launch + c * period;
            long running = cycleStart + 20;
            if (c > 0) {
                add(cycleStart, seq++, account, id, "stopped", "pending");
            }
            add(running, seq++, account, id, "pending", "running");
            long end = running + 600 + rnd.nextInt((int) (period * 7 / 10));
            runSeconds += end - running;
            boolean last = c == cycles - 1;
            add(end, seq++, account, id, "running", last ? "shutting-down" : "stopping");
            add(end + 5, seq++, account, id, last ? "shutting-down" : "stopping", last ? "terminated" : "stopped");
        }
        instanceRows.add(new String[]{id, account, TYPES[t], Instant.ofEpochSecond(launch).toString()});
        charge(account, runSeconds, TYPE_PRICES[t], 3600);
    }

    private void volume(Random rnd, int n, String account, long monthStart) {
        String id = String.format("vol-%017x", shape.firstResource() + n);
        int t = rnd.nextInt(VOLUME_TYPES.length);
        String type = VOLUME_TYPES[t];
        long created = monthStart + rnd.nextInt(3 * 86_400);
        long available = created + 5;
        long seq = 0;
        events.add(new Ev(created, seq++, account, id, "volume.state", null, "creating"));
        events.add(new Ev(available, seq++, account, id, "volume.state", "creating", "available"));
        long t0 = available;
        for (int a = 0; a < shape.attachCycles(); a++) {
            long attach = t0 + 3600 + rnd.nextInt(86_400);
            long detach = attach + 60 + rnd.nextInt(86_400);
            events.add(new Ev(attach, seq++, account, id, "volume.state", "available", "in-use"));
            events.add(new Ev(detach, seq++, account, id, "volume.state", "in-use", "available"));
            t0 = detach;
        }
        long grown = t0 + 3600 + rnd.nextInt(86_400);
        long deleting = monthStart + 25 * 86_400L + rnd.nextInt(3 * 86_400);
        events.add(new Ev(grown, seq++, account, id, "volume.modified", "8 GiB " + type, "16 GiB " + type));
        events.add(new Ev(deleting, seq++, account, id, "volume.state", "available", "deleting"));
        events.add(new Ev(deleting + 10, seq, account, id, "volume.state", "deleting", "deleted"));
        volumeRows.add(new String[]{id, account, type, Instant.ofEpochSecond(created).toString()});
        charge(account, 8 * (grown - available) + 16 * (deleting - grown), VOLUME_PRICES[t], GIB_MONTH_SECONDS);
    }

    private void add(long at, long seq, String account, String id, String from, String to) {
        events.add(new Ev(at, seq, account, id, "instance.state", from, to));
    }

    /** One invoice line: {@code quantity} base units at {@code price} micro-units per price unit, rounded half-up to cents. */
    private void charge(String account, long quantity, long price, long unitsPerPriceUnit) {
        long denominator = unitsPerPriceUnit * MICROS_PER_CENT;
        java.math.BigInteger[] qr = java.math.BigInteger.valueOf(quantity).multiply(java.math.BigInteger.valueOf(price))
                .divideAndRemainder(java.math.BigInteger.valueOf(denominator));
        long cents = qr[0].longValueExact() + (qr[1].longValueExact() * 2 >= denominator ? 1 : 0);
        expectedMinor.merge(account, cents, Long::sum);
    }

    public List<String> accounts() {
        return Collections.unmodifiableList(accounts);
    }

    public int events() {
        return events.size();
    }

    /** What each account's invoice for the month totals at the seeded list prices, in cents. */
    public Map<String, Long> expectedMinor() {
        return Collections.unmodifiableMap(expectedMinor);
    }

    public long expectedTotalMinor() {
        return expectedMinor.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Writes the accounts (unless {@code withAccounts} is false: a second load), the image and pool, the rows, then every event. */
    public void insert(Database db, boolean withAccounts) {
        insertRows(db, withAccounts);
        insertEvents(db, 0, events.size());
    }

    /** Writes everything but the events. */
    public void insertRows(Database db, boolean withAccounts) {
        String created = Instant.ofEpochSecond(shape.month().atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 86_400).toString();
        db.jdbi().useTransaction(h -> {
            if (withAccounts) {
                var b = h.prepareBatch("""
                        INSERT INTO accounts (id, name, role, enabled, instance_quota, created_at)
                        VALUES (:id, :name, 'member', true, 100000, CAST(:at AS timestamptz))""");
                for (String a : accounts) {
                    b.bind("id", a).bind("name", "load-" + a).bind("at", created).add();
                }
                b.execute();
                h.execute("""
                        INSERT INTO images (id, name, description, owner_id, is_public, state, format, location, architecture, created_at)
                        VALUES (?, 'usage-load', '', NULL, true, 'available', 'qcow2', '/nonexistent', 'x86_64', now()) ON CONFLICT DO NOTHING""",
                        IMAGE);
                h.execute("""
                        INSERT INTO storage_pools (id, name, kind, path, host_id, total_bytes, used_bytes, created_at, updated_at)
                        VALUES (?, 'usage-load', 'shared', '/nonexistent', NULL, 1125899906842624, 0, now(), now()) ON CONFLICT DO NOTHING""",
                        POOL);
            }
            var ib = h.prepareBatch("""
                    INSERT INTO instances (id, account_id, reservation_id, image_id, instance_type, vcpus, memory_mib, state, task,
                                           launch_time, updated_at, terminated_at)
                    VALUES (:id, :a, :r, :img, :type, 2, 512, 'terminated', 'none', CAST(:at AS timestamptz), now(), now())""");
            for (String[] r : instanceRows) {
                ib.bind("id", r[0]).bind("a", r[1]).bind("r", "r-" + r[0].substring(2)).bind("img", IMAGE).bind("type", r[2]).bind("at", r[3]).add();
            }
            if (!instanceRows.isEmpty()) {
                ib.execute();
            }
            var vb = h.prepareBatch("""
                    INSERT INTO volumes (id, account_id, availability_zone, size_gib, volume_type, pool_id, state, created_at, updated_at)
                    VALUES (:id, :a, 'nubo-1a', 16, :type, :pool, 'deleted', CAST(:at AS timestamptz), now())""");
            for (String[] r : volumeRows) {
                vb.bind("id", r[0]).bind("a", r[1]).bind("type", r[2]).bind("pool", POOL).bind("at", r[3]).add();
            }
            if (!volumeRows.isEmpty()) {
                vb.execute();
            }
        });
    }

    /**
     * Writes events [{@code from}, {@code to}) of the time order in one transaction, with COPY.
     * Call it with the whole range, or with consecutive ranges in order to trickle the load in
     * (each resource's events then still get IDs in time order).
     */
    public void insertEvents(Database db, int from, int to) {
        db.jdbi().useTransaction(h -> {
            try {
                CopyIn copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY events (at, account_id, resource_id, type, from_state, to_state, cause) FROM STDIN");
                StringBuilder sb = new StringBuilder(1 << 20);
                for (Ev e : events.subList(from, to)) {
                    sb.append(Instant.ofEpochSecond(e.at())).append('\t').append(e.account()).append('\t').append(e.resource()).append('\t')
                            .append(e.type()).append('\t').append(e.from() == null ? "\\N" : e.from()).append('\t').append(e.to())
                            .append("\tusage load\n");
                    if (sb.length() > (1 << 20) - 512) {
                        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(bytes, 0, bytes.length);
                        sb.setLength(0);
                    }
                }
                byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(bytes, 0, bytes.length);
                copy.endCopy();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** For tests of the generator itself: how many events each kind of resource has. */
    static int[] eventsPerResource(Shape s) {
        return new int[]{4 * s.instanceCycles(), 5 + 2 * s.attachCycles()};
    }

    @Override
    public String toString() {
        return "UsageLoad[" + shape + ", " + events.size() + " events, " + Arrays.toString(eventsPerResource(shape)) + "]";
    }
}
