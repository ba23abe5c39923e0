package io.nubo.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per instance, the last reboot request the agent carried out, in a file, so that an
 * agent restart neither repeats a reboot nor loses one. Each file is read once and then kept in
 * memory: a reconcile pass asks about every instance on the host. Thread-safe (one file per
 * instance, replaced atomically).
 */
final class RebootLedger {
    private final Path dir;
    private final Map<String, OptionalLong> known = new ConcurrentHashMap<>();

    RebootLedger(Path dir) {
        this.dir = dir;
    }

    OptionalLong applied(String instanceId) {
        return known.computeIfAbsent(instanceId, this::read);
    }

    private OptionalLong read(String instanceId) {
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
            known.put(instanceId, OptionalLong.of(generation));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void forget(String instanceId) {
        try {
            Files.deleteIfExists(dir.resolve(instanceId + ".reboot"));
            known.remove(instanceId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
