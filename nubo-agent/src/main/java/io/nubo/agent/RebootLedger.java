package io.nubo.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;

/**
 * Remembers, per instance, the last reboot request the agent carried out, in a file, so that an
 * agent restart neither repeats a reboot nor loses one. Thread-safe (one file per instance,
 * replaced atomically).
 */
final class RebootLedger {
    private final Path dir;

    RebootLedger(Path dir) {
        this.dir = dir;
    }

    OptionalLong applied(String instanceId) {
        Path f = dir.resolve(instanceId + ".reboot");
        try {
            return Files.exists(f) ? OptionalLong.of(Long.parseLong(Files.readString(f).trim())) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    void record(String instanceId, long generation) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(instanceId + ".reboot.tmp");
            Files.writeString(tmp, Long.toString(generation));
            Files.move(tmp, dir.resolve(instanceId + ".reboot"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void forget(String instanceId) {
        try {
            Files.deleteIfExists(dir.resolve(instanceId + ".reboot"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
