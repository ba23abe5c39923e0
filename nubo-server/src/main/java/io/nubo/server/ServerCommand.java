package io.nubo.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code nubo server}: a control-plane server without a local agent, on an external or embedded PostgreSQL. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run a control-plane server (API, scheduler, controllers) without a local agent.")
public final class ServerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8773", description = "HTTP port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--data-dir", defaultValue = "${sys:user.home}/.nubo", description = "state directory (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--db", paramLabel = "URI",
            description = "an external PostgreSQL, as postgresql://user@host:port/database (prefer --db-password-env to a password in it)")
    String db;

    @Option(names = "--db-url", description = "JDBC URL of an external PostgreSQL; the embedded one is used without it or --db")
    String dbUrl;

    @Option(names = "--db-user", description = "database user")
    String dbUser;

    @Option(names = "--db-password-env", description = "name of the environment variable holding the database password")
    String dbPasswordEnv;

    @picocli.CommandLine.Mixin
    StorageMixin storage;

    @picocli.CommandLine.Mixin
    ApiMixin api;

    @Override
    public Integer call() throws InterruptedException {
        Optional<String> password = Optional.ofNullable(dbPasswordEnv).map(System::getenv);
        Optional<String> url = Optional.ofNullable(dbUrl);
        Optional<String> user = Optional.ofNullable(dbUser);
        if (db != null) {
            if (dbUrl != null) {
                System.err.println("error: give --db or --db-url, not both");
                return 2;
            }
            PostgresUri uri;
            try {
                uri = PostgresUri.parse(db);
            } catch (IllegalArgumentException e) {
                System.err.println("error: --db: " + e.getMessage());
                return 2;
            }
            url = Optional.of(uri.jdbcUrl());
            user = user.or(uri::user);
            password = password.or(uri::password);
        }
        ServerOptions options = new ServerOptions(dataDir.toAbsolutePath(), bind, port, url,
                user, password, false, "none",
                new ServerOptions.FakeOptions(0, 0, 0, Duration.ZERO, Duration.ZERO), storage.options(), api.scale());
        return ServerRunner.run(options, false);
    }
}
