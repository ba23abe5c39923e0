package io.nubo.server;

import io.nubo.core.model.Architectures;
import io.nubo.core.spi.HostFacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this machine offers to guests: its CPUs, memory (from /proc/meminfo) and the data dir's free disk. */
final class HostResources {
    private HostResources() {
    }

    static HostFacts facts(String accelerator, Path dataDir) {
        int vcpus = Runtime.getRuntime().availableProcessors();
        int memoryMib = memTotalMib();
        int diskGib;
        try {
            diskGib = (int) (Files.getFileStore(dataDir).getUsableSpace() >> 30);
        } catch (IOException e) {
            diskGib = 0;
        }
        // The driver runs qemu-system-x86_64, so its guests are x86_64 whatever this machine is (under TCG elsewhere).
        return new HostFacts(accelerator, vcpus, memoryMib, diskGib, Architectures.X86_64);
    }

    private static int memTotalMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return (int) (Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the JVM's view
        }
        return (int) (Runtime.getRuntime().maxMemory() >> 20);
    }
}
