package io.nubo.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Starts a server in the foreground, prints how to reach it, and stops it cleanly on SIGINT or SIGTERM. */
final class ServerRunner {
    private ServerRunner() {
    }

    static int run(ServerOptions options, boolean waitForAgent) throws InterruptedException {
        Logs.forServer(options.dataDir());
        NuboServer server = new NuboServer(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
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
        while (waitForAgent && !server.isAgentReady()) {
            if (stopped.await(50, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        }
        String host = options.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : options.bindAddress();
        System.out.println("Nubo is up: http://" + host + ":" + server.port());
        System.out.flush();
        markServing();
        stopped.await();
        return 0;
    }

    private static void markServing() {
        UpCommand.markServing();
    }
}
