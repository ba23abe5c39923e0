package io.nubo.server;

import io.nubo.agent.Agent;
import io.nubo.agent.AgentConfig;
import io.nubo.agent.LeaseFence;
import io.nubo.agent.qemu.FenceWatchdog;
import io.nubo.agent.remote.ConsolePort;
import io.nubo.agent.remote.HttpAgentChannel;
import io.nubo.core.agent.ConsoleProtocol;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.Hypervisor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code nubo agent}: a host agent that calls a remote server over HTTP. The first start joins
 * with an admin's join token and keeps the host credential it gets in the data dir; later starts
 * use that. A different data dir and name make another host on the same machine. Stops on
 * SIGTERM or Ctrl-C; its VMs keep running, and the next start adopts them, unless the host's lease
 * runs out first: then its HA VMs are fenced (killed), by the agent or, when the agent is not
 * running, by its fence watchdog, because the control plane restarts them elsewhere.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run a host agent that joins a remote server.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, split = ",", paramLabel = "URL",
            description = "the server's URL, e.g. http://10.0.0.1:8773; with several server replicas, each one's (comma-separated or repeated):"
                    + " the agent calls the next when one cannot be reached")
    List<URI> servers;

    @Option(names = "--join-token", description = "a join token from './nubo hosts token' (needed on the first start only)")
    String joinToken;

    @Option(names = "--data-dir", defaultValue = "${sys:user.home}/.nubo-agent", description = "state directory (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--name", required = true, description = "this host's name, unique in the cloud")
    String name;

    @Option(names = "--zone", defaultValue = "nubo-1a", description = "availability zone (default ${DEFAULT-VALUE})")
    String zone;

    @Option(names = "--driver", defaultValue = "qemu", description = "hypervisor driver: qemu or fake (default ${DEFAULT-VALUE})")
    String driver;

    @Option(names = "--console-address", paramLabel = "ADDRESS",
            description = "the address servers reach this host's console port at, and that it listens on (default: this machine's address"
                    + " towards the first server)")
    String consoleAddress;

    @Option(names = "--console-port", defaultValue = "0", description = "the console port (default: any free one; announced to the servers)")
    int consolePort;

    @Option(names = "--shared-pool", paramLabel = "DIR",
            description = "where this host mounts the cloud's shared storage pool (volumes, HA root disks, images on it are used there);"
                    + " without it, the servers take the pool to be at their own path, and images are streamed")
    Path sharedPool;

    @picocli.CommandLine.Mixin
    FakeDriverOptions fake;

    @Override
    public Integer call() throws InterruptedException {
        Path dir = dataDir.toAbsolutePath();
        Logs.forServer(dir);
        Optional<AgentIdentity> known = AgentIdentity.read(dir);
        if (known.isPresent() && !known.get().hostName().equals(name)) {
            System.err.println("error: " + dir + " belongs to host '" + known.get().hostName() + "'; use another --data-dir for '" + name + "'");
            return 2;
        }
        if (known.isEmpty() && joinToken == null) {
            System.err.println("error: this agent has not joined yet: give --join-token (create one with './nubo hosts token')");
            return 2;
        }
        Hypervisor hypervisor;
        try {
            hypervisor = Drivers.create(driver, dir, fake.options());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        AgentIdentity identity;
        try {
            identity = known.orElseGet(() -> join(dir, hypervisor));
        } catch (HttpAgentChannel.RemoteCallException | java.io.UncheckedIOException e) {
            System.err.println("error: could not join " + servers + ": " + e.getMessage());
            return 1;
        }
        // A remote host can be cut off from the control plane while it lives: it fences its HA VMs
        // when its lease runs out, and the watchdog does so when this process is dead.
        Path fenceDir = dir.resolve("agent").resolve("fence");
        if (driver.equals("qemu")) {
            FenceWatchdog.ensureRunning(fenceDir, dir.resolve("instances"));
        }
        // The replicas named now, not the one joined: replicas come and go over a host's life.
        HttpAgentChannel channel = new HttpAgentChannel(servers, identity.credential());
        // This host reaches no file of the server's own: images on no shared pool it mounts come over the same HTTP.
        if (hypervisor instanceof io.nubo.agent.qemu.QemuHypervisor qemu) {
            qemu.downloadImagesFrom(channel);
        }
        Agent agent = new Agent(channel, hypervisor,
                new AgentConfig(name, zone, dir.resolve("agent"), Duration.ofMillis(250), Duration.ofSeconds(30), LeaseFence.Policy.standard()));
        if (sharedPool != null) {
            channel.announcingSharedMount(sharedPool.toAbsolutePath().normalize().toString());
        }
        ConsolePort consoles;
        try {
            consoles = openConsolePort(agent, dir.resolve("instances"), channel);
        } catch (IOException e) {
            System.err.println("error: cannot open the console port: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        agent.start();
        System.out.println("Nubo agent for host " + name + " (" + identity.hostId() + ") is calling " + servers);
        System.out.flush();
        stop.await();
        consoles.close();
        agent.close();
        try {
            hypervisor.close();
        } catch (Exception e) {
            System.err.println("warning: closing the driver: " + e.getMessage());
        }
        return 0;
    }

    /**
     * The port servers reach this host's VM consoles on, with a key new at every start, announced
     * with every registration.
     */
    private ConsolePort openConsolePort(Agent agent, Path instances, HttpAgentChannel channel) throws IOException {
        String address = consoleAddress != null ? consoleAddress : localAddressTowards(servers.get(0));
        byte[] key = new byte[ConsoleProtocol.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        ConsolePort port = ConsolePort.open(new InetSocketAddress(address, consolePort), key, new ConsolePort.Consoles() {
            @Override
            public Optional<Path> vncSocket(String instanceId) {
                return agent.hostId().map(h -> instances.resolve(instanceId).resolve("vnc.sock"));
            }

            @Override
            public Optional<byte[]> tail(String instanceId, int maxBytes) {
                return agent.hostId().flatMap(h -> agent.consoleTail(h, instanceId, maxBytes));
            }
        });
        channel.announcingConsole(address, port.port(), key);
        return port;
    }

    /** The address this machine sends from towards the server: the one the server can reach it at (no packet is sent). */
    private static String localAddressTowards(URI server) throws IOException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(InetAddress.getByName(server.getHost()), server.getPort() > 0 ? server.getPort() : 80);
            return probe.getLocalAddress().getHostAddress();
        }
    }

    private AgentIdentity join(Path dir, Hypervisor hypervisor) {
        HostFacts facts = hypervisor.probe();
        HttpAgentChannel.Joined joined = HttpAgentChannel.join(servers, joinToken, new HostRegistration(name, hypervisor.name(),
                facts.accelerator(), zone, facts.vcpus(), facts.memoryMib(), facts.diskGib(), facts.architecture()));
        AgentIdentity identity = new AgentIdentity(servers.get(0), name, joined.hostId(), joined.credential());
        identity.write(dir);
        System.out.println("Joined " + servers + " as host " + name + " (" + joined.hostId() + ")");
        return identity;
    }
}
