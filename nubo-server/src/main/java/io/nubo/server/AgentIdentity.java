package io.nubo.server;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * What a remote agent keeps after it joined: the server, its host's name and ID, and the host
 * credential, in {@code <data-dir>/agent-identity} (mode 0600), so that a restart calls in as the
 * same host without a join token.
 */
record AgentIdentity(URI server, String hostName, String hostId, String credential) {
    static Path file(Path dataDir) {
        return dataDir.resolve("agent-identity");
    }

    static Optional<AgentIdentity> read(Path dataDir) {
        Path f = file(dataDir);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        return Optional.of(new AgentIdentity(URI.create(p.getProperty("server")), p.getProperty("host-name"), p.getProperty("host-id"),
                p.getProperty("credential")));
    }

    void write(Path dataDir) {
        Properties p = new Properties();
        p.setProperty("server", server.toString());
        p.setProperty("host-name", hostName);
        p.setProperty("host-id", hostId);
        p.setProperty("credential", credential);
        try {
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve("agent-identity.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "nubo agent: this host's credential; keep it secret");
            }
            Files.move(tmp, file(dataDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
