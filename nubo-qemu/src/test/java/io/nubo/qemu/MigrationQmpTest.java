package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.agent.MigrationProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The downtime schedule of an outgoing migration, and how its end is read (the QMP exchange as a whole
 * is covered by LiveMigrationTest with real QEMU).
 */
class MigrationQmpTest {
    @TempDir
    Path dir;

    @Test
    void theDowntimeLimitStartsAt100MsAndRisesBy100MsEveryTwoSecondsUpTo500Ms() {
        assertThat(MigrationQmp.downtimeLimitAt(0)).isEqualTo(100);
        assertThat(MigrationQmp.downtimeLimitAt(1999)).isEqualTo(100);
        assertThat(MigrationQmp.downtimeLimitAt(2000)).isEqualTo(200);
        assertThat(MigrationQmp.downtimeLimitAt(6500)).isEqualTo(400);
        assertThat(MigrationQmp.downtimeLimitAt(8000)).isEqualTo(500);
        assertThat(MigrationQmp.downtimeLimitAt(3_600_000)).isEqualTo(500);
        assertThat(MigrationQmp.downtimeLimitAt(-5)).isEqualTo(100);
    }

    @Test
    void aReceivingVmIsBuiltPausedAndWaitsForItsStateInsteadOfBooting() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", Path.of("/tmp/vm")).disk(QemuDisk.virtio(Path.of("/tmp/vm/disk.qcow2"), "qcow2"))
                .incoming(true).startPaused(true).build();
        List<String> argv = QemuCommandLine.argv(vm);
        assertThat(Collections.indexOfSubList(argv, List.of("-incoming", "defer"))).isPositive();
        assertThat(argv).contains("-S");
        assertThat(QemuCommandLine.argv(vm.toBuilder().incoming(false).build())).doesNotContain("-incoming");
    }

    @Test
    void aCompletionIsReportedWithQemusMeasuredDowntimeNotTheZeroItShowsBeforeItsTotalsAreWorkedOut() throws Exception {
        // QEMU's migration thread sets "completed" first and works out total-time and downtime just after:
        // a query in between reads both as 0. A LiveMigrationTest run once reported that 0 as the downtime.
        List<String> answers = new ArrayList<>(List.of(
                "{\"status\": \"active\", \"ram\": {\"remaining\": 4096, \"transferred\": 1000}}",
                "{\"status\": \"completed\", \"total-time\": 0, \"downtime\": 0, \"ram\": {\"remaining\": 0, \"transferred\": 5096}}",
                "{\"status\": \"completed\", \"total-time\": 1500, \"downtime\": 37, \"ram\": {\"remaining\": 0, \"transferred\": 5096}}"));
        try (FakeQmpServer qemu = new FakeQmpServer(dir.resolve("qmp.sock"), true);
             QmpClient m = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            Thread.ofVirtual().start(() -> answer(qemu, answers));
            List<MigrationProgress> seen = Collections.synchronizedList(new ArrayList<>());
            MigrationQmp.Outcome o = MigrationQmp.send(m, "127.0.0.1", 1, Optional.empty(), true, Duration.ofMinutes(1), seen::add);
            assertThat(o.completed()).isTrue();
            assertThat(o.last().downtimeMs()).isEqualTo(37);
            assertThat(seen).last().extracting(MigrationProgress::downtimeMs).isEqualTo(37);
        }
    }

    /** Answers query-migrate with the next scripted status (the last one repeats), and anything else with an empty list. */
    private static void answer(FakeQmpServer qemu, List<String> migrateAnswers) {
        try {
            while (true) {
                JsonNode request = qemu.nextRequest();
                String reply = "[]";
                if (request.path("execute").asText().equals("query-migrate")) {
                    reply = migrateAnswers.size() > 1 ? migrateAnswers.remove(0) : migrateAnswers.get(0);
                }
                qemu.send("{\"return\": " + reply + ", \"id\": " + request.get("id") + "}");
            }
        } catch (Exception | AssertionError e) {
            // The client closed: the exchange is over.
        }
    }
}
