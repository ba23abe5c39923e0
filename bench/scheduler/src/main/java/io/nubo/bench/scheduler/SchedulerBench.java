package io.nubo.bench.scheduler;

import io.nubo.control.ControlPlane;
import io.nubo.control.compute.LaunchRequest;
import io.nubo.control.quota.QuotaService;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.model.Image;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.Database;
import io.nubo.store.EmbeddedDatabase;
import io.nubo.store.testing.TempDirs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler at scale (issue 6): 1,000 simulated hosts registered through the agent seam (the
 * in-process one the all-in-one server's agent uses, heartbeats included), and 20,000 instances of
 * mixed types launched by 20 concurrent clients, each its own account, through the same
 * ComputeService the EC2 and REST APIs call. It reports the placements per second from the first
 * launch until the last instance has a host, the placement latency (an instance's launch time to
 * its {@code instance.scheduled} event, both the server's clock) and, from the database
 * afterwards, the hosts whose placed instances exceed what their overcommit allows (must be 0)
 * and the hosts whose recorded allocation differs from the sum of their instances (must be 0).
 */
public final class SchedulerBench {
    /** Mixed sizes, drawn round-robin: from 512 MiB to 8 GiB and 2 to 4 vCPUs. */
    private static final List<String> TYPES = List.of("t3.nano", "t3.micro", "t3.small", "t3.medium", "t3.large", "m5.large", "t3.xlarge");

    private SchedulerBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int hosts = Integer.parseInt(o.getOrDefault("hosts", "1000"));
        int instances = Integer.parseInt(o.getOrDefault("instances", "20000"));
        int clients = Integer.parseInt(o.getOrDefault("clients", "20"));
        int perCall = Integer.parseInt(o.getOrDefault("per-call", "10"));
        // "together" (the default): the scheduler places while the clients launch, as in service;
        // "after": every launch is accepted first, then the scheduler starts: its own throughput.
        boolean together = o.getOrDefault("scheduler", "together").equals("together");
        Path dir = Files.createTempDirectory("nubo-scheduler-bench");
        Map<String, String> results = new LinkedHashMap<>();
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"), false);
             Database db = Database.open(pg.jdbcUrl(), pg.user(), "", 16);
             ControlPlane cp = new ControlPlane(db, dir, Clock.systemUTC())) {
            NewAccessKey adminKey = cp.identity().bootstrapAdmin().orElseThrow();
            Principal admin = new Principal(adminKey.accountId(), Role.ADMIN, adminKey.accessKeyId());
            // A 2 GiB disk, so that every placement claims root disk space as in service (20 per host of 2,000 GiB).
            Image image = cp.catalog().ensureDefaultImage("qcow2", dir.resolve("default.qcow2").toString(), "available", 2L << 30);
            List<String> hostIds = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                // 32 cores and 192 GiB each: 128 schedulable vCPUs at the default 4.0 CPU overcommit.
                hostIds.add(cp.agents().register(new HostRegistration(String.format("sim-%04d", h), "fake", "fake", "nubo-1a", 32, 196_608, 2000)));
            }
            ExecutorService heartbeats = Executors.newSingleThreadExecutor();
            heartbeats.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    hostIds.forEach(id -> cp.agents().heartbeat(id));
                    Thread.sleep(3000); // the agents' heartbeat period is 5 s; the lease 15 s
                }
                return null;
            });
            List<Principal> tenants = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                NewAccessKey k = cp.identity().createAccount(admin, "bench-" + c, Optional.empty());
                cp.quotas().setQuotas(admin, k.accountId(), Map.of(QuotaService.INSTANCES, 1_000_000L, QuotaService.VCPUS, 10_000_000L,
                        QuotaService.MEMORY_MIB, 1_000_000_000L));
                tenants.add(new Principal(k.accountId(), Role.MEMBER, k.accessKeyId()));
            }
            if (together) {
                cp.start();
            }

            int callsPerClient = instances / clients / perCall;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long t0 = System.nanoTime();
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Principal tenant = tenants.get(c);
                int offset = c;
                done.add(pool.submit(() -> {
                    int launched = 0;
                    for (int call = 0; call < callsPerClient; call++) {
                        String type = TYPES.get((offset + call) % TYPES.size());
                        launched += cp.compute().run(tenant, new LaunchRequest(image.id(), type, perCall, perCall, null, null, null))
                                .instances().size();
                    }
                    return launched;
                }));
            }
            int launched = 0;
            for (Future<Integer> f : done) {
                launched += f.get();
            }
            long acceptedNanos = System.nanoTime() - t0;
            pool.shutdown();
            long t1 = System.nanoTime();
            if (!together) {
                cp.start();
            }
            while (count(db, "SELECT count(*) FROM instances WHERE host_id IS NULL AND state = 'pending'") > 0) {
                TimeUnit.MILLISECONDS.sleep(20); // polling the condition the benchmark measures; no test asserts on it
            }
            long placedNanos = System.nanoTime() - (together ? t0 : t1);
            heartbeats.shutdownNow();

            results.put("scheduler", together ? "together with the launches" : "after the launches");
            results.put("hosts", Integer.toString(hosts));
            results.put("launched", Integer.toString(launched));
            results.put("placed", Long.toString(count(db, "SELECT count(*) FROM instances WHERE host_id IS NOT NULL")));
            results.put("refused_no_capacity", Long.toString(count(db,
                    "SELECT count(*) FROM instances WHERE state_reason LIKE 'Server.InsufficientInstanceCapacity%'")));
            results.put("accepted_per_s", Long.toString(Math.round(launched / (acceptedNanos / 1e9))));
            results.put("placements_per_s", Long.toString(Math.round(launched / (placedNanos / 1e9))));
            results.put("all_placed_s", String.format("%.2f", placedNanos / 1e9));
            String latency = """
                    SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY extract(epoch FROM e.at - i.launch_time) * 1000)
                    FROM instances i JOIN events e ON e.resource_id = i.id AND e.type = 'instance.scheduled'""";
            results.put("placement_latency_p50_ms", String.format("%.1f", value(db, latency.formatted("0.5"))));
            results.put("placement_latency_p99_ms", String.format("%.1f", value(db, latency.formatted("0.99"))));
            results.put("oversubscribed_hosts", Long.toString(count(db, """
                    SELECT count(*) FROM hosts h JOIN (SELECT host_id, sum(vcpus) v, sum(memory_mib) m FROM instances
                      WHERE host_id IS NOT NULL AND state <> 'terminated' GROUP BY host_id) p ON p.host_id = h.id
                    WHERE p.v > floor(h.vcpus * h.cpu_ratio) OR p.m > floor(h.memory_mib * h.memory_ratio)""")));
            results.put("allocation_mismatches", Long.toString(count(db, """
                    SELECT count(*) FROM hosts h LEFT JOIN (SELECT host_id, sum(vcpus) v, sum(memory_mib) m FROM instances
                      WHERE host_id IS NOT NULL AND state <> 'terminated' GROUP BY host_id) p ON p.host_id = h.id
                    WHERE h.allocated_vcpus <> coalesce(p.v, 0) OR h.allocated_memory_mib <> coalesce(p.m, 0)""")));
            results.put("oversubscribed_pools", Long.toString(count(db, "SELECT count(*) FROM storage_pools WHERE used_bytes > total_bytes")));
            results.put("disk_claim_mismatches", Long.toString(count(db, """
                    SELECT count(*) FROM storage_pools p LEFT JOIN (SELECT pool_id, sum(bytes) b FROM instance_root_disks GROUP BY pool_id) d
                      ON d.pool_id = p.id WHERE p.kind = 'local' AND p.used_bytes <> coalesce(d.b, 0)""")));
            results.put("instances_per_host_min_max", count(db, """
                    SELECT min(n) FROM (SELECT count(i.id) n FROM hosts h LEFT JOIN instances i ON i.host_id = h.id GROUP BY h.id) x""")
                    + "/" + count(db, "SELECT max(n) FROM (SELECT count(*) n FROM instances WHERE host_id IS NOT NULL GROUP BY host_id) x"));
        } finally {
            TempDirs.delete(dir);
        }
        results.forEach((k, v) -> System.out.println("RESULT " + k + "=" + v));
    }

    private static long count(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static double value(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Double.class).one());
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }
}
