package io.nubo.server;

import io.nubo.agent.fake.FakeHypervisor;
import io.nubo.agent.qemu.HostProbe;
import io.nubo.agent.qemu.QemuHypervisor;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.Hypervisor;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Makes the hypervisor driver an agent runs with, for `nubo up` and `nubo agent` alike. */
final class Drivers {
    private Drivers() {
    }

    static Hypervisor create(String driver, Path dataDir, ServerOptions.FakeOptions fake) {
        if (driver.equals("fake")) {
            return new FakeHypervisor(Clock.systemUTC(), fake.bootTime(), fake.shutdownTime(),
                    new HostFacts("fake", fake.vcpus(), fake.memoryMib(), fake.diskGib()), Optional.of(dataDir.resolve("fake")));
        }
        if (!driver.equals("qemu")) {
            throw new IllegalArgumentException("unknown driver '" + driver + "': use qemu or fake");
        }
        DefaultImage.Prepared image = DefaultImage.ensure(dataDir, NuboServer.nuboHome());
        HostProbe.Result probe = HostProbe.probe(dataDir, image.probeGuest(), "qemu-system-x86_64");
        return new QemuHypervisor(dataDir, probe, HostResources.facts(probe.name(), dataDir));
    }
}
