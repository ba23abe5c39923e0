package io.nubo.control.billing;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Principal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance 1: seeded random lifecycles over simulated months (launch, stop, start, resize,
 * live migration between two hosts, crash, terminate; volume create, attach, grow and type change, delete; price changes of both,
 * month boundaries and closing), and every invoice compared line by line with a deliberately
 * simple reference written only here: it walks every running second of an instance, one at a
 * time, and looks up that second's month and price; a volume's life it cuts at every month start
 * and price change of its type, and charges each piece its GiB times its seconds.
 */
class BillingReferenceTest {
    private static final List<String> TYPES = List.of("t3.nano", "t3.micro", "m5.large", "t3.xlarge");
    private static final List<String> VOLUME_TYPES = List.of("gp2", "gp3", "standard");
    private static final long VOLUME_UNITS = 730L * 3600;

    /** What the test itself believes about a volume: it accrues {@code gib} of {@code type} from {@code since} while live. */
    private static final class VolumeModel {
        final Principal owner;
        long gib;
        String type;
        String state = "creating";
        Instant since;

        VolumeModel(Principal owner, long gib, String type) {
            this.owner = owner;
            this.gib = gib;
            this.type = type;
        }
    }

    /** What the test itself believes about an instance. */
    private static final class Model {
        final Principal owner;
        String type;
        String state = "pending";
        Instant runningSince;

        Model(Principal owner, String type) {
            this.owner = owner;
            this.type = type;
        }
    }

    /** One closed or open running interval of an instance, as the test saw it. */
    private record Interval(String accountId, String instanceId, String type, long start, long end) {
    }

    /** One stretch of a volume's life at one size and type. */
    private record Stretch(String accountId, String volumeId, String type, long gib, long start, long end) {
    }

    /** A price from {@code from}; {@code type} is an instance type or "volume/" and a volume type. */
    private record PriceEntry(String type, long from, long micros) {
    }

    private record LineKey(String resourceId, String sku, long unitPrice) {
    }

