package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The server is killed with SIGKILL in the middle of 50 launches, and started again. */
class CrashRecoveryTest {
    @Test
    void killingTheServerDuringFiftyLaunchesLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        try (ServerProcess server = new ServerProcess(dir.resolve("data"), "--driver", "fake", "--fake-boot-ms", "2000").start()) {
            String image = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            AtomicInteger attempts = new AtomicInteger();
            CountDownLatch someAccepted = new CountDownLatch(15);
            ExecutorService clients = Executors.newFixedThreadPool(10);
            for (int c = 0; c < 10; c++) {
                clients.execute(() -> {
                    for (int n = 0; n < 5; n++) {
                        attempts.incrementAndGet();
                        try {
                            ServerProcess.Reply r = server.call("POST", "/instances",
                                    "{\"imageId\":\"" + image + "\",\"instanceType\":\"t3.nano\",\"name\":\"crash\"}");
                            if (r.status() == 201) {
                                accepted.add(r.json().path("instances").get(0).path("instanceId").asText());
                                someAccepted.countDown();
                            }
                        } catch (Exception e) {
                            return; // the server died under this request
                        }
                    }
                });
            }
            assertThat(someAccepted.await(60, TimeUnit.SECONDS)).isTrue();
            server.crash();
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(accepted.size()).isLessThan(50); // the crash really interrupted the launches
            Set<String> acceptedBeforeCrash = Set.copyOf(accepted);

            server.start();
            // Finish the launches the crash cut short, so that 50 were asked for in all.
            int more = 50 - attempts.get();
            for (int n = 0; n < Math.max(0, more); n++) {
                ServerProcess.Reply r = server.call("POST", "/instances", "{\"imageId\":\"" + image + "\",\"instanceType\":\"t3.nano\",\"name\":\"crash\"}");
                assertThat(r.status()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> allRunning(server));

            JsonNode list = server.call("GET", "/instances?limit=1000", null).json().path("instances");
            List<String> ids = new ArrayList<>();
            list.forEach(i -> ids.add(i.path("instanceId").asText()));
            assertThat(new HashSet<>(ids)).hasSameSizeAs(ids).containsAll(acceptedBeforeCrash);
            // Every request either made exactly one instance or failed with the crash: never more than asked.
            assertThat(ids.size()).isBetween(acceptedBeforeCrash.size(), 50 + Math.max(0, more));

            JsonNode host = server.call("GET", "/hosts", null).json().get(0);
            assertThat(host.path("allocated").path("vcpus").asInt()).isEqualTo(2 * ids.size());
            assertThat(host.path("allocated").path("memoryMib").asInt()).isEqualTo(512 * ids.size());
            try (Stream<Path> vms = Files.list(server.dataDir.resolve("fake"))) {
                assertThat(vms.filter(p -> p.toString().endsWith(".vm")).map(p -> p.getFileName().toString().replace(".vm", "")))
                        .containsExactlyInAnyOrderElementsOf(ids);
            }
            assertThat(server.stop()).isZero();
            assertThat(server.dataDir.resolve("pg/postmaster.pid")).doesNotExist();
        }
    }

    private static boolean allRunning(ServerProcess server) throws Exception {
        JsonNode list = server.call("GET", "/instances?limit=1000", null).json().path("instances");
        for (JsonNode i : list) {
            if (!i.path("state").path("name").asText().equals("running")) {
                return false;
            }
        }
        return !list.isEmpty();
    }
}
