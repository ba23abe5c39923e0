package io.nubo.server.cli;

import io.nubo.server.Credentials;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the CLI finds the server and its key: flags first, then {@code NUBO_ENDPOINT},
 * {@code NUBO_ACCESS_KEY} and {@code NUBO_SECRET_KEY}, then {@code <data-dir>/credentials}.
 */
public final class ClientOptions {
    @Option(names = "--endpoint", description = "server URL (default: $NUBO_ENDPOINT, else http://127.0.0.1:8773)")
    String endpoint;

    @Option(names = "--access-key", description = "access key ID (default: $NUBO_ACCESS_KEY, else the credentials file)")
    String accessKey;

    @Option(names = "--secret-key", description = "secret access key (default: $NUBO_SECRET_KEY, else the credentials file)")
    String secretKey;

    @Option(names = "--data-dir", defaultValue = "${sys:user.home}/.nubo", description = "where the credentials file is (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE})")
    Output.Format output;

    NuboClient client() {
        String url = first(endpoint, System.getenv("NUBO_ENDPOINT")).orElse("http://127.0.0.1:8773");
        Optional<String[]> file = Credentials.read(Credentials.file(dataDir));
        String id = first(accessKey, System.getenv("NUBO_ACCESS_KEY")).or(() -> file.map(f -> f[0])).orElseThrow(() ->
                new CliException("no access key: pass --access-key, set NUBO_ACCESS_KEY, or run './nubo up' to create "
                        + Credentials.file(dataDir)));
        String secret = first(secretKey, System.getenv("NUBO_SECRET_KEY")).or(() -> file.map(f -> f[1])).orElseThrow(() ->
                new CliException("no secret key: pass --secret-key or set NUBO_SECRET_KEY"));
        return new NuboClient(url, id, secret);
    }

    Output out() {
        return new Output(output);
    }

    private static Optional<String> first(String a, String b) {
        if (a != null && !a.isEmpty()) {
            return Optional.of(a);
        }
        return Optional.ofNullable(b).filter(s -> !s.isEmpty());
    }
}
