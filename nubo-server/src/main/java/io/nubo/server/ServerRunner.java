package io.nubo.server;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts a server in the foreground, prints how to reach it, and on SIGINT or SIGTERM stops it
 * cleanly (embedded PostgreSQL included) and exits 0.
 */
final class ServerRunner {
    private ServerRunner() {
    }

    static int run(ServerOptions options, boolean waitForAgent) throws InterruptedException {
        Logs.forServer(options.dataDir());
        NuboServer server = new NuboServer(options);
        CountDownLatch stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
        // Any other way out of the JVM still stops PostgreSQL; close() is idempotent.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        try {
            server.start();
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            server.close();
            return 1;
        }
        server.firstKey().ifPresent(k -> {
            System.out.println("Created the operator's admin account " + k.accountId() + ". Its access key (shown once):");
            System.out.println("  aws_access_key_id     = " + k.accessKeyId());
            System.out.println("  aws_secret_access_key = " + k.secretAccessKey());
            System.out.println("Saved to " + Credentials.file(options.dataDir()) + " (profile [" + Credentials.PROFILE + "], region "
                    + Credentials.REGION + ").");
        });
        server.firstAdmin().ifPresent(a -> {
            System.out.println("Created the operator's portal user (password shown once):");
            System.out.println("  e-mail   = " + a.email());
            System.out.println("  password = " + a.password());
            System.out.println("Saved to " + PortalPassword.file(options.dataDir()) + ". Sign in at http://"
                    + (options.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : options.bindAddress()) + ":" + server.port() + "/ui/");
        });
        while (waitForAgent && !server.isAgentReady()) {
            if (stopRequested.await(50, TimeUnit.MILLISECONDS)) {
                server.close();
                return 0;
            }
        }
        String host = options.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : options.bindAddress();
        System.out.println("Nubo is up: http://" + host + ":" + server.port());
        System.out.flush();
        stopRequested.await();
        System.out.println("Nubo is stopping.");
        server.close();
        return 0;
    }
}
