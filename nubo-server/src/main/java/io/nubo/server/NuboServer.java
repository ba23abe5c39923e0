package io.nubo.server;

import io.nubo.agent.Agent;
import io.nubo.agent.AgentConfig;
import io.nubo.api.ApiServer;
import io.nubo.api.ec2.Ec2Throttle;
import io.nubo.control.ControlPlane;
import io.nubo.control.console.RemoteConsoles;
import io.nubo.control.console.VncConnector;
import io.nubo.control.images.ImageSettings;
import io.nubo.control.storage.PoolAnnouncingChannel;
import io.nubo.control.users.UserService;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.core.spi.Hypervisor;
import io.nubo.store.Database;
import io.nubo.store.EmbeddedDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * One running Nubo server: database (embedded or external), control plane, HTTP API and,
 * in the all-in-one mode, a local agent. Start and close in one thread.
 */
public final class NuboServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NuboServer.class);
    public static final String VERSION = "0.1.0";

    private final ServerOptions options;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private ApiServer api;
    private ControlPlane controlPlane;
    private Agent agent;
    private Optional<NewAccessKey> firstKey = Optional.empty();
    private Optional<UserService.FirstAdmin> firstAdmin = Optional.empty();

    public NuboServer(ServerOptions options) {
        this.options = options;
    }

    public NuboServer start() {
        try {
            Files.createDirectories(options.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + options.dataDir(), e);
        }
        Hypervisor hypervisor = options.localAgent() ? hypervisor() : null;
        Database db;
        if (options.jdbcUrl().isPresent()) {
            db = Database.open(options.jdbcUrl().get(), options.dbUser().orElse("nubo"), options.dbPassword().orElse(""), 40);
        } else {
            EmbeddedDatabase embedded = EmbeddedDatabase.start(options.dataDir());
            toClose.push(embedded);
            db = Database.open(embedded.jdbcUrl(), embedded.user(), "", 40);
        }
        toClose.push(db);
        Clock clock = Clock.systemUTC();
        controlPlane = new ControlPlane(db, options.dataDir(), clock, imageSettings());
        toClose.push(controlPlane);
        firstKey = controlPlane.identity().bootstrapAdmin();
        firstKey.ifPresent(k -> Credentials.write(options.dataDir(), k));
        String operatorAccount = firstKey.map(NewAccessKey::accountId).orElseGet(() -> controlPlane.identity().listAccounts(
                new Principal("", Role.ADMIN, "bootstrap")).stream().filter(x -> x.role() == Role.ADMIN).findFirst().orElseThrow().id());
        firstAdmin = controlPlane.users().bootstrapOperator(operatorAccount);
        firstAdmin.ifPresent(a -> PortalPassword.write(options.dataDir(), a));
        Path defaultDisk = hypervisor != null ? DefaultImage.diskPath(options.dataDir())
                : DefaultImage.ensureOnSharedPool(sharedPool(), nuboHome());
        controlPlane.catalog().ensureDefaultImage("qcow2", defaultDisk.toString(), "available", DefaultImage.virtualSize(defaultDisk));
        controlPlane.start();
        if (hypervisor != null) {
            toClose.push(hypervisor);
            // The in-process agent also records which pools its host reaches: its local pool and the shared one.
            var channel = new PoolAnnouncingChannel(controlPlane.agents(), controlPlane.storagePools(),
                    options.dataDir().resolve("pools").resolve("local"), Optional.of(sharedPool()));
            // Only a server beside an external database can be cut off while other replicas judge its host's
            // lease; the all-in-one server's agent lives and dies with the only control plane, so it never fences.
            boolean fencing = options.jdbcUrl().isPresent();
            if (fencing && options.driver().equals("qemu")) {
                io.nubo.agent.qemu.FenceWatchdog.ensureRunning(options.dataDir().resolve("agent").resolve("fence"),
                        options.dataDir().resolve("instances"));
            }
            agent = new Agent(channel, hypervisor, new AgentConfig(hostName(), "nubo-1a",
                    options.dataDir().resolve("agent"), Duration.ofMillis(250), Duration.ofSeconds(30),
                    fencing ? io.nubo.agent.LeaseFence.Policy.standard() : io.nubo.agent.LeaseFence.Policy.off()));
            toClose.push(agent);
            agent.start();
        }
        useConsoles();
        api = new ApiServer(controlPlane, new ApiServer.Health(db::isHealthy, () -> agent == null || agent.isReady()), VERSION,
                new Ec2Throttle(options.ec2RateScale()));
        toClose.push(api);
        api.start(options.bindAddress(), options.port());
        LOG.info("api listening on {}:{}", options.bindAddress(), api.port());
        return this;
    }

    /** VM consoles: the local agent's own, and every other host's through its announced console port. */
    private void useConsoles() {
        RemoteConsoles remote = controlPlane.remoteConsoles();
        Agent local = agent;
        Path instances = options.dataDir().resolve("instances");
        boolean localVnc = local != null && options.driver().equals("qemu");
        controlPlane.compute().useConsoleAccess((host, id, max) -> isLocal(local, host) ? local.consoleTail(host, id, max)
                : remote.tail(host, id, max));
        controlPlane.consoleTickets().useVncAccess((host, id) -> !isLocal(local, host) ? remote.vnc(host, id)
                : localVnc ? Optional.of(new VncConnector.UnixSocket(instances.resolve(id).resolve("vnc.sock"))) : Optional.empty());
    }

    private static boolean isLocal(Agent local, String hostId) {
        return local != null && local.hostId().filter(hostId::equals).isPresent();
    }

    private Path sharedPool() {
        return options.storage().sharedPool().orElse(options.dataDir().resolve("pools").resolve("shared"));
    }

    private ImageSettings imageSettings() {
        ServerOptions.StorageOptions s = options.storage();
        ImageSettings d = ImageSettings.defaults(options.dataDir());
        return new ImageSettings(sharedPool(), s.maxImageVirtualSize(), d.maxSourceBytes(), s.allowPrivateImageUrls(), d.lease(),
                d.maxAttempts(), d.workers(), d.stallTimeout(), d.incomingMaxAge());
    }

    private Hypervisor hypervisor() {
        return Drivers.create(options.driver(), options.dataDir(), options.fake());
    }

    /** The Nubo checkout (for images/): -Dnubo.home, else $NUBO_HOME, else the working directory. */
    static Path nuboHome() {
        String home = System.getProperty("nubo.home", System.getenv("NUBO_HOME"));
        return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public int port() {
        return api.port();
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The admin key created by this start, if this was the first start. */
    public Optional<NewAccessKey> firstKey() {
        return firstKey;
    }

    /** The first operator's portal e-mail and password, if this start created them. */
    public Optional<UserService.FirstAdmin> firstAdmin() {
        return firstAdmin;
    }

    public boolean isAgentReady() {
        return agent != null && agent.isReady();
    }

    /** Stops everything that started, newest first. Idempotent. */
    @Override
    public synchronized void close() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                LOG.warn("error while stopping: {}", e.toString());
            }
        }
    }
}
