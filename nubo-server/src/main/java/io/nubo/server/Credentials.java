package io.nubo.server;

import io.nubo.core.model.NewAccessKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The operator's credentials file: AWS shared-credentials format, profile {@code [nubo]}, mode
 * 0600, so that the AWS tools and the nubo CLI can both use it.
 */
public final class Credentials {
    public static final String PROFILE = "nubo";
    public static final String REGION = "nubo-1";

    private Credentials() {
    }

    public static Path file(Path dataDir) {
        return dataDir.resolve("credentials");
    }

    public static void write(Path dataDir, NewAccessKey key) {
        String text = "[" + PROFILE + "]\n"
                + "aws_access_key_id = " + key.accessKeyId() + "\n"
                + "aws_secret_access_key = " + key.secretAccessKey() + "\n";
        try {
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve("credentials.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text);
            Files.move(tmp, file(dataDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(dataDir.resolve("config"), "[profile " + PROFILE + "]\nregion = " + REGION + "\noutput = json\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key pair in profile {@code [nubo]} of the file, if there is one. */
    public static Optional<String[]> read(Path file) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            String id = null;
            String secret = null;
            boolean inProfile = false;
            for (String line : Files.readAllLines(file)) {
                String l = line.trim();
                if (l.startsWith("[")) {
                    inProfile = l.equals("[" + PROFILE + "]");
                } else if (inProfile && l.contains("=")) {
                    String k = l.substring(0, l.indexOf('=')).trim();
                    String v = l.substring(l.indexOf('=') + 1).trim();
                    if (k.equals("aws_access_key_id")) {
                        id = v;
                    } else if (k.equals("aws_secret_access_key")) {
                        secret = v;
                    }
                }
            }
            return id != null && secret != null ? Optional.of(new String[]{id, secret}) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
