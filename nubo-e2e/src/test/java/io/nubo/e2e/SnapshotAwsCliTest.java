package io.nubo.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real AWS CLI v2 (/usr/bin/aws) drives the snapshot actions, with its snapshot-completed waiter, against a server process (fake driver). */
class SnapshotAwsCliTest {
    @Test
    void theAwsCliSnapshotsAVolumeMakesAVolumeFromItCopiesAndDeletesIt(@TempDir Path dir) throws Exception {
        assertThat(Path.of("/usr/bin/aws")).as("Debian's awscli (v2) must be installed; ./nubo test installs it").exists();
        try (ServerProcess server = new ServerProcess(dir.resolve("data"), "--driver", "fake", "--fake-boot-ms", "200").start()) {
            Path script = Path.of(getClass().getResource("/aws-cli-snapshots.sh").toURI());
            Path log = dir.resolve("aws-cli-snapshots.log");
            Process p = new ProcessBuilder("bash", script.toString(), server.url(), server.dataDir.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(done).as(out).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("AWS CLI SNAPSHOTS PASSED");
        }
    }
}
