package io.nubo.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A PostgreSQL connection URI as libpq and {@code psql} take it,
 * {@code postgresql://[user[:password]@]host[:port]/database[?params]}, turned into the JDBC URL,
 * user and password the database pool needs. The query (e.g. {@code sslmode=require}) is passed on.
 */
record PostgresUri(String jdbcUrl, Optional<String> user, Optional<String> password) {
    static PostgresUri parse(String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a PostgreSQL URI (postgresql://user@host:port/database): " + e.getReason());
        }
        if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
            throw new IllegalArgumentException("a PostgreSQL URI starts with postgresql:// (got " + u.getScheme() + ":)");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("the PostgreSQL URI names no host (postgresql://user@host:port/database)");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException("the PostgreSQL URI names no database (postgresql://user@host:port/database)");
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (u.getRawUserInfo() != null) {
            String[] info = u.getRawUserInfo().split(":", 2);
            user = Optional.of(decode(info[0])).filter(s -> !s.isEmpty());
            password = info.length == 2 ? Optional.of(decode(info[1])) : Optional.empty();
        }
        String jdbc = "jdbc:postgresql://" + (u.getHost().contains(":") && !u.getHost().startsWith("[") ? "[" + u.getHost() + "]" : u.getHost())
                + (u.getPort() > 0 ? ":" + u.getPort() : "") + path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        return new PostgresUri(jdbc, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Never the password: this may reach a log. */
    @Override
    public String toString() {
        return "PostgresUri[" + jdbcUrl + ", user " + user.orElse("(default)") + "]";
    }
}