    private record LineValue(long seconds, long amountMinor) {
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void invoicesMatchASimpleReferenceCalculationLineByLine(long seed) throws Exception {
        Random rnd = new Random(seed);
        Instant start = Instant.parse("2025-01-27T22:13:00Z").plusSeconds(rnd.nextInt(86_400));
        try (BillingFixture f = new BillingFixture(start)) {
            BillingService billing = f.cp.billing();
            List<Principal> tenants = List.of(f.tenant("a" + seed), f.tenant("b" + seed));
            List<PriceEntry> prices = new ArrayList<>();
            for (InstanceType t : f.cp.catalog().listTypes()) {
                prices.add(new PriceEntry(t.name(), 0, t.priceMicrosPerHour()));
            }
            prices.add(new PriceEntry("volume/gp2", 0, 100_000));
            prices.add(new PriceEntry("volume/gp3", 0, 80_000));
            prices.add(new PriceEntry("volume/standard", 0, 50_000));
            f.sharedPool();
            f.cp.storagePools().registerHost(f.hostId, "sim", f.dataDir.resolve("pools").resolve("local"),
                    Optional.of(f.dataDir.resolve("pools").resolve("shared")));
            String second = f.addHost("sim2");
            f.cp.storagePools().registerHost(second, "sim2", f.dataDir.resolve("pools").resolve("local2"),
                    Optional.of(f.dataDir.resolve("pools").resolve("shared")));
            int[] migrations = {0};
            Map<String, Model> instances = new LinkedHashMap<>();
            Map<String, VolumeModel> volumes = new LinkedHashMap<>();
            List<Interval> intervals = new ArrayList<>();
            List<Stretch> stretches = new ArrayList<>();
            Map<YearMonth, Map<String, Map<LineKey, LineValue>>> closedInvoices = new TreeMap<>();
            for (int step = 0; step < 200; step++) {
                f.clock.advance(Duration.ofSeconds(rnd.nextInt(10) < 6 ? 1 + rnd.nextInt(150) : rnd.nextInt(2 * 86_400)));
                long now = f.clock.instant().getEpochSecond();
                int action = rnd.nextInt(125);
                if (action < 18) {
                    Principal owner = tenants.get(rnd.nextInt(tenants.size()));
                    String type = TYPES.get(rnd.nextInt(TYPES.size()));
                    for (Instance i : f.cp.compute().run(owner, new LaunchRequest(f.imageId, type, 1, 1 + rnd.nextInt(2), null, null, null))
                            .instances()) {
                        instances.put(i.id(), new Model(owner, type));
                    }
                } else if (action < 40) {
                    Set<String> crashed = new java.util.HashSet<>();
                    if (rnd.nextInt(4) == 0) {
                        pick(rnd, instances, "running").ifPresent(crashed::add);
                    }
                    f.observe(crashed);
                    for (var e : instances.entrySet()) {
                        Model m = e.getValue();
                        if (crashed.contains(e.getKey())) {
                            intervals.add(new Interval(m.owner.accountId(), e.getKey(), m.type, m.runningSince.getEpochSecond(), now));
                            m.state = "stopped";
                        } else if (m.state.equals("pending")) {
                            m.state = "running";
                            m.runningSince = f.clock.instant();
                        } else if (m.state.equals("stopping")) {
                            m.state = "stopped";
                        } else if (m.state.equals("shutting-down")) {
                            m.state = "terminated";
                        }
                    }
                } else if (action < 55) {
                    pick(rnd, instances, "running").ifPresent(id -> {
                        Model m = instances.get(id);
                        f.cp.compute().stop(m.owner, id, rnd.nextBoolean());
                        intervals.add(new Interval(m.owner.accountId(), id, m.type, m.runningSince.getEpochSecond(), now));
                        m.state = "stopping";
                    });
                } else if (action < 68) {
                    pick(rnd, instances, "stopped").ifPresent(id -> {
                        Model m = instances.get(id);
                        if (rnd.nextInt(3) == 0) {
                            String type = TYPES.get(rnd.nextInt(TYPES.size()));
                            f.cp.compute().modifyInstanceType(m.owner, id, type);
                            m.type = type;
                        }
                        f.cp.compute().start(m.owner, id);
                        m.state = "pending";
                    });
                } else if (action < 76) {
                    pick(rnd, instances, rnd.nextBoolean() ? "running" : "stopped").ifPresent(id -> {
                        Model m = instances.get(id);
                        f.cp.compute().terminate(m.owner, id);
                        if (m.state.equals("running")) {
                            intervals.add(new Interval(m.owner.accountId(), id, m.type, m.runningSince.getEpochSecond(), now));
                        }
                        m.state = "shutting-down";
                    });
                } else if (action < 84) {
                    String type = TYPES.get(rnd.nextInt(TYPES.size()));
                    long last = prices.stream().filter(p -> p.type().equals(type)).mapToLong(PriceEntry::from).max().orElse(0);
                    long from = Math.max(now + (rnd.nextBoolean() ? 0 : rnd.nextInt(2 * 86_400)), last + 1);
                    long micros = 1 + rnd.nextInt(500_000);
                    billing.setPrice(f.admin, "instance", type, Optional.empty(), Optional.of(micros), Optional.of(Instant.ofEpochSecond(from)));
                    prices.add(new PriceEntry(type, from, micros));
                } else if (action < 90) {
                    billing.metering().catchUp();
                } else if (action < 97) {
                    // A live migration keeps the instance running: its interval goes on, neither cut nor doubled.
                    pick(rnd, instances, "running").ifPresent(id -> {
                        String to = f.migrate(id);
                        assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + id + "' AND host_id = '" + to + "'")).isEqualTo(1);
                        migrations[0]++;
                    });
                } else if (action >= 100) {
                    volumeStep(f, rnd, tenants, instances, volumes, stretches, prices, now);
                }
                // Close every month that may be closed, and remember its invoices as they were then.
                for (YearMonth m = YearMonth.from(start.atZone(ZoneOffset.UTC)); ; m = m.plusMonths(1)) {
                    if (f.clock.instant().isBefore(BillingService.monthEnd(m).plus(BillingService.CLOSE_GRACE))) {
                        break;
                    }
                    if (!closedInvoices.containsKey(m)) {
                        billing.closeMonth(f.admin, m);
                        Map<String, Map<LineKey, LineValue>> byAccount = new HashMap<>();
                        for (Principal t : tenants) {
                            byAccount.put(t.accountId(), lines(billing.invoice(t, InvoiceIds.of(t.accountId(), m))));
                        }
                        closedInvoices.put(m, byAccount);
                    }
                }
            }
            // The instances still running and the volumes still there accrue up to now.
            long now = f.clock.instant().getEpochSecond();
            List<Interval> all = new ArrayList<>(intervals);
            instances.forEach((id, m) -> {
                if (m.state.equals("running")) {
                    all.add(new Interval(m.owner.accountId(), id, m.type, m.runningSince.getEpochSecond(), now));
                }
            });
            List<Stretch> allStretches = new ArrayList<>(stretches);
            volumes.forEach((id, v) -> {
                if (v.state.equals("live")) {
                    allStretches.add(new Stretch(v.owner.accountId(), id, v.type, v.gib, v.since.getEpochSecond(), now));
                }
            });
            assertThat(allStretches).as("the simulation made volumes").isNotEmpty();
            allStretches.addAll(rootVolumeStretches(f, now));
            assertThat(migrations[0]).as("the simulation migrated instances").isPositive();
            Map<String, Map<YearMonth, Map<LineKey, LineValue>>> expected = reference(all, prices);
            volumeReference(allStretches, prices, expected);
            assertThat(closedInvoices).as("the simulation crossed month boundaries").isNotEmpty();
            for (Principal t : tenants) {
                for (var closed : closedInvoices.entrySet()) {
                    var exp = expected.getOrDefault(t.accountId(), Map.of()).getOrDefault(closed.getKey(), Map.of());
                    assertThat(closed.getValue().get(t.accountId())).as("closed %s of %s, seed %d", closed.getKey(), t.accountId(), seed)
                            .isEqualTo(exp);
                    // Frozen: asking again later gives the same lines.
                    assertThat(lines(billing.invoice(t, InvoiceIds.of(t.accountId(), closed.getKey())))).isEqualTo(exp);
                }
                YearMonth current = YearMonth.from(f.clock.instant().atZone(ZoneOffset.UTC));
                Invoice draft = billing.invoice(t, InvoiceIds.of(t.accountId(), current));
                assertThat(draft.status()).isEqualTo(Invoice.Status.DRAFT);
                assertThat(lines(draft)).as("draft %s of %s, seed %d", current, t.accountId(), seed)
                        .isEqualTo(expected.getOrDefault(t.accountId(), Map.of()).getOrDefault(current, Map.of()));
                assertThat(draft.totalMinor()).isEqualTo(draft.lines().stream().mapToLong(Invoice.Line::amountMinor).sum());
                assertThat(draft.forecastMinor().orElseThrow()).isGreaterThanOrEqualTo(draft.totalMinor());
            }
            // The stored records are what a rebuild from the event log gives, and a rebuild changes no invoice.
            assertThat(billing.metering().check().consistent()).isTrue();
            Map<String, Map<LineKey, LineValue>> before = new HashMap<>();
            for (Principal t : tenants) {
                before.put(t.accountId(), lines(billing.invoice(t, InvoiceIds.of(t.accountId(), YearMonth.from(f.clock.instant().atZone(ZoneOffset.UTC))))));
            }
            billing.metering().rebuild();
            assertThat(billing.metering().check().consistent()).isTrue();
            for (Principal t : tenants) {
                assertThat(lines(billing.invoice(t, InvoiceIds.of(t.accountId(), YearMonth.from(f.clock.instant().atZone(ZoneOffset.UTC))))))
                        .isEqualTo(before.get(t.accountId()));
            }
        }
    }

    /**
     * The reference: for every running second, add that second's price to its month's line; an
     * interval shorter than a minute adds the missing seconds at its first second's price. Each
     * line is then rounded half-up to cents: amount = seconds x micros-per-hour / 3600 / 10,000.
     */
    private static Map<String, Map<YearMonth, Map<LineKey, LineValue>>> reference(List<Interval> intervals, List<PriceEntry> prices) {
        Map<String, Map<YearMonth, Map<LineKey, long[]>>> seconds = new HashMap<>();
        for (Interval iv : intervals) {
            List<PriceEntry> own = prices.stream().filter(p -> p.type().equals(iv.type())).toList();
            // Second by second; consecutive seconds with the same month and price are added together.
            long runStart = iv.start();
            for (long t = iv.start(); t <= iv.end(); t++) {
                boolean same = t < iv.end() && t > runStart && priceAt(own, t) == priceAt(own, t - 1)
                        && (t % 86_400 != 0 || monthOf(t).equals(monthOf(t - 1)));
                if (t > runStart && !same) {
                    add(seconds, iv, runStart, t - runStart, own);
                    runStart = t;
                }
            }
            if (iv.end() - iv.start() < 60) {
                add(seconds, iv, iv.start(), 60 - (iv.end() - iv.start()), own);
            }
        }
        Map<String, Map<YearMonth, Map<LineKey, LineValue>>> out = new HashMap<>();
        seconds.forEach((account, months) -> months.forEach((month, lines) -> lines.forEach((k, s) -> {
            long exact = s[0] * k.unitPrice(); // micro-units x 3600
            long cents = (exact + 3600L * 10_000 / 2) / (3600L * 10_000);
            out.computeIfAbsent(account, a -> new HashMap<>()).computeIfAbsent(month, m -> new HashMap<>()).put(k, new LineValue(s[0], cents));
        })));
        return out;
    }

    /**
     * One volume action: create one, run the volume controller (creating volumes become available
     * now), grow one or change its type, attach one to an instance of its owner, delete one, or
     * change a volume type's price. A request the volume service refuses (a volume still growing or
     * attached, say) changes nothing, here as there.
     */
    private static void volumeStep(BillingFixture f, Random rnd, List<Principal> tenants, Map<String, Model> instances,
                                   Map<String, VolumeModel> volumes, List<Stretch> stretches, List<PriceEntry> prices, long now) {
        Instant at = Instant.ofEpochSecond(now);
        switch (rnd.nextInt(6)) {
            case 0 -> {
                Principal owner = tenants.get(rnd.nextInt(tenants.size()));
                VolumeModel v = new VolumeModel(owner, 1 + rnd.nextInt(20), VOLUME_TYPES.get(rnd.nextInt(VOLUME_TYPES.size())));
                String id = f.cp.volumes().create(owner, new io.nubo.control.volumes.CreateVolumeRequest(Optional.of((int) v.gib),
                        Optional.of(v.type), Optional.of("nubo-1a"), Optional.empty(), Optional.empty(), Optional.empty(), false,
                        Optional.empty(), false, Optional.empty(), List.of(), Optional.empty())).volume().id();
                volumes.put(id, v);
            }
            case 1 -> {
                f.cp.volumeController().pass();
                volumes.values().stream().filter(v -> v.state.equals("creating")).forEach(v -> {
                    v.state = "live";
                    v.since = at;
                });
            }
            case 2 -> pickVolume(rnd, volumes).ifPresent(id -> {
                VolumeModel v = volumes.get(id);
                long gib = v.gib + rnd.nextInt(3);
                String type = rnd.nextBoolean() ? v.type : VOLUME_TYPES.get(rnd.nextInt(VOLUME_TYPES.size()));
                try {
                    f.cp.volumes().modify(v.owner, id, new io.nubo.control.volumes.ModifyVolumeRequest(Optional.of((int) gib),
                            Optional.of(type), Optional.empty(), Optional.empty(), Optional.empty()));
                } catch (io.nubo.core.NuboException refused) {
                    return;
                }
                stretches.add(new Stretch(v.owner.accountId(), id, v.type, v.gib, v.since.getEpochSecond(), now));
                v.gib = gib;
                v.type = type;
                v.since = at;
            });
            case 3 -> pickVolume(rnd, volumes).ifPresent(id -> {
                VolumeModel v = volumes.get(id);
                instances.entrySet().stream().filter(e -> e.getValue().owner.equals(v.owner))
                        .filter(e -> e.getValue().state.equals("running") || e.getValue().state.equals("stopped")).findFirst()
                        .ifPresent(e -> {
                            try {
                                f.cp.volumes().attach(v.owner, id, e.getKey(), "/dev/sd" + (char) ('f' + rnd.nextInt(10)));
                            } catch (io.nubo.core.NuboException refused) {
                                // attached already, or the device is taken: attaching changes no money anyway
                            }
                        });
            });
            case 4 -> pickVolume(rnd, volumes).ifPresent(id -> {
                VolumeModel v = volumes.get(id);
                try {
                    f.cp.volumes().delete(v.owner, id);
                } catch (io.nubo.core.NuboException refused) {
                    return; // attached
                }
                stretches.add(new Stretch(v.owner.accountId(), id, v.type, v.gib, v.since.getEpochSecond(), now));
                v.state = "gone";
            });
            default -> {
                String type = VOLUME_TYPES.get(rnd.nextInt(VOLUME_TYPES.size()));
                long last = prices.stream().filter(p -> p.type().equals("volume/" + type)).mapToLong(PriceEntry::from).max().orElse(0);
                long from = Math.max(now + (rnd.nextBoolean() ? 0 : rnd.nextInt(2 * 86_400)), last + 1);
                long micros = 1 + rnd.nextInt(300_000);
                f.cp.billing().setPrice(f.admin, "volume", type, Optional.empty(), Optional.of(micros), Optional.of(Instant.ofEpochSecond(from)));
                prices.add(new PriceEntry("volume/" + type, from, micros));
            }
        }
    }

    private static Optional<String> pickVolume(Random rnd, Map<String, VolumeModel> volumes) {
        List<String> ids = volumes.entrySet().stream().filter(e -> e.getValue().state.equals("live")).map(Map.Entry::getKey).toList();
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(rnd.nextInt(ids.size())));
    }

    /**
     * The volumes' reference: each stretch is cut at every month start and every price change of
     * its type; each piece adds GiB x seconds at that piece's price to its month's line. Lines are
     * then rounded half-up to cents: amount = GiB-seconds x micros-per-GiB-month / (730 x 3600) / 10,000.
     */
    /**
     * The root volumes' stretches: from the placement that made each (its creation) to its
     * instance's termination (its deletion), or to now. When the scheduler placed an instance is
     * the system's to say, so the times come from the volumes' rows; the reference does the rest.
     */
    private static List<Stretch> rootVolumeStretches(BillingFixture f, long now) {
        return f.db.jdbi().withHandle(h -> h.createQuery("""
                SELECT v.id, v.account_id, v.size_gib, extract(epoch FROM v.created_at)::bigint AS start,
                       CASE WHEN v.state = 'deleted' THEN extract(epoch FROM v.updated_at)::bigint END AS stop
                FROM volumes v WHERE EXISTS (SELECT 1 FROM events e WHERE e.resource_id = v.id AND e.type = 'volume.state'
                                             AND e.from_state IS NULL AND e.cause LIKE '% root device of %')""")
                .map((rs, ctx) -> new Stretch(rs.getString("account_id"), rs.getString("id"), "gp3", rs.getLong("size_gib"),
                        rs.getLong("start"), rs.getObject("stop") == null ? now : rs.getLong("stop")))
                .list());
    }

    private static void volumeReference(List<Stretch> stretches, List<PriceEntry> prices,
                                        Map<String, Map<YearMonth, Map<LineKey, LineValue>>> out) {
        Map<String, Map<YearMonth, Map<LineKey, long[]>>> quantities = new HashMap<>();
        for (Stretch st : stretches) {
            List<PriceEntry> own = prices.stream().filter(p -> p.type().equals("volume/" + st.type())).toList();
            java.util.TreeSet<Long> cuts = new java.util.TreeSet<>();
            own.forEach(p -> cuts.add(p.from()));
            for (YearMonth m = monthOf(st.start()).plusMonths(1); !m.isAfter(monthOf(st.end())); m = m.plusMonths(1)) {
                cuts.add(m.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC));
            }
            long t = st.start();
            while (t < st.end()) {
                Long next = cuts.higher(t);
                long pieceEnd = next == null || next > st.end() ? st.end() : next;
                quantities.computeIfAbsent(st.accountId(), a -> new HashMap<>()).computeIfAbsent(monthOf(t), m -> new HashMap<>())
                        .computeIfAbsent(new LineKey(st.volumeId(), st.type(), priceAt(own, t)), k -> new long[1])[0] += st.gib() * (pieceEnd - t);
                t = pieceEnd;
            }
        }
        quantities.forEach((account, months) -> months.forEach((month, lines) -> lines.forEach((k, q) -> {
            java.math.BigInteger exact = java.math.BigInteger.valueOf(q[0]).multiply(java.math.BigInteger.valueOf(k.unitPrice()));
            java.math.BigInteger[] qr = exact.divideAndRemainder(java.math.BigInteger.valueOf(VOLUME_UNITS * 10_000));
            long cents = qr[0].longValueExact() + (qr[1].longValueExact() * 2 >= VOLUME_UNITS * 10_000 ? 1 : 0);
            if (q[0] > 0) {
                out.computeIfAbsent(account, a -> new HashMap<>()).computeIfAbsent(month, m -> new HashMap<>()).put(k, new LineValue(q[0], cents));
            }
        })));
    }

    private static long priceAt(List<PriceEntry> own, long t) {
        long price = 0;
        long from = Long.MIN_VALUE;
        for (PriceEntry p : own) {
            if (p.from() <= t && p.from() >= from) {
                price = p.micros();
                from = p.from();
            }
        }
        return price;
    }

    private static YearMonth monthOf(long t) {
        return YearMonth.from(Instant.ofEpochSecond(t).atZone(ZoneOffset.UTC));
    }

    private static void add(Map<String, Map<YearMonth, Map<LineKey, long[]>>> seconds, Interval iv, long t, long n, List<PriceEntry> own) {
        seconds.computeIfAbsent(iv.accountId(), a -> new HashMap<>()).computeIfAbsent(monthOf(t), m -> new HashMap<>())
                .computeIfAbsent(new LineKey(iv.instanceId(), iv.type(), priceAt(own, t)), k -> new long[1])[0] += n;
    }

    private static Map<LineKey, LineValue> lines(Invoice inv) {
        Map<LineKey, LineValue> out = new HashMap<>();
        for (Invoice.Line l : inv.lines()) {
            assertThat(l.usageType()).isEqualTo(l.resourceId().startsWith("vol-") ? "volume" : "instance");
            LineValue previous = out.put(new LineKey(l.resourceId(), l.sku(), l.unitPriceMicros()), new LineValue(l.quantity(), l.amountMinor()));
            assertThat(previous).as("one line per resource, sku and price").isNull();
        }
        return out;
    }

    private static Optional<String> pick(Random rnd, Map<String, Model> instances, String state) {
        List<String> ids = instances.entrySet().stream().filter(e -> e.getValue().state.equals(state)).map(Map.Entry::getKey).toList();
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(rnd.nextInt(ids.size())));
    }
}
